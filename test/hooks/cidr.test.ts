import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAllowlist } from '../../hooks/cidr.ts';
import { ALL_LINES, API_KEY, WEBHOOK_SECRET, assertNoSecrets, startTestServer } from '../helpers/hook-server.ts';

describe('createAllowlist', () => {
  it('admits addresses inside the CIDRs, IPv4 (also IPv4-mapped) and IPv6, and refuses the rest', () => {
    const list = createAllowlist(['10.8.0.0/24', '127.0.0.1/32', '::1/128', 'fd00::/8']);
    for (const address of ['10.8.0.1', '10.8.0.254', '127.0.0.1', '::ffff:10.8.0.9', '::1', 'fd12:3456::1']) assert.ok(list.allows(address), address);
    for (const address of ['10.8.1.1', '127.0.0.2', '192.168.1.1', '::2', 'fe80::1', '', 'not-an-ip', '/run/socket']) assert.ok(!list.allows(address), address);
    assert.equal(list.restricted, true);
  });

  it('admits every source when no CIDR is configured', () => {
    const list = createAllowlist([]);
    assert.deepEqual([list.restricted, list.allows('203.0.113.9'), list.allows('::1')], [false, true, true]);
  });
});

describe('HOOK_ALLOWED_CIDRS on the server', () => {
  after(() => assertNoSecrets(ALL_LINES, [API_KEY, WEBHOOK_SECRET]));

  it('admits a source in the list', async () => {
    const t = await startTestServer({ environ: { HOOK_ALLOWED_CIDRS: '10.8.0.0/24, 127.0.0.1/32' } });
    try {
      assert.equal((await t.request('/healthz')).status, 200);
      assert.equal((await t.request('/update-upstream/alpha', { headers: { 'x-api-key': API_KEY } })).status, 202);
    } finally {
      await t.close();
    }
  });

  it('refuses other sources with 403 before anything else: routes, auth, body', async () => {
    const t = await startTestServer({ environ: { HOOK_ALLOWED_CIDRS: '10.8.0.0/24' } });
    try {
      for (const [method, path] of [['GET', '/healthz'], ['GET', '/update-upstream/alpha'], ['GET', '/no/such/route'], ['POST', '/hook']] as const) {
        const answer = await t.request(path, { method, headers: { 'x-api-key': API_KEY }, ...(method === 'POST' && { body: '{}' }) });
        assert.equal(answer.status, 403, path);
        assert.equal(answer.json<{ error: { code: string } }>().error.code, 'SOURCE_FORBIDDEN');
      }
      assert.equal(t.serving.store.listRuns().length, 0);
    } finally {
      await t.close();
    }
  });

  it('honours X-Forwarded-For (its last entry) only with TRUST_PROXY', async () => {
    const cidrs = { HOOK_ALLOWED_CIDRS: '10.8.0.0/24' };
    const forwarded = { 'x-forwarded-for': '203.0.113.7, 10.8.0.5' };
    const spoofed = { 'x-forwarded-for': '10.8.0.5, 203.0.113.7' };
    const plain = await startTestServer({ environ: cidrs });
    const proxied = await startTestServer({ environ: { ...cidrs, TRUST_PROXY: 'true' } });
    try {
      assert.equal((await plain.request('/healthz', { headers: forwarded })).status, 403, 'ignored without TRUST_PROXY');
      assert.equal((await proxied.request('/healthz', { headers: forwarded })).status, 200);
      assert.equal((await proxied.request('/healthz', { headers: spoofed })).status, 403, 'only the entry the proxy appended counts');
      assert.equal((await proxied.request('/healthz')).status, 403, 'no header: the peer (127.0.0.1) counts');
    } finally {
      await Promise.all([plain.close(), proxied.close()]);
    }
  });
});
