import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { API_KEY, startTestServer } from '../helpers/hook-server.ts';
import { until } from '../helpers/runner.ts';

const auth = { headers: { 'x-api-key': API_KEY } };

describe('GET /api/runs/:id of an interrupted run', () => {
  it('names the retry that does its work (retriedBy), after a shutdown bounded by SHUTDOWN_GRACE although the step ignores the abort', async () => {
    const t = await startTestServer({ environ: { SHUTDOWN_GRACE: '1' }, hold: { executions: [], blocker: new Promise(() => undefined), ignoreAbort: true } });
    const { runId } = (await t.request('/api/projects/alpha/deploy', { method: 'POST', ...auth })).json<{ runId: string }>();
    await until(() => t.serving.store.getRun(runId)?.status === 'running', 5000, 'the deploy to start');
    const started = Date.now();
    const closed = await Promise.race([t.close().then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 8000))]);
    const ms = Date.now() - started;
    assert.ok(closed, 'the shutdown ended although the step never stopped');
    assert.ok(ms < 1000 + 1000 + 700, `the shutdown took ${ms} ms with SHUTDOWN_GRACE=1`);


    const again = await startTestServer({ root: t.root });
    try {
      const run = (await again.request(`/api/runs/${runId}`, auth)).json<{ status: string; retriedBy?: string; error: { code: string } }>();
      assert.deepEqual([run.status, run.error.code], ['interrupted', 'RUN_INTERRUPTED']);
      assert.ok(run.retriedBy !== undefined && run.retriedBy !== runId, JSON.stringify(run));
      await until(() => again.serving.store.getRun(run.retriedBy!)?.status === 'succeeded', 5000, 'the retry to succeed');
      const listed = (await again.request('/api/runs?project=alpha', auth)).json<{ runs: { id: string; retryOf?: string; retriedBy?: string }[] }>().runs;
      assert.deepEqual(listed.map((r) => [r.id, r.retryOf, r.retriedBy]), [[run.retriedBy, runId, undefined], [runId, undefined, run.retriedBy]]);
    } finally {
      await again.close();
    }
  });
});
