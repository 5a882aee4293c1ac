// Issue 12 item 5, against the real server: who may name its own address
// (TRUSTED_PROXIES), and how much memory strangers' bodies may hold.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import { API_KEY, pushPayload, startTestServer, TEST_DB, WEBHOOK_SECRET } from '../helpers/hook-server.ts';
import { request } from '../helpers/http.ts';
import { tempRoot } from '../helpers/runner.ts';
import { spawnServe } from '../helpers/serve-process.ts';

describe('X-Forwarded-For and TRUSTED_PROXIES', () => {
  it('believes the header only from a trusted proxy: a direct client can neither pass the allowlist nor name another address', async () => {
    const cidrs = { HOOK_ALLOWED_CIDRS: '10.8.0.0/24', TRUST_PROXY: 'true' };
    const direct = await startTestServer({ environ: { ...cidrs, TRUSTED_PROXIES: '192.0.2.10/32' }, rateLimit: { failures: 2 } });
    const proxied = await startTestServer({ environ: cidrs });
    try {
      const forged = { 'x-forwarded-for': '10.8.0.5' };
      // The peer (127.0.0.1) is no trusted proxy here: its header is ignored, so it is refused as itself.
      assert.equal((await direct.request('/healthz', { headers: forged })).status, 403);
      // Behind the default TRUSTED_PROXIES (loopback), the proxy's entry counts, read from the right past trusted hops.
      assert.equal((await proxied.request('/healthz', { headers: forged })).status, 200);
      assert.equal((await proxied.request('/healthz', { headers: { 'x-forwarded-for': '10.8.0.5, 127.0.0.1' } })).status, 200);
      assert.equal((await proxied.request('/healthz', { headers: { 'x-forwarded-for': '10.8.0.5, 203.0.113.7' } })).status, 403);
    } finally {
      await Promise.all([direct.close(), proxied.close()]);
    }
  });

  it('lets no direct client lock out an address it names', async () => {
    const t = await startTestServer({ environ: { TRUST_PROXY: 'true', TRUSTED_PROXIES: '192.0.2.10/32' }, rateLimit: { failures: 2 } });
    try {
      for (let i = 0; i < 4; i += 1) await t.request('/api/runs', { headers: { 'x-api-key': 'wrong-key', 'x-forwarded-for': '10.8.0.9' } });
      // The failures were counted against the peer itself, not 10.8.0.9.
      assert.equal(t.serving.store.listRuns().length, 0);
      assert.equal((await t.request('/api/runs', { headers: { 'x-api-key': 'wrong-key', 'x-forwarded-for': '10.8.0.9' } })).status, 429);
      assert.deepEqual(t.lines.filter((l) => l.includes('"status":429')).map((l) => (JSON.parse(l) as { source: string }).source).at(-1), '127.0.0.1');
    } finally {
      await t.close();
    }
  });
});

/** Starts an upload to /hook that declares (or, chunked, does not declare) 5 MiB, sends `send` bytes, and holds the connection. */
function hold(url: string, options: { send: number; chunked: boolean; from: string }): Promise<{ status: number | undefined; destroy(): void }> {
  const { port } = new URL(url);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': `d-${Math.random()}`,
    'x-hub-signature-256': `sha256=${'0'.repeat(64)}`, 'x-forwarded-for': options.from,
    ...(options.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': 5 * 1024 * 1024 }),
  };
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/hook', headers, agent: false });
    let status: number | undefined;
    const result = { get status() { return status; }, destroy: () => req.destroy() };
    req.on('response', (res) => {
      status = res.statusCode;
      res.resume();
    });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(options.send, 0x20), () => resolve(result));
  });
}

/** The resident set of a process, from the kernel. */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024);
}

describe('memory held by unsigned /hook bodies', () => {
  it('400 unsigned uploads hold at most HOOK_UNAUTH_MEMORY in a real serve; the rest get 503 at once, and the memory comes back', async () => {
    const root = await tempRoot('railyard-unauth-');
    await writeFile(join(root, 'db.yml'), TEST_DB);
    // Each upload comes "from" its own address through the trusted loopback proxy: the total cap is what is tested.
    const serve = spawnServe({ root, environ: { API_KEY, GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, TRUST_PROXY: 'true', LOG_LEVEL: 'info' } });
    const uploads: Awaited<ReturnType<typeof hold>>[] = [];
    try {
      const url = await serve.url;
      const pid = serve.child.pid!;
      const before = await rssMiB(pid);
      for (let batch = 0; batch < 400; batch += 50) {
        const started = Array.from({ length: 50 }, (_, j) => batch + j).map((i) =>
          hold(url, { send: 1024 * 1024, chunked: i % 2 === 1, from: `10.9.${i >> 8}.${i & 255}` }));
        uploads.push(...(await Promise.all(started)));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      const during = await rssMiB(pid);
      const refused = uploads.filter((u) => u.status === 503).length;
      for (const upload of uploads) upload.destroy();
      await new Promise((resolve) => setTimeout(resolve, 500));
      const afterwards = await rssMiB(pid);
      console.log(`# serve RSS under 400 unsigned uploads (1 MiB sent each, held open): ${before} MiB before, ${during} MiB during, ${afterwards} MiB after they closed; ${refused} refused with 503`);
      // HOOK_UNAUTH_MEMORY is 32 MiB by default: at most 6 of the 5 MiB declarations, and ~32 chunked MiB.
      assert.ok(refused >= 350, `${refused} refused`);
      assert.ok(during - before < 100, `RSS grew by ${during - before} MiB`);
      // Every lease was given back: a signed delivery of 4 MiB from one of those addresses is read and accepted.
      const body = JSON.stringify({ ...pushPayload(), padding: ' '.repeat(4 * 1024 * 1024) });
      const answer = await request(url, '/hook', {
        method: 'POST', body,
        headers: {
          'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'after-the-flood',
          'x-hub-signature-256': await sign(WEBHOOK_SECRET, body), 'x-forwarded-for': '10.9.0.1',
        },
      });
      assert.equal(answer.status, 202, answer.text);
    } finally {
      for (const upload of uploads) upload.destroy();
      await serve.stop();
    }
  });
});
