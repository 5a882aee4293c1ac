// Issue 12 item 7: the runner lock dies with its process and with nothing
// else. Deleting data/runner.lock used to let a second serve run the same
// stack root (it locked a fresh file).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { acquireRunnerLock } from '../../pipeline/runner-lock.ts';
import { tempRoot } from '../helpers/runner.ts';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.ts';

const exitOf = (p: ServeProcess): Promise<number | null> =>
  new Promise((resolve) => (p.child.exitCode !== null ? resolve(p.child.exitCode) : p.child.once('exit', (code) => resolve(code))));

describe('the runner lock (real processes)', () => {
  it('holds with data/runner.lock deleted, under another spelling of the root, and goes with a SIGKILLed holder', async () => {
    const root = await tempRoot('railyard-lock-');
    const first = spawnServe({ root });
    try {
      await first.url;
      rmSync(join(root, 'data', 'runner.lock'));
      const alias = `${root}-alias`;
      symlinkSync(root, alias);
      for (const where of [root, alias]) {
        const second = spawnServe({ root: where });
        second.url.catch(() => undefined);
        assert.equal(await exitOf(second), 1, `a second serve at ${where} must not run`);
        assert.ok(second.lines.some((l) => l.includes('RUNNER_BUSY')), second.lines.slice(-3).join('\n'));
      }
      assert.equal(acquireRunnerLock(root), undefined, 'nor a runner in another process');
      first.child.kill('SIGKILL');
      await exitOf(first);
      const third = spawnServe({ root });
      await third.url;
      assert.equal(await third.stop(), 0);
    } finally {
      await first.stop();
    }
  });
});
