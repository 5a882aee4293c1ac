// Rendered YAML reads back as the same value in every reader that meets it:
// PyYAML (1.1), go-yaml-like 1.2 core (`yaml`), and `yaml` in 1.1 mode.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { HEADER, toYaml } from '../../../steps/render/yaml-out.ts';
import { pyyamlLoad, pyyamlSuiteOptions } from '../../helpers/pyyaml.ts';

/** Strings that some YAML reader takes for a bool, number, null, date or syntax. */
const LOOK_ALIKES = [
  'yes', 'no', 'on', 'Off', 'y', 'N', 'true', '~', 'null', '', ' ', '0755', '0o17', '0x1F', '0b11', '1_000', '1e3', '1.5e+3', '.5', '.inf', '-.Inf', '.NaN',
  '22:22', '190:20:30', '2001-12-14', '2001-12-14 21:59:43.10', '<<', '=', '-x', '- x', ':80', '? x', '#x', 'a #b', '&a', '*a', '!tag', '%x', '@x', '`x',
  '{a}', '[a]', '"q"', "'q'", 'a: b', 'tab\there', 'line\nline\n', ' lead', 'trail ', 'ünï', '\u0007bell', `${'long '.repeat(60)}end`,
];
const VALUE = { strings: LOOK_ALIKES, numbers: [0, -1, 1.5, 1e21, -1e-7, 0.1, Number.MAX_SAFE_INTEGER], flags: [true, false], nothing: null };

describe('rendered YAML', () => {
  it('reads back as the same value in YAML 1.2 core and 1.1 (`yaml`)', () => {
    const text = toYaml(VALUE);
    assert.deepEqual(parse(text), VALUE);
    assert.deepEqual(parse(text, { version: '1.1' }), VALUE);
  });

  it('reads back as the same value in PyYAML', pyyamlSuiteOptions(), () => {
    const [result] = pyyamlLoad([toYaml(VALUE)]);
    assert.deepEqual(result, { value: VALUE });
  });

  it('starts with the header, writes no anchors for repeated objects and folds no line', () => {
    const shared = { image: 'nginx' };
    const text = toYaml({ a: shared, b: shared, long: LOOK_ALIKES.at(-1) });
    assert.ok(text.startsWith(`${HEADER}\n`));
    assert.doesNotMatch(text, /[&*]ref/);
    assert.equal(text.split('\n').length, 7, text);
    assert.equal(toYaml({ a: 1 }, { header: false }), 'a: 1\n');
  });

  it('is byte-identical for the same value, and keeps insertion key order', () => {
    assert.equal(toYaml(VALUE), toYaml(structuredClone(VALUE)));
    assert.match(toYaml({ z: 1, a: 2 }, { header: false }), /^z: 1\na: 2\n$/);
  });
});
