// validate accepts what itsUP v1 rendered (issue 11): each file here loads, with exactly the
// warnings its `# warn: CODE path line:col text` header names, and each warning says what to change.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { checkDb } from '../../config/load-db.ts';

const DIR = new URL('../fixtures/warn/', import.meta.url);

describe('itsUP-rendered db.yml: accepted with warnings', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yml')).sort();
  it('has a fixture per case', () => assert.ok(files.length >= 7, `only ${files.length}`));
  for (const file of files) {
    it(`accepts ${file} with its warnings`, () => {
      const text = readFileSync(new URL(file, DIR), 'utf8');
      const expected = [...text.matchAll(/^# warn: (\S+) (\S+) (\d+):(\d+) (.+)$/gm)].map((m) => ({ code: m[1], path: m[2], line: Number(m[3]), col: Number(m[4]), text: m[5]! }));
      assert.ok(expected.length > 0, `${file} has no # warn: header`);
      const result = checkDb(text, 'db.yml', {});
      assert.ok(result.ok, `${file} refused: ${JSON.stringify(result.ok ? [] : result.problems)}`);
      assert.deepEqual(result.warnings.map((w) => [w.code, w.path, w.line, w.col, w.severity]), expected.map((e) => [e.code, e.path, e.line, e.col, 'warning']));
      expected.forEach((e, i) => assert.ok(result.warnings[i]!.message.includes(e.text), `${result.warnings[i]!.message} lacks "${e.text}"`));
    });
  }

  it('drops an unknown key from the loaded config', () => {
    const result = checkDb(readFileSync(new URL('service-unknown-key.yml', DIR), 'utf8'), 'db.yml', {});
    assert.ok(result.ok);
    assert.equal('imgae' in (result.config.projects[0]!.services[0] as object), false);
  });
});
