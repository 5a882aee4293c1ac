// `railyard routes` without an engine: image-less routes are dialled from the host netns, and with
// TRAEFIK_API_URL the routers are compared with what Traefik loaded. Traefik cannot run here: the
// API is a local HTTP server answering in the shapes of Traefik's documented /api/* endpoints.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startLocalServer } from '../helpers/local-server.ts';

const BIN = new URL('../../bin/railyard.js', import.meta.url).pathname;

describe('railyard routes', async () => {
  const backend = await startLocalServer((_req, res) => void res.end('ok'));
  const port = Number(new URL(backend.url).port);
  const traefik = await startLocalServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'x-next-page': '1' });
    // Traefik has loaded the up.example.com router only; gone.example.com's router is missing.
    res.end(req.url?.startsWith('/api/http/routers') ? JSON.stringify([{ name: `ext-127-0-0-1-${port}@file`, status: 'enabled', service: `ext-127-0-0-1-${port}` }]) : '[]');
  });
  after(async () => Promise.all([backend.close(), traefik.close()]));
  const root = await mkdtemp(join(tmpdir(), 'railyard-routes-cli-'));
  await writeFile(join(root, 'db.yml'), [
    'projects:',
    '  - name: ext',
    '    services:',
    '      - host: 127.0.0.1',
    '        ingress:',
    `          - domain: up.example.com\n            port: ${port}`,
    '          - domain: gone.example.com\n            port: 1',
    '',
  ].join('\n'));
  const run = (args: string[], env: Record<string, string> = {}) =>
    execa(process.execPath, [BIN, '--root', root, 'routes', ...args], { reject: false, env: { LOG_LEVEL: 'warn', DOCKER_HOST: 'unix:///nonexistent.sock', ...env }, extendEnv: false });

  it('prints one line per router with the address it dials and whether it answers', async () => {
    const result = await run([]);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^alive +http ext-127-0-0-1-${port} +web-secure +Host\\(\`up\\.example\\.com\`\\) +priority 22 +→ 127\\.0\\.0\\.1:${port} +accepts tcp$`, 'm'));
    assert.match(result.stdout, /^dead +http ext-127-0-0-1-1 .*→ 127\.0\.0\.1:1 +tcp 127\.0\.0\.1:1: ECONNREFUSED$/m);
    assert.match(result.stderr, /warning: 1 dead route\(s\): ext-127-0-0-1-1/);
    assert.equal((await run(['--strict'])).exitCode, 1);
  });

  it('with TRAEFIK_API_URL, says which routers Traefik has not loaded', async () => {
    const result = await run(['--json'], { TRAEFIK_API_URL: traefik.url });
    assert.equal(result.exitCode, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { lines: { router: string; status: string; traefik?: string[] }[] };
    const byName = new Map(report.lines.map((l) => [l.router, l]));
    assert.equal(byName.get(`ext-127-0-0-1-${port}`)?.traefik, undefined);
    assert.equal(byName.get(`ext-127-0-0-1-${port}`)?.status, 'alive');
    assert.deepEqual(byName.get('ext-127-0-0-1-1')?.traefik, ['router ext-127-0-0-1-1@file is not loaded by Traefik']);
  });
});
