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

const line = (step: string, msg: string, extra: Record<string, unknown> = {}): string => JSON.stringify({ level: 30, time: Date.now(), step, msg, ...extra });

describe('railyard apply while another process runs the stack', () => {
  it('streams the run\'s log lines as that process stores them, and the retry\'s after a restart', async () => {
    const root = await tempRoot('railyard-apply-stream-');
    await writeFile(join(root, 'db.yml'), TEST_DB);
    // This test plays the serve that runs the stack: it holds the lock, moves the run along and stores its log.
    const lock = acquireRunnerLock(root)!;
    const store = RunStore.open(storePath(root));
    let apply: { kill(signal: 'SIGKILL'): boolean } | undefined;
    try {
      const child = execa(process.execPath, [BIN, '--root', root, 'apply', 'alpha'], {
        reject: false, env: { LOG_LEVEL: 'info', DOCKER_HOST: `unix://${join(root, 'none.sock')}` },
      });
      apply = child;
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      await until(() => store.runsWithStatus('queued').length === 1, 15_000, 'apply to queue its run');
      const [run] = store.runsWithStatus('queued');
      store.startRun(run!.id);
      store.appendLog(run!.id, 0, [line('pull', 'repository pulled', { commit: 'abc123' }), line('rollout', 'rolling out web')]);
      // Seen while the run is still running: streamed, not printed at the end.
      await until(() => stderr.includes(`#${run!.id} `) && /\[rollout\] rolling out web/.test(stderr), 5000, 'apply to stream the first lines');
      assert.equal(store.getRun(run!.id)!.status, 'running');
      assert.match(stderr, new RegExp(`#${run!.id} \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[pull\\] repository pulled commit="abc123"`));
      const { retryId } = interruptRun(store, store.getRun(run!.id)!, true, 'railyard stopped during the run');
      store.startRun(retryId!);
      store.appendLog(retryId!, 0, [line('rollout', 'retry converged')]);
      await until(() => stderr.includes(`#${retryId} `) && stderr.includes('retry converged'), 5000, 'apply to stream the retry\'s lines');
      store.finishRun(retryId!, 'succeeded');
      const result = await child;
      assert.equal(result.exitCode, 0, result.stdout + stderr);
      assert.match(result.stdout, new RegExp(`^#${retryId}  deploy  alpha  succeeded`, 'm'));
      // Each line once.
      assert.equal(stderr.split('rolling out web').length, 2, stderr);
    } finally {
      // A failed check leaves apply waiting for a run nobody finishes.
      apply?.kill('SIGKILL');
      store.close();
      lock.release();
    }
  });
});
