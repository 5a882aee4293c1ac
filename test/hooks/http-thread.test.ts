// The HTTP thread answers each request of the main thread: two reloads asked
// at once both resolve (replies of one type are matched first come, first
// served). Before, the second waiter replaced the first, which never resolved.
import assert from 'node:assert/strict';
import { copyFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { PIPELINES } from '../../app/pipelines.ts';
import { loadEnv } from '../../config/env.ts';
import { describePipelines } from '../../hooks/durable-accept.ts';
import { startHttpThread } from '../../hooks/http-thread.ts';
import { tempRoot } from '../helpers/runner.ts';

const SAMPLE = new URL('../../db.yml.sample', import.meta.url).pathname;

describe('the HTTP thread', () => {
  it('answers two reloads asked at once', async () => {
    const root = await tempRoot('railyard-http-thread-');
    await copyFile(SAMPLE, join(root, 'db.yml'));
    const env = loadEnv({ root, environ: { API_KEY: 'http-thread-key' } });
    const thread = await startHttpThread({
      env, file: undefined, listen: { host: '127.0.0.1', port: 0 }, pipelines: describePipelines(PIPELINES), rateLimit: undefined, pretty: false,
      logSink: () => undefined, onTriggered: () => undefined, onApplyBlocks: async () => undefined, onFailure: () => undefined,
    });
    try {
      const answered = await Promise.race([Promise.all([thread.reload(env), thread.reload(env)]), sleep(10_000, 'no answer')]);
      assert.notEqual(answered, 'no answer', 'a reload was never answered');
      assert.equal((answered as { db: boolean }[]).length, 2);
    } finally {
      await thread.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
