import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRailyardError } from '../../../core/errors.ts';
import { s3Settings } from '../../../steps/backup/s3-settings.ts';
import { envFor, tempDir } from './fixture.ts';

const keys = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret-example' };

describe('s3Settings', () => {
  it('is undefined (the local folder) without AWS_S3_BUCKET and AWS_S3_HOST', async () => {
    assert.equal(s3Settings(envFor(await tempDir(), keys)), undefined);
  });

  it('uses path-style addressing for non-AWS hosts, a host without a scheme meaning https', async () => {
    const spaces = s3Settings(envFor(await tempDir(), { ...keys, AWS_S3_BUCKET: 'b', AWS_S3_HOST: 'ams3.digitaloceanspaces.com' }));
    assert.deepEqual([spaces?.endpoint, spaces?.pathStyle, spaces?.region], ['https://ams3.digitaloceanspaces.com', true, 'us-east-1']);
    const aws = s3Settings(envFor(await tempDir(), { ...keys, AWS_S3_BUCKET: 'b', AWS_S3_HOST: 's3.eu-west-1.amazonaws.com', AWS_S3_REGION: 'eu-west-1' }));
    assert.deepEqual([aws?.pathStyle, aws?.region], [false, 'eu-west-1']);
    const plain = s3Settings(envFor(await tempDir(), { ...keys, AWS_S3_BUCKET: 'b' }));
    assert.deepEqual([plain?.endpoint, plain?.pathStyle], [undefined, false]);
  });

  it('refuses half a configuration instead of falling back to the local folder', async () => {
    const root = await tempDir();
    for (const environ of [{ AWS_S3_HOST: 'minio.local:9000', ...keys }, { AWS_S3_BUCKET: 'b' }, { AWS_S3_BUCKET: 'b', AWS_S3_HOST: 'http://[bad', ...keys }]) {
      assert.throws(() => s3Settings(envFor(root, environ)), (error) => isRailyardError(error, 'ENV_INVALID'), JSON.stringify(environ));
    }
  });

  it('BACKUP_PREFIX and RESTORE_MAX_ENTRIES are read and checked by config/env', async () => {
    const root = await tempDir();
    const env = envFor(root, { BACKUP_PREFIX: 'host-1/itsup.tar.gz', RESTORE_MAX_ENTRIES: '50' });
    assert.deepEqual([env.backupPrefix, env.restoreMaxEntries], ['host-1/itsup.tar.gz', 50]);
    assert.deepEqual([envFor(root).backupPrefix, envFor(root).restoreMaxEntries], ['itsup.tar.gz', 1_000_000]);
    for (const bad of ['../x', '/abs', 'a//b', 'a b', 'x/../y']) {
      assert.throws(() => envFor(root, { BACKUP_PREFIX: bad }), (error) => isRailyardError(error, 'ENV_INVALID'), bad);
    }
  });
});
