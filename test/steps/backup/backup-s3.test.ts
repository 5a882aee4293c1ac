import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { isRailyardError } from '../../../core/errors.ts';
import { waitForRun } from '../../../pipeline/wait-for-run.ts';
import { STACK } from '../../../core/types.ts';
import { archive, verify } from '../../../steps/backup/index.ts';
import { listBackups } from '../../../steps/backup/generations.ts';
import { openTarget } from '../../../steps/backup/target.ts';
import { restoreBackup } from '../../../steps/restore/index.ts';
import { createLogger } from '../../../core/logger.ts';
import { createTestRunner } from '../../helpers/runner.ts';
import { startS3Server, type S3Server } from '../../helpers/s3-server.ts';
import { backupRegistry, describeTree, envFor, runSteps, stackWith, tempDir } from './fixture.ts';

const quiet = createLogger({ level: 'silent' });

/** Runs the backup pipeline through a real runner on `root`; returns the finished run. */
async function backupRun(root: string, s3: S3Server, environ: Record<string, string> = {}) {
  const t = await createTestRunner({ pipelines: backupRegistry(), root, environ: { ...s3.env, ...environ } });
  try {
    const accepted = t.runner.trigger({ pipeline: 'backup', project: STACK, trigger: { kind: 'cli' } });
    return await waitForRun(t.store, accepted.runId);
  } finally {
    await t.close();
  }
}

async function keys(s3: S3Server, root: string): Promise<string[]> {
  const { generations } = await listBackups(await openTarget(envFor(root, s3.env)), 'itsup.tar.gz');
  return generations.map((g) => g.key);
}

