import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_LINES, API_KEY, WEBHOOK_SECRET, assertNoSecrets, startTestServer, type TestServer } from '../helpers/hook-server.ts';

const WRONG_KEY = 'wrong-key-5e2a77c1d0';

describe('GET /update-upstream', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ rateLimit: { failures: 1000 } });
  });
  after(async () => {
    await t.close();
    assertNoSecrets(ALL_LINES, [API_KEY, WEBHOOK_SECRET, WRONG_KEY]);
  });

  it('accepts the API key as Bearer, X-API-KEY and ?apikey=, and answers 202 with the run', async () => {
    const answers = [
      await t.request('/update-upstream?project=alpha&service=web', { headers: { authorization: `Bearer ${API_KEY}` } }),
      await t.request('/update-upstream/alpha/web', { headers: { 'x-api-key': API_KEY } }),
      await t.request(`/update-upstream/beta?apikey=${API_KEY}`),
    ];
    assert.deepEqual(answers.map((a) => a.status), [202, 202, 202]);
    const [first, second, third] = answers.map((a) => a.json<{ runId: string; project: string; service: string | null; status: string }>());
    assert.deepEqual([first!.project, first!.service], ['alpha', 'web']);
    assert.ok(['queued', 'superseded'].includes(second!.status));
    assert.deepEqual([third!.project, third!.service], ['beta', null]);
    const run = t.serving.store.getRun(third!.runId)!;
    assert.deepEqual([run.pipeline, run.trigger.kind], ['update', 'update-upstream']);
  });

  const refused: [string, Record<string, string>, string][] = [
    ['a wrong key', { 'x-api-key': WRONG_KEY }, ''],
    ['an empty key', { 'x-api-key': '' }, ''],
    ['an empty Bearer', { authorization: 'Bearer ' }, ''],
    ['an empty ?apikey=', {}, '&apikey='],
    ['a wrong ?apikey=', {}, `&apikey=${WRONG_KEY}`],
    ['no key', {}, ''],
    ['Basic auth', { authorization: `Basic ${Buffer.from(`x:${API_KEY}`).toString('base64')}` }, ''],
  ];
  for (const [name, headers, query] of refused) {
    it(`refuses ${name} with 401 and touches nothing`, async () => {
      const before = t.serving.store.listRuns({ limit: 1000 }).length;
      const answer = await t.request(`/update-upstream?project=alpha${query}`, { headers });
      assert.equal(answer.status, 401);
      assert.equal(answer.json<{ error: { code: string } }>().error.code, 'AUTH_FAILED');
      assert.equal(t.serving.store.listRuns({ limit: 1000 }).length, before);
    });
  }

  it('answers 404 for an unknown project or service', async () => {
    for (const path of ['/update-upstream/gamma', '/update-upstream?project=gamma', '/update-upstream/alpha/db', '/update-upstream?project=beta&service=web']) {
      const answer = await t.request(path, { headers: { 'x-api-key': API_KEY } });
      assert.equal(answer.status, 404, path);
      assert.match(answer.json<{ error: { code: string } }>().error.code, /^(PROJECT|SERVICE)_NOT_FOUND$/);
    }
  });

  const long = 'a'.repeat(300);
  const badNames: [string, string][] = [
    ['../x in the path', '/update-upstream/../x'],
    ['../x as ?project=', '/update-upstream?project=../x'],
    ['%2e%2e%2f in the path', '/update-upstream/%2e%2e%2f'],
    ['%2e%2e%2f as ?project=', '/update-upstream?project=%2e%2e%2f'],
    ['-rf', '/update-upstream/-rf'],
    ['-rf as ?service=', '/update-upstream?project=alpha&service=-rf'],
    ['a NUL byte', '/update-upstream/alpha%00'],
    ['a NUL byte as ?project=', '/update-upstream?project=alpha%00x'],
    ['a 300-character name', `/update-upstream/${long}`],
    ['a 300-character ?service=', `/update-upstream?project=alpha&service=${long}`],
    ['bad percent-encoding', '/update-upstream/%E0%A4%A'],
    ['no project at all', '/update-upstream'],
  ];
  for (const [name, path] of badNames) {
    it(`answers 400 for ${name}, and touches nothing`, async () => {
      const before = t.serving.store.listRuns({ limit: 1000 }).length;
      const answer = await t.request(path, { headers: { 'x-api-key': API_KEY } });
      assert.equal(answer.status, 400, `${path}: ${answer.text}`);
      assert.equal(answer.json<{ error: { code: string } }>().error.code, 'NAME_INVALID');
      assert.equal(t.serving.store.listRuns({ limit: 1000 }).length, before);
    });
  }

  it('rate-limits failures per source: wrong keys get 429 with Retry-After, the right key and a signed delivery always pass', async () => {
    const limited = await startTestServer({ rateLimit: { failures: 3, windowMs: 1500 } });
    try {
      for (let i = 0; i < 3; i += 1) assert.equal((await limited.request('/update-upstream/alpha', { headers: { 'x-api-key': WRONG_KEY } })).status, 401);
      const blocked = await limited.request('/update-upstream/alpha', { headers: { 'x-api-key': WRONG_KEY } });
      assert.equal(blocked.status, 429);
      assert.ok(Number(blocked.headers['retry-after']) >= 1);
      assert.equal((await limited.deliver('ping', { zen: 'z' }, { secret: 'not-the-secret' })).status, 429, 'badly signed webhooks from that source too');
      // Issue 12: one bad try every few seconds from behind a NAT must not lock out those with the key.
      assert.equal((await limited.request('/update-upstream/alpha', { headers: { 'x-api-key': API_KEY } })).status, 202, 'the right key passes');
      assert.equal((await limited.deliver('ping', { zen: 'z' })).status, 200, 'a signed delivery passes');
      assert.equal((await limited.request('/healthz')).status, 200, 'open endpoints are not limited');
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.equal((await limited.request('/update-upstream/alpha', { headers: { 'x-api-key': WRONG_KEY } })).status, 401, 'a token earned back');
    } finally {
      await limited.close();
    }
  });

  it('answers 503 on every authenticated route when API_KEY is not set, and fails open nowhere', async () => {
    const open = await startTestServer({ environ: { API_KEY: '' } });
    try {
      const routes: [string, string][] = [
        ['GET', '/update-upstream/alpha'], ['GET', '/update-upstream?project=alpha'], ['GET', '/api/runs'], ['GET', '/api/runs/1'],
        ['GET', '/api/runs/1/log'], ['GET', '/api/projects'], ['POST', '/api/projects/alpha/deploy'], ['GET', '/metrics'],
      ];
      for (const [method, path] of routes) {
        for (const headers of [{}, { 'x-api-key': '' }, { authorization: 'Bearer anything' }]) {
          const answer = await open.request(path, { method, headers });
          assert.equal(answer.status, 503, `${method} ${path}`);
          assert.equal(answer.json<{ error: { code: string } }>().error.code, 'AUTH_NOT_CONFIGURED');
        }
      }
      assert.equal(open.serving.store.listRuns().length, 0);
      assert.ok(open.lines.some((l) => l.includes('"level":50') && l.includes('API_KEY is not set')), 'start-up logs an error');
    } finally {
      await open.close();
    }
  });

  it('answers 503 while no valid db.yml was ever loaded', async () => {
    const empty = await startTestServer({ db: null, environ: { REPO_URL: 'https://github.com/acme/config.git' } });
    try {
      const answer = await empty.request('/update-upstream/alpha', { headers: { 'x-api-key': API_KEY } });
      assert.deepEqual([answer.status, answer.json<{ error: { code: string } }>().error.code], [503, 'CONFIG_NOT_FOUND']);
    } finally {
      await empty.close();
    }
  });
});
