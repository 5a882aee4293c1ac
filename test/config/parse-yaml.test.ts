// db.yml is read as itsUP reads it: every value is compared with what PyYAML's
// safe_load (itsUP's reader) makes of the same text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MAX_EXPANDED_VALUES, parseYaml } from '../../config/parse-yaml.ts';
import { generateStack } from '../../bench/generate-stack.ts';
import { normalise, pyyamlLoad, pyyamlSuiteOptions } from '../helpers/pyyaml.ts';
import { sharedPath, sharedSuiteOptions } from '../helpers/shared.ts';

/** Plain scalars whose type differs between YAML 1.1 and 1.2, or between readers. */
const SCALARS = [
  'yes', 'Yes', 'YES', 'no', 'No', 'on', 'On', 'off', 'OFF', 'true', 'False', 'y', 'Y', 'n', 'N',
  '~', 'null', 'Null', 'NULL', '',
  '0', '-0', '+1', '12', '0755', '-012', '09', '0o17', '0x1F', '-0x_1f', '0b101', '1_000', '190:20:30', '1:30', '99:99',
  '3.14', '1.', '.5', '+.5', '-1.5', '1e3', '1.0e3', '1.5e+3', '6.8523015e+5', '1_0.5', '190:20:30.15', '.inf', '-.Inf', '+.INF', '.nan', '.NaN',
  '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10', '2002-12-14', '2001-1-1',
  '<<x', '=x', '-x', '22:22', '0.0.0.0', '1.2.3', 'v1.0', '"quoted"', "'single'",
];

describe('reading db.yml as PyYAML does', pyyamlSuiteOptions(), () => {
  const check = (texts: string[]): void => {
    const reference = pyyamlLoad(texts);
    texts.forEach((text, i) => {
      const ours = parseYaml(text, 'db.yml');
      const theirs = reference[i]!;
      assert.ok('value' in theirs, `PyYAML refused ${JSON.stringify(text)}: ${'error' in theirs ? theirs.error : ''}`);
      assert.deepEqual(ours.problems, [], `railyard refused ${JSON.stringify(text)}`);
      assert.deepEqual(normalise(ours.value), theirs.value, `value of ${JSON.stringify(text)}`);
    });
  };

  it('gives every 1.1 scalar the type and value PyYAML gives it', () => {
    check(SCALARS.map((scalar) => `value: ${scalar}\nlist: [${scalar || '~'}]\n`));
  });

  it('reads keys the same way (a `yes:` key is "true")', () => {
    check(['yes: 1\n0x10: 2\n1.5: 3\n~: 4\n']);
  });

  it('reads anchors, aliases and merge keys the same way', () => {
    check([
      'base: &b {image: nginx, env: {A: "1"}}\nweb:\n  <<: *b\n  host: web\nlist: [*b, *b]\n',
      'a: &x [1, 2]\nb:\n  <<: [{k: 1}, {k: 2, j: 3}]\n  k: 0\nc: *x\n',
      'k: &s text\nv: *s\n',
    ]);
  });

  it('reads block scalars, quoting and escapes the same way', () => {
    check([
      'a: |\n  line 1\n  line 2\nb: >-\n  folded\n  text\nc: "tab\\there \\u00e9 \\x41"\nd: \'it\'\'s\'\ne: plain # comment\n',
      'cmd: sh -c "a && b"\nurl: http://x/?a=1&b=2\ncron: "0 3 * * *"\n',
    ]);
  });

  it('reads the itsUP fixture, db.yml.sample and a generated stack the same way', sharedSuiteOptions(), () => {
    check([
      readFileSync(sharedPath('fixtures/itsup-db.yml'), 'utf8'),
      readFileSync(new URL('../../db.yml.sample', import.meta.url), 'utf8'),
      generateStack(50),
    ]);
  });

  it('refuses what PyYAML refuses', () => {
    // The last one only js-yaml refuses (`yaml` merely warns): its own reason is reported.
    const broken = ['a: [1, 2\n', 'a:\n  b: 1\n c: 2\n', 'a: *missing\n', 'a: "open\n', '- a\nb: 1\n', 'a: !!python/object:os.system x\n'];
    pyyamlLoad(broken).forEach((theirs, i) => {
      assert.ok('error' in theirs, `PyYAML accepted ${JSON.stringify(broken[i])}`);
      const ours = parseYaml(broken[i]!, 'db.yml');
      assert.equal(ours.value, undefined);
      assert.equal(ours.problems[0]?.code, 'YAML_SYNTAX', JSON.stringify(ours.problems));
      assert.ok((ours.problems[0]?.line ?? 0) >= 1, JSON.stringify(ours.problems));
    });
    assert.match(parseYaml(broken.at(-1)!, 'db.yml').problems[0]?.message ?? '', /unknown tag/);
  });
});