describe('backup to S3 (s3rver)', () => {
  let s3: S3Server;
  before(async () => {
    s3 = await startS3Server();
  });
  after(() => s3.close());

  it('round-trips: backup → list → restore, byte for byte, into --to and in place', async () => {
    const root = await stackWith({
      'app/docker-compose.yml': 'services:\n  web: {}\n',
      'app/data/blob.bin': randomBytes(300_000),
      'app/link': { link: 'docker-compose.yml' },
      'db/.env': 'A=1\n',
    });
    const original = await describeTree(join(root, 'upstream'));
    const run = await backupRun(root, s3);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    const env = envFor(root, s3.env);
    const { generations, staging } = await listBackups(await openTarget(env), env.backupPrefix);
    assert.equal(generations.length, 1);
    assert.equal(staging.length, 0, 'the staging object is deleted after the promote');
    const key = generations[0]!.key;
    assert.match(key, /^itsup\.tar\.gz\.\d{14}$/);

    const to = join(await tempDir(), 'restored');
    const restored = await restoreBackup({ env, log: quiet, key: 'latest', to });
    assert.equal(restored.key, key);
    assert.deepEqual(await describeTree(to), original);

    await writeFile(join(root, 'upstream/app/docker-compose.yml'), 'changed\n');
    const inPlace = await restoreBackup({ env, log: quiet, key });
    assert.deepEqual(await describeTree(join(root, 'upstream')), original);
    assert.match(inPlace.previous ?? '', /upstream\.prev-\d{14}$/);
    assert.match((await describeTree(inPlace.previous!))['app/docker-compose.yml'] ?? '', /^file/);
  });

  it('keeps BACKUP_KEEP (10) generations: 12 backups leave the newest 10', async () => {
    const root = await stackWith({ 'app/x': 'x' });
    const made: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const run = await backupRun(root, s3, { BACKUP_PREFIX: 'twelve' });
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      const env = envFor(root, { ...s3.env, BACKUP_PREFIX: 'twelve' });
      made.push((await listBackups(await openTarget(env), 'twelve')).generations[0]!.key);
    }
    assert.equal(new Set(made).size, 12, 'backups within one second still get distinct keys');
    const env = envFor(root, { ...s3.env, BACKUP_PREFIX: 'twelve' });
    const left = (await listBackups(await openTarget(env), 'twelve')).generations.map((g) => g.key);
    assert.deepEqual(left, made.slice(2).reverse());
  });

  it('a server killed mid-upload fails the run and leaves no new key and every old generation', async () => {
    const first = await startS3Server();
    const root = await stackWith({ 'app/x': 'x' });
    for (let i = 0; i < 3; i += 1) assert.equal((await backupRun(root, first)).status, 'succeeded');
    const before = await keys(first, root);
    assert.equal(before.length, 3);
    await first.close();

    // 20 MiB that does not compress: three parts of 8 MiB; the server process dies on the second.
    await writeFile(join(root, 'upstream/app/random.bin'), randomBytes(20 * 1024 * 1024));
    const dying = await startS3Server({ directory: first.directory, crashOn: /^PUT .*partNumber=2/ });
    const run = await backupRun(root, dying);
    await dying.exited;
    assert.ok(dying.requests.some((r) => r.includes('partNumber=1')), 'the upload was under way');
    assert.equal(run.status, 'failed');
    assert.deepEqual([run.error?.step, run.error?.code], ['archive', 'BACKUP_UPLOAD_FAILED']);

    const restarted = await startS3Server({ directory: dying.directory });
    try {
      const env = envFor(root, restarted.env);
      const listing = await listBackups(await openTarget(env), env.backupPrefix);
      assert.deepEqual(listing.generations.map((g) => g.key), before);
      assert.equal(listing.staging.length, 0, 'an unfinished multipart upload leaves no object');
    } finally {
      await restarted.close();
    }
  });

  it('catches a size mismatch between what was streamed and what the server holds', async () => {
    const root = await stackWith({ 'app/x': randomBytes(10_000) });
    const env = envFor(root, { ...s3.env, BACKUP_PREFIX: 'mismatch' });
    await assert.rejects(
      runSteps(env, [archive, verify], async (step, result) => {
        if (step !== archive) return;
        // The staging object is replaced behind railyard's back (a truncated or concurrent write).
        const { stagingKey } = result as { stagingKey: string };
        await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: stagingKey, Body: 'short' }));
      }),
      (error) => isRailyardError(error, 'BACKUP_VERIFY_FAILED') && error.step === 'verify',
    );
    const listing = await listBackups(await openTarget(env), 'mismatch');
    assert.deepEqual([listing.generations.length, listing.staging.length], [0, 0], 'nothing promoted; the bad upload is deleted');
  });

  it('lists past 1,000 keys and rotates them down to BACKUP_KEEP', async () => {
    const root = await stackWith({ 'app/x': 'x' });
    const base = Date.UTC(2020, 0, 1);
    const stamp = (i: number): string => new Date(base + i * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const body = 'old';
    const put = (i: number) => s3.client.send(new PutObjectCommand({
      Bucket: s3.bucket, Key: `many.${stamp(i)}`, Body: body,
      Metadata: { sha256: 'a'.repeat(64), size: String(body.length) },
    }));
    for (let i = 0; i < 1005; i += 25) await Promise.all(Array.from({ length: Math.min(25, 1005 - i) }, (_, j) => put(i + j)));
    const env = envFor(root, { ...s3.env, BACKUP_PREFIX: 'many' });
    assert.equal((await listBackups(await openTarget(env), 'many')).generations.length, 1005);

    const run = await backupRun(root, s3, { BACKUP_PREFIX: 'many' });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    const left = (await listBackups(await openTarget(env), 'many')).generations.map((g) => g.key);
    assert.equal(left.length, 10);
    assert.deepEqual(left.slice(1), Array.from({ length: 9 }, (_, i) => `many.${stamp(1004 - i)}`));
  });

  it('does not count unvalidated (itsUP) generations, and cleans stale staging objects', async () => {
    const root = await stackWith({ 'app/x': 'x' });
    const environ = { BACKUP_PREFIX: 'legacy', BACKUP_KEEP: '2' };
    for (const key of ['legacy.20200101000000', 'legacy.20200102000000', 'legacy.staging.20200101000000.abcd']) {
      await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: 'itsup' }));
    }
    assert.equal((await backupRun(root, s3, environ)).status, 'succeeded');
    const env = envFor(root, { ...s3.env, ...environ });
    let listing = await listBackups(await openTarget(env), 'legacy');
    assert.equal(listing.generations.length, 3, 'one validated generation: nothing is deleted yet');
    assert.equal(listing.staging.length, 0, 'the stale staging object is cleaned');
    assert.equal((await backupRun(root, s3, environ)).status, 'succeeded');
    listing = await listBackups(await openTarget(env), 'legacy');
    assert.equal(listing.generations.length, 2, 'two validated generations: the older itsUP ones go');
    assert.ok(listing.generations.every((g) => g.stamp > '2021'));
  });
});
