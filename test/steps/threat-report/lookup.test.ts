import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startAbuseIpdbServer } from '../../helpers/threat-apis.ts';
import { ABUSEIPDB_KEY, readRows, runThreatReport, startThreatStack } from '../../helpers/threat-report.ts';

const FIVE = ['45.33.32.1', '45.33.32.2', '45.33.32.3', '45.33.32.4', '45.33.32.5'];
const ipOf = (url: string): string => new URL(url, 'http://x').searchParams.get('ipAddress') ?? '';

describe('threat-lookup', () => {
  it('honours a 429 Retry-After from AbuseIPDB, then fills the row', async () => {
    const stack = await startThreatStack('45.33.32.156\n', {
      abuseipdb: { throttle: { ips: ['45.33.32.156'], retryAfter: '1' }, reports: { '45.33.32.156': { abuseConfidenceScore: 42 } } },
    });
    try {
      const { run } = await runThreatReport(stack.root, stack.environ);
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      const [first, second] = stack.abuseipdb.requests;
      assert.equal(stack.abuseipdb.requests.length, 2);
      assert.ok(first && second && second.at - first.at >= 1000, 'the retry waited for Retry-After');
      assert.equal((await readRows(stack.report))[0]?.['abuse_score'], '42');
    } finally {
      await stack.close();
    }
  });

  it('keeps partial results when the daily quota runs out, marks the rest pending, and finishes them next run', async () => {
    const stack = await startThreatStack(`${FIVE.join('\n')}\n`, { abuseipdb: { quota: 2 } });
    const fresh = await startAbuseIpdbServer({ key: ABUSEIPDB_KEY });
    try {
      const { run } = await runThreatReport(stack.root, { ...stack.environ, THREAT_CONCURRENCY: '2' });
      assert.equal(run.status, 'succeeded', 'a used-up quota is not a failure');
      const rows = await readRows(stack.report);
      assert.deepEqual(rows.map((r) => r['ip']), FIVE, 'every blacklisted IP has a row');
      const done = rows.filter((r) => r['abuse_score'] === '0');
      const pending = rows.filter((r) => r['abuse_score'] === 'pending');
      assert.equal(done.length, 2);
      assert.equal(pending.length, 3);
      for (const r of done) assert.equal(r['domain'], '(no reverse DNS)');
      for (const r of pending) assert.deepEqual([r['domain'], r['org_name'], r['first_seen'] !== ''], ['', '', true]);

      const { run: next } = await runThreatReport(stack.root, { ...stack.environ, ABUSEIPDB_BASE_URL: fresh.url });
      assert.equal(next.status, 'succeeded');
      assert.deepEqual(fresh.requests.map((r) => ipOf(r.url)).sort(), pending.map((r) => r['ip']).sort(), 'only the pending IPs');
      const after = await readRows(stack.report);
      assert.ok(after.every((r) => r['abuse_score'] === '0'));
      for (const r of pending) assert.equal(after.find((a) => a['ip'] === r['ip'])?.['first_seen'], r['first_seen']);
    } finally {
      await Promise.all([stack.close(), fresh.close()]);
    }
  });

  it('fails the run with THREAT_LOOKUP_FAILED when the key is refused, after writing what it has', async () => {
    const stack = await startThreatStack('45.33.32.1\n45.33.32.2\n');
    try {
      const { run, steps } = await runThreatReport(stack.root, { ...stack.environ, ABUSEIPDB_API_KEY: 'revoked-key-0000' });
      assert.equal(run.status, 'failed');
      assert.deepEqual({ step: run.error?.step, code: run.error?.code }, { step: 'threat-write', code: 'THREAT_LOOKUP_FAILED' });
      assert.deepEqual(steps.map((s) => s.status), ['succeeded', 'succeeded', 'succeeded', 'failed']);
      assert.deepEqual((await readRows(stack.report)).map((r) => r['abuse_score']), ['pending', 'pending']);
      assert.ok(!(await readFile(stack.report, 'utf8')).includes('revoked-key'), 'no key in the report');
      assert.ok(!JSON.stringify(run).includes('revoked-key'), 'no key in the run record');
    } finally {
      await stack.close();
    }
  });

  it('leaves the AbuseIPDB columns empty without ABUSEIPDB_API_KEY, as itsUP', async () => {
    const stack = await startThreatStack('45.33.32.1\n');
    try {
      const { ABUSEIPDB_API_KEY: _key, ...environ } = stack.environ;
      const { run } = await runThreatReport(stack.root, environ);
      assert.equal(run.status, 'succeeded');
      assert.equal(stack.abuseipdb.requests.length, 0);
      const [row] = await readRows(stack.report);
      assert.deepEqual([row?.['abuse_score'], row?.['domain']], ['', '(no reverse DNS)']);
    } finally {
      await stack.close();
    }
  });
});
