import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { interruptRun } from '../../pipeline/recover.ts';
import { acquireRunnerLock } from '../../pipeline/runner-lock.ts';
import { RunStore, storePath } from '../../pipeline/run-store.ts';
import { TEST_DB } from '../helpers/hook-server.ts';
import { tempRoot, until } from '../helpers/runner.ts';
import { BIN } from '../helpers/serve-process.ts';

describe('railyard apply while another process runs the stack', () => {
  it('follows a run interrupted by a restart of that process to its retry, says so, and ends with the retry', async () => {
    const root = await tempRoot('railyard-apply-follow-');
    await writeFile(join(root, 'db.yml'), TEST_DB);
    // This test plays the serve that runs the stack: it holds the lock and moves the runs along.
    const lock = acquireRunnerLock(root)!;
    const store = RunStore.open(storePath(root));
    try {
      const apply = execa(process.execPath, [BIN, '--root', root, 'apply', 'alpha'], {
        reject: false, env: { LOG_LEVEL: 'info', DOCKER_HOST: `unix://${join(root, 'none.sock')}` },
      });
      await until(() => store.runsWithStatus('queued').length === 1, 15_000, 'apply to queue its run');
      const [run] = store.runsWithStatus('queued');
      store.startRun(run!.id);
      const { retryId } = interruptRun(store, store.getRun(run!.id)!, true, 'railyard stopped during the run');
      store.startRun(retryId!);
      store.finishRun(retryId!, 'succeeded');
      const result = await apply;
      assert.equal(result.exitCode, 0, result.stdout + result.stderr);
      assert.match(result.stdout, new RegExp(`^#${retryId}  deploy  alpha  succeeded`, 'm'));
      const follow = result.stderr.split('\n').find((l) => l.includes('"msg":"following the run that does the work"'));
      assert.ok(follow !== undefined, result.stderr);
      assert.deepEqual((({ runId, status, next }) => ({ runId, status, next }))(JSON.parse(follow) as Record<string, unknown>), { runId: run!.id, status: 'interrupted', next: retryId });
    } finally {
      store.close();
      lock.release();
    }
  });
});
