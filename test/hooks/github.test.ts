import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import {
  ALL_LINES, API_KEY, WEBHOOK_SECRET, assertNoSecrets, pushPayload, startTestServer, workflowJobPayload, type TestServer,
} from '../helpers/hook-server.ts';
import { until } from '../helpers/runner.ts';

const headersFor = (signature: Record<string, string>) => ({
  'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': `d-${Math.random()}`, 'x-github-hook-id': '1', ...signature,
});

describe('POST /hook', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ rateLimit: { failures: 1000 } });
  });
  after(async () => {
    await t.close();
    assertNoSecrets(ALL_LINES, [API_KEY, WEBHOOK_SECRET]);
  });

  const alive = async (): Promise<void> => {
    assert.equal((await t.request('/healthz')).status, 200, 'the server still answers');
  };

  describe('signatures', () => {
    const body = JSON.stringify(pushPayload());
    const cases: [string, Record<string, string>][] = [
      ['missing', {}],
      ['wrong', { 'x-hub-signature-256': `sha256=${createHmac('sha256', 'not-the-secret').update(body).digest('hex')}` }],
      ['sha1 only', { 'x-hub-signature': `sha1=${createHmac('sha1', WEBHOOK_SECRET).update(body).digest('hex')}` }],
      ['wrong length', { 'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex').slice(0, 40)}` }],
      ['not hex', { 'x-hub-signature-256': `sha256=${'z'.repeat(64)}` }],
      ['over other bytes', { 'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(`${body} `).digest('hex')}` }],
    ];
    for (const [name, signature] of cases) {
      it(`refuses a ${name} signature with 401 and creates nothing`, async () => {
        const answer = await t.request('/hook', { method: 'POST', body, headers: headersFor(signature) });
        assert.equal(answer.status, 401);
        assert.equal(answer.json<{ error: { code: string } }>().error.code, 'SIGNATURE_INVALID');
        assert.equal(t.serving.store.listRuns().length, 0);
      });
    }

    it('accepts a valid signature made with sign()', async () => {
      const answer = await t.request('/hook', { method: 'POST', body, headers: headersFor({ 'x-hub-signature-256': await sign(WEBHOOK_SECRET, body) }) });
      assert.equal(answer.status, 202, answer.text);
    });

    it("checks GitHub's published test vector over the raw bytes", async () => {
      const vector = await startTestServer({ environ: { GITHUB_WEBHOOK_SECRET: "It's a Secret to Everybody" } });
      try {
        const headers = (signature: string) => ({ 'content-type': 'application/json', 'x-github-event': 'ping', 'x-github-delivery': 'v1', 'x-hub-signature-256': signature });
        const expected = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
        // The signature holds, so the body gets as far as the JSON parser ("Hello, World!" is not JSON): 400, not 401.
        const good = await vector.request('/hook', { method: 'POST', body: 'Hello, World!', headers: headers(expected) });
        assert.deepEqual([good.status, good.json<{ error: { code: string } }>().error.code], [400, 'PAYLOAD_INVALID']);
        const bad = await vector.request('/hook', { method: 'POST', body: 'Hello, World?', headers: headers(expected) });
        assert.equal(bad.status, 401);
      } finally {
        await vector.close();
      }
    });
  });

  describe('payloads', () => {
    it('answers 413 past HOOK_MAX_BODY (declared or streamed) before reading it, and keeps serving', async () => {
      const small = await startTestServer({ environ: { HOOK_MAX_BODY: '64KiB' } });
      try {
        const big = JSON.stringify({ ref: 'refs/heads/main', padding: 'x'.repeat(70_000) });
        for (const chunked of [false, true]) {
          const answer = await small.request('/hook', { method: 'POST', body: big, chunked, headers: headersFor({ 'x-hub-signature-256': await sign(WEBHOOK_SECRET, big) }) });
          assert.equal(answer.status, 413, `chunked=${chunked}`);
          assert.equal(answer.json<{ error: { code: string } }>().error.code, 'PAYLOAD_TOO_LARGE');
          assert.equal((await small.request('/healthz')).status, 200);
        }
        assert.equal(small.serving.store.listRuns().length, 0);
      } finally {
        await small.close();
      }
      // The default cap is 5 MiB.
      const body = 'x'.repeat(5 * 1024 * 1024 + 1);
      const answer = await t.request('/hook', { method: 'POST', body, headers: headersFor({}) });
      assert.equal(answer.status, 413);
      await alive();
    });

    it('answers 415 for a form-encoded delivery, naming application/json', async () => {
      const body = `payload=${encodeURIComponent(JSON.stringify(pushPayload()))}`;
      const answer = await t.request('/hook', {
        method: 'POST', body,
        headers: { ...headersFor({ 'x-hub-signature-256': await sign(WEBHOOK_SECRET, body) }), 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(answer.status, 415);
      assert.match(answer.json<{ error: { message: string } }>().error.message, /application\/json/);
      await alive();
    });

    for (const [name, body] of [['broken JSON', '{"ref": "refs/heads/main",'], ['a JSON array', '[1,2]'], ['deep nesting', `${'['.repeat(100_000)}${']'.repeat(100_000)}`]]) {
      it(`answers 400 for ${name!} and keeps serving`, async () => {
        const answer = await t.deliver('push', body!);
        assert.equal(answer.status, 400);
        assert.equal(answer.json<{ error: { code: string } }>().error.code, 'PAYLOAD_INVALID');
        await alive();
      });
    }
  });

  describe('events', () => {
    it('answers ping with the zen', async () => {
      const answer = await t.deliver('ping', { zen: 'Keep it logically awesome.', hook_id: 1 });
      assert.deepEqual([answer.status, answer.json()], [200, { zen: 'Keep it logically awesome.' }]);
    });

    it('queues a sync for a push to the branch, with its commit, and answers a repeated delivery as a duplicate', async () => {
      const before = t.serving.store.listRuns().length;
      const first = await t.deliver('push', pushPayload({ after: 'c'.repeat(40) }), { id: 'push-once', hook: '99' });
      assert.equal(first.status, 202, first.text);
      const { runId } = first.json<{ runId: string }>();
      const run = t.serving.store.getRun(runId)!;
      assert.deepEqual([run.pipeline, run.project, run.trigger.kind, run.commit], ['sync', '*', 'push', 'c'.repeat(40)]);
      const again = await t.deliver('push', pushPayload({ after: 'c'.repeat(40) }), { id: 'push-once', hook: '99' });
      assert.deepEqual([again.status, again.json()], [200, { duplicate: true, runId }]);
      // The same delivery id from another hook is another delivery.
      assert.equal((await t.deliver('push', pushPayload(), { id: 'push-once', hook: '100' })).status, 202);
      assert.equal(t.serving.store.listRuns().length, before + 2);
    });

    const ignored: [string, string, unknown, RegExp][] = [
      ['a push to another branch', 'push', pushPayload({ ref: 'refs/heads/feature' }), /refs\/heads\/feature/],
      ['a tag', 'push', pushPayload({ ref: 'refs/tags/v1.0.0' }), /tag/],
      ['a branch deletion', 'push', pushPayload({ deleted: true, after: '0'.repeat(40) }), /deletion/],
      ['workflow_job queued', 'workflow_job', workflowJobPayload('queued', null), /queued/],
      ['workflow_job in_progress', 'workflow_job', workflowJobPayload('in_progress', null), /in_progress/],
      ['workflow_job completed with failure', 'workflow_job', workflowJobPayload('completed', 'failure'), /failure/],
      ['an event railyard does not handle', 'issues', { action: 'opened' }, /issues/],
    ];
    for (const [name, event, payload, reason] of ignored) {
      it(`ignores ${name} with 200 and the reason, creating nothing`, async () => {
        const before = t.serving.store.listRuns().length;
        const answer = await t.deliver(event, payload, { path: '/hook?project=alpha' });
        assert.equal(answer.status, 200, answer.text);
        assert.match(answer.json<{ ignored: string }>().ignored, reason);
        assert.equal(t.serving.store.listRuns().length, before);
      });
    }

    it('enqueues exactly one update for workflow_job completed+success: the service named by the job', async () => {
      const before = t.serving.store.listRuns({ limit: 1000 }).length;
      const answer = await t.deliver('workflow_job', workflowJobPayload('completed', 'success', 'worker'), { path: '/hook?project=alpha' });
      assert.equal(answer.status, 202, answer.text);
      const body = answer.json<{ runId: string; project: string; service: string }>();
      assert.deepEqual([body.project, body.service], ['alpha', 'worker']);
      const runs = t.serving.store.listRuns({ limit: 1000 });
      assert.equal(runs.length, before + 1);
      assert.deepEqual([runs[0]!.pipeline, runs[0]!.trigger.kind, runs[0]!.trigger.meta?.['pull']], ['update', 'workflow_job', true]);
    });

    it('updates ?service= when given, and the whole project when the job names no service', async () => {
      const named = await t.deliver('workflow_job', workflowJobPayload('completed', 'success', 'worker'), { path: '/hook?project=alpha&service=web' });
      assert.equal(named.json<{ service: string }>().service, 'web');
      const whole = await t.deliver('workflow_job', workflowJobPayload('completed', 'success', 'build'), { path: '/hook?project=beta' });
      assert.deepEqual([whole.status, whole.json<{ service: unknown }>().service], [202, null]);
    });

    it('needs ?project= for workflow_job (400), and a project and service of db.yml (404)', async () => {
      const success = workflowJobPayload('completed', 'success');
      assert.equal((await t.deliver('workflow_job', success)).status, 400);
      assert.equal((await t.deliver('workflow_job', success, { path: '/hook?project=..%2Fx' })).status, 400);
      assert.equal((await t.deliver('workflow_job', success, { path: '/hook?project=gamma' })).status, 404);
      assert.equal((await t.deliver('workflow_job', success, { path: '/hook?project=alpha&service=db' })).status, 404);
    });
  });

  it('answers 202 while the job is still blocked, and never waits for the deploy', async () => {
    await t.idle();
    let release!: () => void;
    t.hold.blocker = new Promise((resolve) => {
      release = resolve;
    });
    try {
      const first = await t.deliver('push', pushPayload({ after: 'd'.repeat(40) }));
      assert.equal(first.status, 202);
      await until(() => t.serving.store.getRun(first.json<{ runId: string }>().runId)?.status === 'running', 5000, 'the sync to start');
      const started = Date.now();
      const second = await t.deliver('workflow_job', workflowJobPayload('completed', 'success', 'web'), { path: '/hook?project=alpha' });
      assert.equal(second.status, 202);
      const update = await t.request('/update-upstream/beta', { headers: { 'x-api-key': API_KEY } });
      assert.equal(update.status, 202);
      assert.ok(Date.now() - started < 2000, 'answered without waiting');
      assert.equal(t.serving.store.getRun(first.json<{ runId: string }>().runId)?.status, 'running', 'the job is still blocked');
    } finally {
      t.hold.blocker = undefined;
      release();
    }
  });

  it('remembers deliveries across restarts', async () => {
    const first = await startTestServer();
    const payload = pushPayload({ after: 'e'.repeat(40) });
    const accepted = await first.deliver('push', payload, { id: 'across-restarts' });
    assert.equal(accepted.status, 202);
    await first.close();
    const second = await startTestServer({ root: first.root });
    try {
      const again = await second.deliver('push', payload, { id: 'across-restarts' });
      assert.deepEqual([again.status, again.json()], [200, { duplicate: true, runId: accepted.json<{ runId: string }>().runId }]);
      assert.equal(second.serving.store.listRuns().filter((r) => r.trigger.kind === 'push').length, 1);
    } finally {
      await second.close();
    }
  });

  it('with REPO_URL, acts only on pushes to that repository', async () => {
    const repo = await startTestServer({ environ: { REPO_URL: 'https://github.com/acme/config.git', REPO_BRANCH: 'live' } });
    try {
      const other = await repo.deliver('push', pushPayload({ repo: 'acme/other', ref: 'refs/heads/live' }));
      assert.equal(other.status, 200);
      assert.match(other.json<{ ignored: string }>().ignored, /acme\/other/);
      assert.equal((await repo.deliver('push', pushPayload({ repo: 'acme/config', ref: 'refs/heads/main' }))).status, 200, 'main is not REPO_BRANCH');
      assert.equal((await repo.deliver('push', pushPayload({ repo: 'Acme/Config', ref: 'refs/heads/live' }))).status, 202);
    } finally {
      await repo.close();
    }
  });

  it('answers 503 on /hook when neither GITHUB_WEBHOOK_SECRET nor API_KEY is set', async () => {
    const open = await startTestServer({ environ: { API_KEY: '', GITHUB_WEBHOOK_SECRET: '' } });
    try {
      const answer = await open.deliver('ping', { zen: 'z' });
      assert.deepEqual([answer.status, answer.json<{ error: { code: string } }>().error.code], [503, 'AUTH_NOT_CONFIGURED']);
    } finally {
      await open.close();
    }
  });

  it('signs with API_KEY when GITHUB_WEBHOOK_SECRET is not set', async () => {
    const fallback = await startTestServer({ environ: { GITHUB_WEBHOOK_SECRET: '' } });
    try {
      assert.equal((await fallback.deliver('ping', { zen: 'z' }, { secret: API_KEY })).status, 200);
      assert.equal((await fallback.deliver('ping', { zen: 'z' }, { secret: WEBHOOK_SECRET })).status, 401);
    } finally {
      await fallback.close();
    }
  });
});
