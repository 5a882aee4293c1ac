import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRailyardError } from '../../../core/errors.ts';
import { createLogger } from '../../../core/logger.ts';
import { STACK } from '../../../core/types.ts';
import { waitForRun } from '../../../pipeline/wait-for-run.ts';
import { listBackups } from '../../../steps/backup/generations.ts';
import { archive, verify } from '../../../steps/backup/index.ts';
import { openTarget } from '../../../steps/backup/target.ts';
import { restoreBackup } from '../../../steps/restore/index.ts';
import { createTestRunner } from '../../helpers/runner.ts';
import { backupRegistry, describeTree, envFor, runSteps, stackWith, tempDir } from './fixture.ts';

async function backupRun(root: string, environ: Record<string, string> = {}) {
  const t = await createTestRunner({ pipelines: backupRegistry(), root, environ });
  try {
    return await waitForRun(t.store, t.runner.trigger({ pipeline: 'backup', project: STACK, trigger: { kind: 'cli' } }).runId);
  } finally {
    await t.close();
  }
}

const files = async (root: string): Promise<string[]> => (await readdir(join(root, 'backups'))).sort();

describe('backup to the local folder (no S3 settings)', () => {
  it('round-trips: backup → list → restore, byte for byte', async () => {
    const root = await stackWith({ 'app/compose.yml': 'services: {}\n', 'app/blob': randomBytes(100_000), 'app/l': { link: 'compose.yml' } });
    const run = await backupRun(root);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    const env = envFor(root);
    const { generations, staging } = await listBackups(await openTarget(env), env.backupPrefix);
    assert.equal(generations.length, 1);
    assert.equal(staging.length, 0);
    assert.deepEqual(await files(root), [generations[0]!.key, `${generations[0]!.key}.sha256`]);
    const to = join(await tempDir(), 'restored');
    await restoreBackup({ env, log: createLogger({ level: 'silent' }), key: generations[0]!.key, to });
    assert.deepEqual(await describeTree(to), await describeTree(join(root, 'upstream')));
  });

  it('12 backups leave the newest 10, each with its digest file', async () => {
    const root = await stackWith({ 'app/x': 'x' });
    for (let i = 0; i < 12; i += 1) assert.equal((await backupRun(root)).status, 'succeeded');
    const names = await files(root);
    assert.equal(names.filter((n) => /\.\d{14}$/.test(n)).length, 10);
    assert.equal(names.filter((n) => n.endsWith('.sha256')).length, 10);
    assert.equal(names.length, 20);
  });

  it('a run cancelled mid-write leaves no final file and no staging file, and the old generations intact', async () => {
    const root = await stackWith({ 'app/x': 'x' });
    for (let i = 0; i < 2; i += 1) assert.equal((await backupRun(root)).status, 'succeeded');
    const before = await files(root);
    await writeFile(join(root, 'upstream/app/random.bin'), randomBytes(64 * 1024 * 1024));
    const t = await createTestRunner({ pipelines: backupRegistry(), root });
    try {
      const { runId } = t.runner.trigger({ pipeline: 'backup', project: STACK, trigger: { kind: 'cli' } });
      while (!(await files(root)).some((n) => n.includes('.staging.'))) await sleep(5);
      assert.ok(t.runner.cancel(runId));
      const run = await waitForRun(t.store, runId);
      assert.equal(run.status, 'cancelled');
    } finally {
      await t.close();
    }
    assert.deepEqual(await files(root), before);
  });

  it('catches a size mismatch: the staging file is deleted, nothing is promoted', async () => {
    const root = await stackWith({ 'app/x': randomBytes(10_000) });
    const env = envFor(root);
    await assert.rejects(
      runSteps(env, [archive, verify], async (step, result) => {
        if (step === archive) await truncate(join(root, 'backups', (result as { stagingKey: string }).stagingKey), 100);
      }),
      (error) => isRailyardError(error, 'BACKUP_VERIFY_FAILED'),
    );
    assert.deepEqual(await files(root), []);
  });

  it('lists past 1,000 generations and rotates them down to BACKUP_KEEP, digest files included', async () => {
    const root = await stackWith({ 'app/x': 'x' });
    await mkdir(join(root, 'backups'));
    const stamp = (i: number): string => new Date(Date.UTC(2020, 0, 1) + i * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
    for (let i = 0; i < 1005; i += 1) {
      const key = `itsup.tar.gz.${stamp(i)}`;
      await writeFile(join(root, 'backups', key), 'old');
      await writeFile(join(root, 'backups', `${key}.sha256`), `${'a'.repeat(64)}  ${key}\n`);
    }
    const env = envFor(root);
    assert.equal((await listBackups(await openTarget(env), env.backupPrefix)).generations.length, 1005);
    assert.equal((await backupRun(root)).status, 'succeeded');
    const names = await files(root);
    assert.equal(names.length, 20);
    assert.ok(names.includes(`itsup.tar.gz.${stamp(1004)}`) && !names.includes(`itsup.tar.gz.${stamp(995)}`));
  });
});
