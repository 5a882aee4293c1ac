import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { describeTree, stackWith, tempDir } from '../steps/backup/fixture.ts';

const BIN = new URL('../../bin/railyard.js', import.meta.url).pathname;

function railyard(args: string[], root: string) {
  return execa(process.execPath, [BIN, '--root', root, ...args], { reject: false, env: { LOG_LEVEL: 'warn' }, extendEnv: false });
}

describe('railyard backup / restore', () => {
  it('--help and argument errors change nothing: no archive, no run, no folder', async () => {
    const root = await stackWith({ 'app/x': 'x' });
    const help = await railyard(['backup', '--help'], root);
    assert.equal(help.exitCode, 0);
    assert.match(help.stdout, /Usage: railyard backup/);
    assert.match((await railyard(['restore', '--help'], root)).stdout, /Usage: railyard restore/);
    for (const args of [
      ['backup', '--bogus'], ['backup', 'lst'], ['backup', 'list', 'extra'],
      ['restore'], ['restore', '../../etc/passwd'], ['restore', 'latest', '--to'], ['restore', 'latest', 'extra'],
    ]) {
      const result = await railyard(args, root);
      assert.notEqual(result.exitCode, 0, `${args.join(' ')} should fail`);
    }
    const usage = await railyard(['restore', 'nope'], root);
    assert.match(usage.stderr, /^error \[USAGE\]/);
    assert.deepEqual(await readdir(root), ['upstream']);
  });

  it('backs up to backups/ through the runner, lists, and restores byte for byte', async () => {
    const root = await stackWith({ 'app/compose.yml': 'services: {}\n', 'app/blob': randomBytes(50_000), 'app/l': { link: 'compose.yml' } });
    const backup = await railyard(['backup'], root);
    assert.equal(backup.exitCode, 0, backup.stderr);
    assert.match(backup.stdout, /^#1 {2}backup {2}\* {2}succeeded/);
    const runs = JSON.parse((await railyard(['runs', '--json'], root)).stdout) as { pipeline: string; status: string }[];
    assert.deepEqual(runs.map((r) => [r.pipeline, r.status]), [['backup', 'succeeded']]);

    const list = JSON.parse((await railyard(['backup', 'list', '--json'], root)).stdout) as { backups: { key: string; size: number; validated: boolean }[] };
    assert.equal(list.backups.length, 1);
    assert.equal(list.backups[0]!.validated, true);
    assert.equal(list.backups[0]!.size, (await stat(join(root, 'backups', list.backups[0]!.key))).size);
    const sums = await execa('sha256sum', ['-c', `${list.backups[0]!.key}.sha256`], { cwd: join(root, 'backups') });
    assert.match(sums.stdout, /: OK$/);

    const to = join(await tempDir(), 'restored');
    const restore = await railyard(['restore', 'latest', '--to', to], root);
    assert.equal(restore.exitCode, 0, restore.stderr);
    assert.deepEqual(await describeTree(to), await describeTree(join(root, 'upstream')));

    const dry = await railyard(['backup', '--dry-run', '--json'], root);
    assert.equal((JSON.parse(dry.stdout) as { dryRun: boolean }).dryRun, true);
    assert.equal((JSON.parse((await railyard(['backup', 'list', '--json'], root)).stdout) as { backups: unknown[] }).backups.length, 1);
  });

  it('a backup killed mid-write leaves no new generation; the next one cleans its staging file', async () => {
    const root = await stackWith({ 'app/x': 'x' });
    for (let i = 0; i < 2; i += 1) assert.equal((await railyard(['backup'], root)).exitCode, 0);
    const before = (await readdir(join(root, 'backups'))).sort();
    await writeFile(join(root, 'upstream/app/random.bin'), randomBytes(48 * 1024 * 1024));

    const child = execa(process.execPath, [BIN, '--root', root, 'backup'], { reject: false, env: { LOG_LEVEL: 'warn' }, extendEnv: false });
    const staging = await waitForStaging(join(root, 'backups'));
    child.kill('SIGKILL');
    await child;
    const after = (await readdir(join(root, 'backups'))).sort();
    assert.deepEqual(after.filter((name) => !name.includes('.staging.')), before, 'no new generation; the old ones are intact');
    assert.ok(after.includes(staging), 'the crash left its staging file');

    const next = await railyard(['backup'], root);
    assert.equal(next.exitCode, 0, next.stderr);
    const final = (await readdir(join(root, 'backups'))).sort();
    assert.equal(final.filter((name) => name.includes('.staging.')).length, 0);
    // The interrupted run is retried at start-up, and the new trigger runs too (or merges with the retry).
    const generations = final.filter((name) => /\.\d{14}$/.test(name));
    assert.ok(generations.length >= 3 && before.every((name) => final.includes(name)), final.join(' '));
    const runs = JSON.parse((await railyard(['runs', '--json'], root)).stdout) as { status: string }[];
    assert.ok(runs.some((r) => r.status === 'interrupted'), 'the killed run is recorded as interrupted');
  });
});

async function waitForStaging(dir: string): Promise<string> {
  for (let i = 0; i < 300; i += 1) {
    const names = await readdir(dir);
    const staging = names.find((name) => name.includes('.staging.'));
    if (staging !== undefined && (await stat(join(dir, staging)).catch(() => undefined))?.size! > 1024 * 1024) return staging;
    await sleep(20);
  }
  throw new Error('no staging file appeared');
}