describe('aliases', () => {
  it(`refuses a document whose aliases expand it past ${MAX_EXPANDED_VALUES} values, pointing at the first alias`, () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    const result = parseYaml(`${levels.join('\n')}\n`, 'db.yml');
    assert.equal(result.value, undefined);
    assert.equal(result.problems[0]?.code, 'YAML_ALIAS_LIMIT');
    assert.deepEqual([result.problems[0]?.line, result.problems[0]?.path], [2, 'b[0]']);
  });

  it('accepts one anchor merged into 500 projects, as PyYAML does', pyyamlSuiteOptions(), () => {
    const projects = Array.from({ length: 500 }, (_, i) => `  - <<: *defaults\n    name: p${i}\n`).join('');
    const text = `defaults: &defaults\n  description: same\n  env: {A: "1"}\nprojects:\n${projects}`;
    const ours = parseYaml(text, 'db.yml');
    assert.deepEqual(ours.problems, []);
    assert.deepEqual(normalise(ours.value), (pyyamlLoad([text])[0] as { value: unknown }).value);
  });

  it('accepts a few aliases to collections', () => {
    const result = parseYaml('base: &b {image: nginx}\nweb: *b\nworker: *b\n', 'db.yml');
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.value, { base: { image: 'nginx' }, web: { image: 'nginx' }, worker: { image: 'nginx' } });
  });
});

describe('positions', () => {
  it('are found for values and keys only when asked, and agree with the text', () => {
    const text = 'projects:\n  - name: app\n    services:\n      - host: web\n        image: nginx\n';
    const { source } = parseYaml(text, 'db.yml');
    assert.deepEqual(source.valueAt('/projects/0/services/0/image'), { line: 5, col: 16 });
    assert.deepEqual(source.keyAt('/projects/0/services/0/image'), { line: 5, col: 9 });
    assert.deepEqual(source.textAt('/projects/0/name', 'pp'), { line: 2, col: 12 });
  });

  it('places a duplicate key found by either reader at the key, with its path', () => {
    const result = parseYaml('projects:\n  - name: a\n    name: b\n', 'db.yml');
    assert.deepEqual(result.problems.map((p) => [p.code, p.path, p.line, p.col]), [['YAML_DUPLICATE_KEY', 'projects[0].name', 3, 5]]);
  });

  it('places a document nested past 100 levels as YAML_TOO_DEEP, in every style, up to 3,000 levels and beyond', () => {
    const n = 3000;
    const styles = {
      flow: `projects: []\nx: ${'['.repeat(n)}${']'.repeat(n)}\n`,
      'flow maps': `projects: []\nx: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n`,
      'block sequences': `projects: []\nx:\n ${'- '.repeat(n)}v\n`,
      'block maps': `projects: []\ndeep:\n${Array.from({ length: n }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')}\n`,
      'inside a service': `projects:\n  - name: a\n    services:\n      - host: b\n        additional_properties:\n          x: ${'['.repeat(n)}${']'.repeat(n)}\n`,
    };
    for (const [style, text] of Object.entries(styles)) {
      const result = parseYaml(text, 'db.yml');
      assert.deepEqual(result.problems.map((p) => p.code), ['YAML_TOO_DEEP'], style);
      const [problem] = result.problems;
      assert.ok(problem!.line >= 2 && problem!.col >= 1, `${style}: ${JSON.stringify(problem)}`);
      assert.match(problem!.message, /more than 100 levels/);
    }
    assert.deepEqual(parseYaml(`x: ${'['.repeat(90)}${']'.repeat(90)}\n`, 'db.yml').problems, []);
  });
});
