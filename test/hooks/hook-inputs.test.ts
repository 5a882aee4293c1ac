// Issue 12 item 7 (and the masking of item 5), against the real server:
// deliveries GitHub really sends, odd bodies, HEAD probes, a locked store,
// and secrets quoted by errors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { API_KEY, pushPayload, startTestServer, WEBHOOK_SECRET, workflowJobPayload, type TestServer } from '../helpers/hook-server.ts';
import { until } from '../helpers/runner.ts';

type Failure = { error: { code: string; message: string } };

describe('hook inputs', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ rateLimit: { failures: 1000 } });
  });
  after(() => t.close());

  it('ignores queued and in_progress workflow jobs without ?project=; a completed one is told "?project= is required"', async () => {
    for (const action of ['queued', 'in_progress', 'waiting']) {
      const answer = await t.deliver('workflow_job', workflowJobPayload(action, null));
      assert.equal(answer.status, 200, `${action}: ${answer.text}`);
      assert.match(answer.json<{ ignored: string }>().ignored, new RegExp(action));
    }
    assert.equal((await t.deliver('workflow_job', workflowJobPayload('completed', 'failure'))).status, 200);
    const success = await t.deliver('workflow_job', workflowJobPayload('completed', 'success'));
    assert.equal(success.status, 400);
    assert.match(success.json<Failure>().error.message, /\?project= is required/);
    assert.equal(t.serving.store.listRuns().length, 0);
  });

  it('answers 400, not 500, for signed workflow_job payloads of the wrong shape', async () => {
    const shapes: unknown[] = [
      { action: { toString: 'x' }, workflow_job: {} },
      { action: ['completed'], workflow_job: {} },
      { action: 7 },
      { action: 'completed', workflow_job: null },
      { action: 'completed', workflow_job: 'success' },
      { action: 'completed', workflow_job: { conclusion: { valueOf: 1 } } },
    ];
    for (const shape of shapes) {
      const answer = await t.deliver('workflow_job', shape, { path: '/hook?project=alpha' });
      assert.ok(answer.status === 400 || answer.status === 200, `${JSON.stringify(shape)}: ${answer.status} ${answer.text}`);
      if (answer.status === 400) assert.equal(answer.json<Failure>().error.code, 'PAYLOAD_INVALID');
    }
    assert.equal(t.serving.store.listRuns().length, 0);
  });

  it('accepts a body that starts with a UTF-8 byte order mark', async () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(pushPayload({ after: 'c'.repeat(40) })))]);
    const exact = await t.request('/hook', {
      method: 'POST', body,
      headers: {
        'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'bom-2',
        'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`,
      },
    });
    assert.equal(exact.status, 202, exact.text);
    await t.idle();
  });

  it('answers HEAD /healthz like GET, without a body; other routes still 405 a HEAD', async () => {
    const head = await t.request('/healthz', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.ok(Number(head.headers['content-length']) > 0);
    const other = await t.request('/update-upstream/alpha', { method: 'HEAD', headers: { 'x-api-key': API_KEY } });
    assert.equal(other.status, 405);
    assert.match(String((await t.request('/healthz', { method: 'POST' })).headers['allow']), /HEAD/);
  });

  it('answers 503 STORE_FAILED with Retry-After, not 500, when the run store fails under a request', async () => {
    const accepted = await t.request('/update-upstream/alpha', { headers: { 'x-api-key': API_KEY } });
    const { runId } = accepted.json<{ runId: string }>();
    await t.idle();
    // Another process breaks the store under the server (a table the idle runner does not touch).
    const other = new Database(join(t.root, 'data', 'railyard.db'));
    try {
      other.exec('DROP TABLE run_logs');
    } finally {
      other.close();
    }
    const answer = await t.request(`/api/runs/${runId}/log`, { headers: { 'x-api-key': API_KEY, accept: 'text/plain' } });
    assert.equal(answer.status, 503, answer.text);
    assert.equal(answer.json<Failure>().error.code, 'STORE_FAILED');
    assert.ok(Number(answer.headers['retry-after']) >= 1);
  });
});

describe('secrets in answers and stored errors', () => {
  it('masks railyard\'s secrets in the 503 CONFIG_INVALID body and in a run\'s stored error', async () => {
    // A db.yml that quotes the API key where it is wrong: the problem line would quote it back.
    const t = await startTestServer({ db: `projects:\n  - name: alpha\n    services:\n      - host: web\n        image: x\n        restart: ${API_KEY}\n        stateless: ${API_KEY}\n` });
    try {
      const answer = await t.request('/update-upstream/alpha', { headers: { 'x-api-key': API_KEY } });
      assert.equal(answer.status, 503, answer.text);
      assert.equal(answer.json<Failure>().error.code, 'CONFIG_INVALID');
      assert.ok(!answer.text.includes(API_KEY), answer.text);
      assert.match(answer.text, /\[redacted\]/);
    } finally {
      await t.close();
    }
    const s = await startTestServer();
    try {
      s.hold.failure = { code: 'GIT_UNREACHABLE', message: `git said: fatal: https://x:${WEBHOOK_SECRET}@example.com refused ${API_KEY}` };
      const accepted = await s.request('/update-upstream/alpha', { headers: { 'x-api-key': API_KEY } });
      const { runId } = accepted.json<{ runId: string }>();
      await until(() => s.serving.store.getRun(runId)?.status === 'failed', 5000, 'the run to fail');
      const stored = s.serving.store.getRun(runId)!;
      assert.ok(!JSON.stringify(stored).includes(API_KEY) && !JSON.stringify(stored).includes(WEBHOOK_SECRET), JSON.stringify(stored.error));
      const shown = await s.request(`/api/runs/${runId}`, { headers: { 'x-api-key': API_KEY } });
      assert.ok(!shown.text.includes(API_KEY), shown.text);
    } finally {
      s.hold.failure = undefined;
      await s.close();
    }
  });
});
