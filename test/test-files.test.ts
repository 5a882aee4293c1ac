// scripts/run-tests.mjs runs files with --test-force-exit: a file ends once
// every test it has registered has finished. A suite registered after a
// top-level await, below a suite already registered, can come too late and
// silently never run (runtime/images' Docker suite vanished from a CI run so).
// Every file must register its suites without awaiting between them.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const TEST_DIR = new URL('.', import.meta.url).pathname;

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Top-level lines, after the file's first top-level describe/it/test, that await. */
function lateAwaits(text: string): string[] {
  const late: string[] = [];
  let registered = false;
  for (const [index, line] of text.split('\n').entries()) {
    const top = /^(describe|it|test)\(/.test(line);
    if (registered && (/^await /.test(line) || /^(const|let|var) .*\bawait /.test(line) || (top && /\bawait /.test(line)))) late.push(`${index + 1}: ${line.slice(0, 100)}`);
    if (top) registered = true;
  }
  return late;
}

describe('test files', () => {
  it('register every suite before the first runs (no top-level await after the first describe)', () => {
    const offenders = testFiles(TEST_DIR).flatMap((file) => lateAwaits(readFileSync(file, 'utf8')).map((line) => `${file.slice(TEST_DIR.length)}:${line}`));
    assert.deepEqual(offenders, []);
  });

  it('finds such an await (the check can fail)', () => {
    assert.deepEqual(lateAwaits("describe('a', () => {});\ndescribe('b', await options(), () => {});\n"), ["2: describe('b', await options(), () => {});"]);
  });
});
