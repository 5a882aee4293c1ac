import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isRailyardError } from '../../../core/errors.ts';
import { createLogger } from '../../../core/logger.ts';
import { acquireRunnerLock } from '../../../pipeline/runner-lock.ts';
import { restoreBackup } from '../../../steps/restore/index.ts';
import { describeTree, envFor, stackWith, tempDir } from '../backup/fixture.ts';
import { dir, HOSTILE, storeLocalGeneration, tarGz } from './tar-fixture.ts';

const log = createLogger({ level: 'silent' });

/** A stack with a live upstream/ and one stored generation holding `archive`. */
async function stackWithBackup(archive: Buffer) {
  const root = await stackWith({ 'live/docker-compose.yml': 'services: {}\n', 'live/data': 'keep me' });
  const key = await storeLocalGeneration(root, archive);
  return { root, key, env: envFor(root), before: await describeTree(join(root, 'upstream')) };
}

/** Nothing beside upstream/ but what the stack had: no prev tree, no staging folder left behind. */
async function rootEntries(root: string): Promise<string[]> {
  return (await readdir(root)).sort();
}

describe('restore', () => {
  for (const [name, { entries }] of Object.entries(HOSTILE)) {
    it(`refuses an archive with ${name} and leaves upstream/ untouched`, async () => {
      const { root, env, before } = await stackWithBackup(tarGz(entries));
      await assert.rejects(restoreBackup({ env, log, key: 'latest' }), (error) => isRailyardError(error, 'RESTORE_UNSAFE_ARCHIVE'));
      assert.deepEqual(await describeTree(join(root, 'upstream')), before);
      assert.deepEqual(await rootEntries(root), ['backups', 'data', 'upstream']);
      assert.ok(!existsSync(join(root, 'evil')) && !existsSync('/tmp/railyard-evil'));
    });
  }

  it('replaces upstream/ with the backup, keeping the old tree as upstream.prev-<timestamp>', async () => {
    const archive = tarGz([dir('upstream/'), dir('upstream/app/'), { path: 'upstream/app/compose.yml', body: 'restored\n' }]);
    const { root, env, key, before } = await stackWithBackup(archive);
    const result = await restoreBackup({ env, log, key });
    assert.deepEqual(Object.keys(await describeTree(join(root, 'upstream'))), ['app', 'app/compose.yml']);
    assert.equal(await readFile(join(root, 'upstream/app/compose.yml'), 'utf8'), 'restored\n');
    assert.match(result.previous ?? '', /\/upstream\.prev-\d{14}$/);
    assert.deepEqual(await describeTree(result.previous!), before);
    assert.equal(result.entries, 3);
  });

  it('refuses an archive whose sha256 does not match the recorded one, before extracting anything', async () => {
    const archive = tarGz([dir('upstream/'), { path: 'upstream/f', body: 'x' }]);
    const { root, env, key, before } = await stackWithBackup(archive);
    const corrupt = Buffer.from(archive);
    corrupt[corrupt.length - 10] = (corrupt[corrupt.length - 10] ?? 0) ^ 0xff; // same size, different bytes
    await writeFile(join(root, 'backups', key), corrupt);
    await assert.rejects(restoreBackup({ env, log, key }), (error) => isRailyardError(error, 'BACKUP_VERIFY_FAILED'));
    assert.deepEqual(await describeTree(join(root, 'upstream')), before);
  });

  it('checks its arguments before anything else: bad key, unknown key, non-empty --to', async () => {
    const { root, env } = await stackWithBackup(tarGz([dir('upstream/')]));
    const other = await tempDir();
    await writeFile(join(other, 'occupied'), 'x');
    await assert.rejects(restoreBackup({ env, log, key: '../../etc/passwd' }), (error) => isRailyardError(error, 'USAGE'));
    await assert.rejects(restoreBackup({ env, log, key: 'latest', to: other }), (error) => isRailyardError(error, 'USAGE'));
    await assert.rejects(restoreBackup({ env, log, key: 'itsup.tar.gz.20990101000000' }), (error) => isRailyardError(error, 'BACKUP_NOT_FOUND'));
    assert.deepEqual(await rootEntries(root), ['backups', 'data', 'upstream']);
  });

  it('does not replace upstream/ while a runner holds the stack (RUNNER_BUSY); --to still works', async () => {
    const { root, env, before } = await stackWithBackup(tarGz([dir('upstream/'), { path: 'upstream/f', body: 'x' }]));
    const lock = acquireRunnerLock(root)!;
    try {
      await assert.rejects(restoreBackup({ env, log, key: 'latest' }), (error) => isRailyardError(error, 'RUNNER_BUSY'));
      const to = join(await tempDir(), 'copy');
      await restoreBackup({ env, log, key: 'latest', to });
      assert.equal(await readFile(join(to, 'f'), 'utf8'), 'x');
    } finally {
      lock.release();
    }
    assert.deepEqual(await describeTree(join(root, 'upstream')), before);
  });
});
