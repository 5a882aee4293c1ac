import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from '../helpers/http.ts';
import { ALL_LINES, API_KEY, WEBHOOK_SECRET, assertNoSecrets, pushPayload, startTestServer, type TestServer } from '../helpers/hook-server.ts';
import { until } from '../helpers/runner.ts';

const auth = { authorization: `Bearer ${API_KEY}` };

describe('API', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.close();
    assertNoSecrets(ALL_LINES, [API_KEY, WEBHOOK_SECRET]);
  });

  it('POST /api/projects/:name/deploy queues a deploy (202), with ?service=; 404 and 400 as /update-upstream', async () => {
    const answer = await t.request('/api/projects/alpha/deploy?service=web', { method: 'POST', headers: auth });
    assert.equal(answer.status, 202, answer.text);
    const body = answer.json<{ runId: string; project: string; service: string; status: string }>();
    assert.deepEqual([body.project, body.service, body.status], ['alpha', 'web', 'queued']);
    assert.deepEqual([t.serving.store.getRun(body.runId)?.pipeline, t.serving.store.getRun(body.runId)?.trigger.kind], ['deploy', 'api']);
    assert.equal((await t.request('/api/projects/gamma/deploy', { method: 'POST', headers: auth })).status, 404);
    assert.equal((await t.request('/api/projects/..%2Fx/deploy', { method: 'POST', headers: auth })).status, 400);
    assert.equal((await t.request('/api/projects/alpha/deploy', { headers: auth })).status, 405);
  });

  it('GET /api/runs lists runs, filtered by project and status, with a limit; bad filters are 400', async () => {
    await t.idle();
    const all = (await t.request('/api/runs?limit=50', { headers: auth })).json<{ runs: { id: string; project: string; status: string }[] }>();
    assert.ok(all.runs.length >= 1);
    const alpha = (await t.request('/api/runs?project=alpha&status=succeeded', { headers: auth })).json<{ runs: { project: string; status: string }[] }>();
    assert.ok(alpha.runs.every((r) => r.project === 'alpha' && r.status === 'succeeded'));
    for (const query of ['status=done', 'limit=0', 'limit=abc', 'limit=1001', 'project=..%2F']) {
      assert.equal((await t.request(`/api/runs?${query}`, { headers: auth })).status, 400, query);
    }
  });

  it('GET /api/runs/:id gives the steps with durations, and the error of a failed run; 404 for an unknown id', async () => {
    const id = (await t.request('/api/projects/beta/deploy', { method: 'POST', headers: auth })).json<{ runId: string }>().runId;
    await t.idle();
    const run = (await t.request(`/api/runs/${id}`, { headers: auth })).json<{ status: string; steps: { name: string; status: string; durationMs: number }[] }>();
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(run.steps.map((s) => [s.name, s.status, typeof s.durationMs]), [['work', 'succeeded', 'number']]);
    for (const missing of ['999999', 'abc', '1e3']) assert.equal((await t.request(`/api/runs/${missing}`, { headers: auth })).status, 404);
    // A run that failed in the runner: an unknown pipeline left queued in the store.
    const failed = t.serving.store.insertRun({ pipeline: 'gone', project: 'alpha', service: undefined, trigger: { kind: 'cli' }, commit: undefined, configHash: undefined });
    await until(() => t.serving.store.getRun(failed)?.status === 'failed', 5000, 'the runner to refuse it');
    const refused = (await t.request(`/api/runs/${failed}`, { headers: auth })).json<{ error: { code: string; message: string } }>();
    assert.equal(refused.error.code, 'UNEXPECTED');
    assert.match(refused.error.message, /Unknown pipeline/);
  });

  it('GET /api/runs/:id/log streams server-sent events while the run is live, ends with its status, then serves plain text', async () => {
    let release!: () => void;
    t.hold.blocker = new Promise((resolve) => {
      release = resolve;
    });
    const id = (await t.request('/api/projects/alpha/deploy', { method: 'POST', headers: auth })).json<{ runId: string }>().runId;
    await until(() => t.serving.store.getRun(id)?.status === 'running', 5000, 'the run to start');
    const streamed = request(t.url, `/api/runs/${id}/log`, { headers: auth });
    setTimeout(() => {
      t.hold.blocker = undefined;
      release();
    }, 400);
    const sse = await streamed;
    assert.match(String(sse.headers['content-type']), /^text\/event-stream/);
    const events = sse.text.split('\n\n').filter((e) => e !== '');
    assert.ok(events.some((e) => e.startsWith('event: log') && e.includes('"msg":"working"')), sse.text);
    assert.equal(events.at(-1), 'event: end\ndata: {"status":"succeeded"}');
    const text = await t.request(`/api/runs/${id}/log`, { headers: auth });
    assert.match(String(text.headers['content-type']), /^text\/plain/);
    assert.match(text.text, /INFO {2}\[work\] working/);
    assert.match(text.text, /run finished/);
  });

  it('GET /api/projects lists each project with its services, desired and running state, last run and deployed commit', async () => {
    await t.deliver('push', pushPayload({ after: 'f'.repeat(40) }));
    await t.idle();
    const body = (await t.request('/api/projects', { headers: auth })).json<{
      docker: { reachable: boolean };
      projects: { name: string; desired: string; services: { name: string; desired: { replicas: number }; running: unknown }[]; lastRun: { id: string } | null }[];
    }>();
    assert.equal(body.docker.reachable, false, 'the test server points at a socket that does not exist');
    assert.deepEqual(body.projects.map((p) => p.name), ['alpha', 'beta']);
    const alpha = body.projects[0]!;
    assert.deepEqual(alpha.services.map((s) => [s.name, s.desired.replicas, s.running]), [['web', 1, null], ['worker', 1, null]]);
    assert.equal(alpha.desired, 'running');
    assert.ok(alpha.lastRun !== null);
  });

  it('GET /metrics: runs by pipeline and status, durations, queue depth, deliveries, last success', async () => {
    const answer = await t.request('/metrics', { headers: auth });
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    for (const pattern of [
      /^railyard_runs\{pipeline="deploy",status="succeeded"\} \d+$/m,
      /^railyard_run_duration_seconds_bucket\{le="\+Inf",pipeline="deploy"\} \d+$/m,
      /^railyard_runs_finished_total\{pipeline="deploy",status="succeeded"\} \d+$/m,
      /^process_resident_memory_bytes \d+$/m,
      /^railyard_run_duration_seconds_count\{pipeline="deploy"\} \d+$/m,
      /^railyard_queue_depth \d+$/m,
      /^railyard_webhook_deliveries_total\{event="push",result="accepted"\} 1$/m,
      /^railyard_last_success_timestamp_seconds\{pipeline="sync"\} \d+(\.\d+)?$/m,
    ]) assert.match(answer.text, pattern);
    assert.equal((await t.request('/metrics')).status, 401);
  });

  it('GET /healthz, without auth: status, Docker reachability and queue depth, and nothing else', async () => {
    const answer = await t.request('/healthz');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json(), { status: 'degraded', docker: { reachable: false }, store: 'ok', queue: { depth: 0, running: 0 } });
  });

  it('answers 404 for unknown routes and 405 (with Allow) for a known path with another method', async () => {
    assert.equal((await t.request('/nope')).status, 404);
    const wrong = await t.request('/hook');
    assert.deepEqual([wrong.status, wrong.headers['allow']], [405, 'POST']);
  });
});
