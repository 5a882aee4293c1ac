// The `railyard` command runs the bundled dist/ while it is current and the
// TypeScript sources otherwise. Checked on a copy of the package, built for
// real with scripts/build.mjs (as `npm install` does).
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, cp, readFile, symlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { tempRoot } from '../helpers/runner.ts';

const PACKAGE = fileURLToPath(new URL('../../', import.meta.url));
const COPIED = ['bin', 'core', 'config', 'pipeline', 'app', 'steps', 'runtime', 'hooks', 'cli', 'scripts', 'package.json', 'tsconfig.json', 'db.yml.sample'];
const MARKER = 'compiled dist/ ran';

describe('bin/railyard.js', () => {
  let copy: string;
  const railyard = (...args: string[]) => execa(process.execPath, [join(copy, 'bin', 'railyard.js'), ...args], { reject: false, cwd: copy });

  before(async () => {
    copy = await tempRoot('railyard-package-');
    for (const name of COPIED) await cp(join(PACKAGE, name), join(copy, name), { recursive: true, preserveTimestamps: true });
    await symlink(join(PACKAGE, 'node_modules'), join(copy, 'node_modules'));
    const built = await execa(process.execPath, [join(copy, 'scripts', 'build.mjs')], { reject: false });
    assert.equal(built.exitCode, 0, built.stderr);
  });

  it('runs the compiled dist/ with the same answers as the sources', async () => {
    const version = JSON.parse(await readFile(join(copy, 'package.json'), 'utf8')) as { version: string };
    const fromSources = (...args: string[]) => execa(process.execPath, ['--import', 'tsx', join(copy, 'cli', 'main.ts'), ...args], { reject: false, cwd: copy });
    for (const run of [railyard, fromSources]) assert.equal((await run('--version')).stdout, version.version);
    const [compiled, sources] = await Promise.all([railyard('validate', '--json'), fromSources('validate', '--json')]);
    assert.equal(compiled.exitCode, 0, compiled.stderr);
    assert.deepEqual(JSON.parse(compiled.stdout), JSON.parse(sources.stdout));
  });

  it('uses dist/ while it is current, and the sources once a source file is newer', async () => {
    const main = join(copy, 'dist', 'cli', 'main.js');
    const builtAt = new Date();
    await appendFile(main, `\nthrow new Error(${JSON.stringify(MARKER)});\n`);
    await utimes(main, builtAt, builtAt);
    assert.match((await railyard('--version')).stderr, new RegExp(MARKER));
    const later = new Date(builtAt.getTime() + 5000);
    await utimes(join(copy, 'config', 'stack.ts'), later, later);
    const fallback = await railyard('--version');
    assert.equal(fallback.exitCode, 0, fallback.stderr);
    assert.doesNotMatch(fallback.stderr, new RegExp(MARKER));
    // A file deeper in the tree counts as much as one at the top of a source folder.
    await utimes(join(copy, 'config', 'stack.ts'), builtAt, builtAt);
    assert.match((await railyard('--version')).stderr, new RegExp(MARKER));
    await utimes(join(copy, 'steps', 'rollout', 'drain.ts'), later, later);
    assert.doesNotMatch((await railyard('--version')).stderr, new RegExp(MARKER));
  });
});
