import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { API_KEY, pushPayload, startTestServer } from '../helpers/hook-server.ts';
import { request } from '../helpers/http.ts';
import { until } from '../helpers/runner.ts';

const blocked = () => {
  let release!: () => void;
  const blocker = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { blocker, release };
};

describe('serve: shutdown (SIGTERM)', () => {
  it('stops accepting at once, lets the running job finish, and leaves queued runs in the store for the next start', async () => {
    const gate = blocked();
    const t = await startTestServer();
    t.hold.blocker = gate.blocker;
    const running = (await t.deliver('workflow_job', { action: 'completed', workflow_job: { name: 'web', conclusion: 'success' } }, { path: '/hook?project=alpha' })).json<{ runId: string }>();
    await until(() => t.serving.store.getRun(running.runId)?.status === 'running', 5000, 'the job to start');
    const queued = (await t.request('/api/projects/alpha/deploy', { method: 'POST', headers: { 'x-api-key': API_KEY } })).json<{ runId: string }>();
    const stopping = t.close();
    // The HTTP thread stops accepting as soon as it hears of the shutdown; the job is still running then.
    let refused = false;
    for (let i = 0; i < 100 && !refused; i += 1) {
      refused = await request(t.url, '/healthz').then(() => false, (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED');
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(refused, 'no new connections');
    assert.equal(t.serving.store.getRun(running.runId)?.status, 'running');
    setTimeout(gate.release, 200);
    await stopping;
    const store = t.serving.store;
    assert.throws(() => store.getRun(running.runId), 'the store is closed once stopped');
    const again = await startTestServer({ root: t.root, hold: { executions: [], blocker: new Promise(() => undefined) } });
    try {
      assert.equal(again.serving.store.getRun(running.runId)?.status, 'succeeded', 'the running job finished');
      assert.ok(['queued', 'running'].includes(again.serving.store.getRun(queued.runId)?.status ?? ''), 'the queued run is still there');
      await until(() => again.hold.executions.some((e) => e.runId === queued.runId), 5000, 'the next start to run it');
    } finally {
      await again.serving.runner.stop({ drain: false });
      await again.close();
    }
  });

  it('interrupts what still runs after SHUTDOWN_GRACE; the run is retried at the next start', async () => {
    const t = await startTestServer({ environ: { SHUTDOWN_GRACE: '0' }, hold: { executions: [], blocker: new Promise(() => undefined) } });
    const { runId } = (await t.deliver('push', pushPayload())).json<{ runId: string }>();
    await until(() => t.serving.store.getRun(runId)?.status === 'running', 5000, 'the job to start');
    await t.close();
    const again = await startTestServer({ root: t.root });
    try {
      const run = again.serving.store.getRun(runId)!;
      assert.deepEqual([run.status, run.error?.code], ['interrupted', 'RUN_INTERRUPTED']);
      const retry = again.serving.store.retryAfter(run);
      assert.ok(retry !== undefined, 'a retry was queued');
      await until(() => again.hold.executions.some((e) => e.runId === retry), 5000, 'the next start to run the retry');
    } finally {
      await again.close();
    }
  });
});
