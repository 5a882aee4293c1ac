// Traefik cannot run here (no image, no binary): these tests talk to a local HTTP server that
// answers in the shapes of Traefik's documented API (/api/http/routers, /api/tcp/routers,
// /api/udp/routers, /api/http/services, /api/{http,tcp,udp}/services/{name}; lists paginated with
// page/per_page and an X-Next-Page header that points back to 1 on the last page).
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { compareWithTraefik } from '../../app/route-compare.ts';
import type { RouteLine } from '../../app/route-report.ts';
import { isRailyardError } from '../../core/errors.ts';
import { loadTraefikState, waitForServers } from '../../runtime/traefik-api.ts';
import { startLocalServer, type LocalServer } from '../helpers/local-server.ts';

let server: LocalServer | undefined;
afterEach(async () => server?.close());

function json(res: ServerResponse, body: unknown, nextPage = 1): void {
  res.writeHead(200, { 'content-type': 'application/json', 'x-next-page': String(nextPage) });
  res.end(JSON.stringify(body));
}

const router = (name: string, extra: Record<string, unknown> = {}) => ({ name, provider: name.split('@')[1], status: 'enabled', service: name.split('@')[0], ...extra });

/** A Traefik that has loaded two http routers (over two pages), one in error, and a service with a server down. */
async function traefik(seen: string[] = []): Promise<string> {
  server = await startLocalServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${url.pathname}${url.search} ${req.headers.authorization ?? ''}`);
    if (url.pathname === '/api/http/routers') {
      if (url.searchParams.get('page') === '1') return json(res, [router('shop-web-3000@docker')], 2);
      return json(res, [router('itsup-1-2-3-4-80@file', { status: 'disabled', error: ['the service "itsup-1-2-3-4-80@file" does not exist'] })]);
    }
    if (url.pathname === '/api/tcp/routers') return json(res, []);
    if (url.pathname === '/api/udp/routers') return json(res, [router('vpn-openvpn-1194@docker')]);
    if (url.pathname === '/api/http/services') {
      return json(res, [{ name: 'shop-web-3000@docker', status: 'enabled', loadBalancer: { servers: [{ url: 'http://172.20.0.3:3000' }, { url: 'http://172.20.0.4:3000' }] }, serverStatus: { 'http://172.20.0.3:3000': 'UP', 'http://172.20.0.4:3000': 'DOWN' } }]);
    }
    res.writeHead(404).end();
  });
  return server.url.replace(/\/$/, '');
}

const line = (router: string, kind: RouteLine['kind'], via: RouteLine['via']): RouteLine => ({
  router, kind, via, entryPoint: 'web-secure', rule: undefined, priority: undefined, backends: [], status: 'alive', detail: 'accepts tcp',
});

describe('Traefik API comparison', () => {
  it('reads every page, and reports missing routers, routers in error and servers down', async () => {
    const seen: string[] = [];
    const url = await traefik(seen);
    const state = await loadTraefikState(url.replace('http://', 'http://admin:s3cret@'));
    assert.ok(seen.some((s) => s.startsWith('/api/http/routers?page=2&per_page=100')), 'followed X-Next-Page');
    assert.ok(seen.every((s) => s.endsWith(`Basic ${Buffer.from('admin:s3cret').toString('base64')}`)), 'URL credentials sent as basic auth');
    const lines = compareWithTraefik([
      line('shop-web-3000', 'http', 'labels'),
      line('itsup-1-2-3-4-80', 'http', 'file'),
      line('minio-app-9000', 'tcp', 'labels'),
      line('vpn-openvpn-1194', 'udp', 'labels'),
    ], state);
    assert.deepEqual(lines.map((l) => [l.router, l.status, l.traefik]), [
      ['shop-web-3000', 'alive', ['Traefik has server(s) down: http://172.20.0.4:3000']],
      ['itsup-1-2-3-4-80', 'dead', ['router itsup-1-2-3-4-80@file is disabled: the service "itsup-1-2-3-4-80@file" does not exist']],
      ['minio-app-9000', 'dead', ['router minio-app-9000@docker is not loaded by Traefik']],
      ['vpn-openvpn-1194', 'alive', undefined],
    ]);
  });

  it('fails with TRAEFIK_API_FAILED when the API is not there', async () => {
    await assert.rejects(loadTraefikState('http://127.0.0.1:1'), (error: unknown) => isRailyardError(error, 'TRAEFIK_API_FAILED'));
  });
});

describe('waitForServers', () => {
  /** A Traefik whose service lists the new server from the `after`th request on, DOWN for `down` more. */
  async function rolling(after: number, down = 0): Promise<{ url: string; calls: () => number }> {
    let calls = 0;
    server = await startLocalServer((req, res) => {
      if (req.url !== '/api/http/services/shop-web-3000%40docker') return void res.writeHead(404).end();
      calls++;
      const servers = [{ url: 'http://172.20.0.3:3000' }, ...(calls >= after ? [{ url: 'http://172.20.0.9:3000' }] : [])];
      const status = calls >= after + down ? 'UP' : 'DOWN';
      json(res, { name: 'shop-web-3000@docker', loadBalancer: { servers }, serverStatus: { 'http://172.20.0.3:3000': 'UP', 'http://172.20.0.9:3000': status } });
    });
    return { url: server.url.replace(/\/$/, ''), calls: () => calls };
  }

  it('resolves once Traefik lists the new container as an up server', async () => {
    const { url, calls } = await rolling(3, 2);
    await waitForServers(url, 'shop-web-3000@docker', ['172.20.0.9:3000'], { timeoutMs: 5000, intervalMs: 20 });
    assert.equal(calls(), 5, 'listed on the 3rd answer, UP on the 5th');
  });

  it('gives up with TRAEFIK_SERVERS_TIMEOUT, naming the missing server', async () => {
    const { url } = await rolling(Number.POSITIVE_INFINITY);
    const started = Date.now();
    await assert.rejects(waitForServers(url, 'shop-web-3000@docker', ['172.20.0.9:3000'], { timeoutMs: 300, intervalMs: 20 }), (error: unknown) =>
      isRailyardError(error, 'TRAEFIK_SERVERS_TIMEOUT') && /172\.20\.0\.9:3000/.test(error.message));
    assert.ok(Date.now() - started < 2000);
  });

  it('stops at once when the signal aborts (a shutdown)', async () => {
    const { url } = await rolling(Number.POSITIVE_INFINITY);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    await assert.rejects(waitForServers(url, 'shop-web-3000@docker', ['172.20.0.9:3000'], { timeoutMs: 10_000, intervalMs: 20, signal: controller.signal }), /shutting down|abort/i);
  });
});
