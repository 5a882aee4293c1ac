import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AbuseIpdb, type AbuseResult } from '../../../steps/threat-report/abuseipdb.ts';
import { createHttpClient, type HttpClient } from '../../../steps/threat-report/http.ts';
import { maxRequestsInWindow, startAbuseIpdbServer, type ApiServer } from '../../helpers/threat-apis.ts';

const KEY = 'test-abuseipdb-key-0123456789';
const signal = new AbortController().signal;
const FAST = { cap: 100, intervalMs: 1000 };

function infoOf(result: AbuseResult) {
  assert.ok('info' in result, `expected an answer, got ${JSON.stringify(result)}`);
  return result.info;
}

describe('AbuseIPDB check', () => {
  let http: HttpClient;
  let api: ApiServer;

  before(async () => {
    http = createHttpClient();
    api = await startAbuseIpdbServer({
      key: KEY,
      reports: {
        '185.220.101.1': { abuseConfidenceScore: 100, totalReports: 1234, usageType: 'Reserved', isTor: true, lastReportedAt: '2024-05-01T10:00:00+00:00' },
      },
    });
  });
  after(async () => {
    await http.close();
    await api.close();
  });

  it('sends the key in the Key header, never the URL, and asks for 90 days', async () => {
    const client = new AbuseIpdb({ http, baseUrl: api.url, apiKey: KEY, rate: FAST });
    const info = infoOf(await client.check('185.220.101.1', signal));
    assert.deepEqual(info, { abuse_score: '100', total_reports: '1234', usage_type: 'Reserved', is_tor: 'Yes', last_reported: '2024-05-01T10:00:00+00:00' });
    assert.deepEqual(infoOf(await client.check('45.33.32.156', signal)), { abuse_score: '0', total_reports: '0', usage_type: '', is_tor: '', last_reported: '' });
    for (const request of api.requests) {
      assert.equal(request.key, KEY);
      assert.ok(!request.url.includes(KEY), request.url);
      assert.match(request.url, /^\/check\?ipAddress=[^&]+&maxAgeInDays=90$/);
    }
  });

  it('stops every later check when the key is refused', async () => {
    const client = new AbuseIpdb({ http, baseUrl: api.url, apiKey: 'wrong-key-0000', rate: FAST });
    const first = await client.check('45.33.32.156', signal);
    assert.deepEqual(first, { stop: { reason: 'refused', message: 'AbuseIPDB refused the API key (HTTP 401)' } });
    const before = api.requests.length;
    assert.ok('stop' in (await client.check('45.33.32.157', signal)));
    assert.equal(api.requests.length, before, 'no request after a refusal');
  });

  it('writes other failures into usage_type, as itsUP', async () => {
    const client = new AbuseIpdb({ http, baseUrl: `${api.url}v1/`, apiKey: KEY, rate: FAST });
    assert.match(infoOf(await client.check('45.33.32.156', signal)).usage_type, /^AbuseIPDB error: HTTP 422 \(The ip address/);
  });

  it('honours Retry-After on a 429 and retries', async () => {
    const throttled = await startAbuseIpdbServer({ key: KEY, throttle: { ips: ['45.33.32.156'], retryAfter: '1' } });
    try {
      const client = new AbuseIpdb({ http, baseUrl: throttled.url, apiKey: KEY, rate: FAST });
      assert.equal(infoOf(await client.check('45.33.32.156', signal)).abuse_score, '0');
      const [first, second] = throttled.requests;
      assert.ok(first && second, 'two requests');
      assert.ok(second.at - first.at >= 1000, `retried after ${second.at - first.at} ms`);
    } finally {
      await throttled.close();
    }
  });

  it('stops once the daily quota is used up: from X-RateLimit-Remaining, or from a daily 429', async () => {
    const limited = await startAbuseIpdbServer({ key: KEY, quota: 2 });
    try {
      const client = new AbuseIpdb({ http, baseUrl: limited.url, apiKey: KEY, rate: FAST });
      infoOf(await client.check('45.33.32.1', signal));
      infoOf(await client.check('45.33.32.2', signal));
      assert.deepEqual(await client.check('45.33.32.3', signal), { stop: { reason: 'quota', message: 'AbuseIPDB daily quota used up' } });
      assert.equal(limited.requests.length, 2, 'remaining 0 was believed: no third request');
      const fresh = new AbuseIpdb({ http, baseUrl: limited.url, apiKey: KEY, rate: FAST });
      const result = await fresh.check('45.33.32.4', signal);
      assert.ok('stop' in result && result.stop.reason === 'quota', JSON.stringify(result));
    } finally {
      await limited.close();
    }
  });

  it('never starts more than the cap in any interval, retries included', async () => {
    const slow = await startAbuseIpdbServer({ key: KEY, latencyMs: 20, throttle: { ips: ['45.33.32.3'], retryAfter: '0' } });
    try {
      const client = new AbuseIpdb({ http, baseUrl: slow.url, apiKey: KEY, rate: { cap: 5, intervalMs: 300 } });
      const started = performance.now();
      await Promise.all(Array.from({ length: 16 }, (_, i) => client.check(`45.33.32.${i}`, signal)));
      assert.equal(slow.requests.length, 17);
      assert.ok(maxRequestsInWindow(slow.requests, 300) <= 5, `max ${maxRequestsInWindow(slow.requests, 300)} in 300 ms`);
      assert.ok(performance.now() - started >= 900, '17 requests at 5 per 300 ms take at least 3 intervals');
    } finally {
      await slow.close();
    }
  });
});
