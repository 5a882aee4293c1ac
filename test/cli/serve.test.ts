import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { assertNoSecrets, TEST_DB } from '../helpers/hook-server.ts';
import { request } from '../helpers/http.ts';
import { tempRoot } from '../helpers/runner.ts';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.ts';

const KEY = 'ry-serve-process-key-93c1';
const NEW_KEY = 'ry-serve-process-key-rotated-77d0';
const auth = (key = KEY) => ({ 'x-api-key': key });

describe('railyard serve (the process)', () => {
  const started: ServeProcess[] = [];
  const keys = [KEY, NEW_KEY];
  after(async () => {
    await Promise.all(started.map((p) => p.stop()));
    assertNoSecrets(started.flatMap((p) => p.lines), keys);
  });
  const start = (options: Parameters<typeof spawnServe>[0]): ServeProcess => {
    const p = spawnServe(options);
    started.push(p);
    return p;
  };

  it('starts on the embedded defaults without Docker: /healthz says so, deploys fail with DOCKER_UNREACHABLE naming the socket; SIGTERM exits 0', async () => {
    const root = await tempRoot('railyard-serve-');
    const p = start({ root, environ: { API_KEY: KEY } });
    const url = await p.url;
    assert.ok(p.lines.some((l) => l.includes('db.yml.sample')), 'warns that the sample stands in');
    assert.deepEqual((await request(url, '/healthz')).json(), { status: 'degraded', docker: { reachable: false }, store: 'ok', queue: { depth: 0, running: 0 } });
    const accepted = await request(url, '/api/projects/whoami/deploy', { method: 'POST', headers: auth() });
    assert.equal(accepted.status, 202, accepted.text);
    const { runId } = accepted.json<{ runId: string }>();
    let run: { status: string; error?: { step: string; code: string; message: string } } = { status: 'queued' };
    for (let i = 0; i < 100 && ['queued', 'running'].includes(run.status); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      run = (await request(url, `/api/runs/${runId}`, { headers: auth() })).json();
    }
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.code, 'DOCKER_UNREACHABLE');
    assert.ok(run.error?.message.includes(join(root, 'none.sock')), run.error?.message);
    assert.equal(await p.stop(), 0);
    assert.ok(p.lines.some((l) => l.includes('"msg":"railyard stopped"')));
  });

  it('SIGHUP reloads .env and db.yml; an invalid one is logged and the old one keeps serving; no connection is dropped', async () => {
    const root = await tempRoot('railyard-serve-hup-');
    await writeFile(join(root, 'db.yml'), TEST_DB);
    await writeFile(join(root, '.env'), `API_KEY=${KEY}\n`);
    const p = start({ root });
    const url = await p.url;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    const get = (path: string, key = KEY) =>
      new Promise<number>((resolve, reject) => {
        const req = http.get(`${url}${path}`, { agent, headers: auth(key) }, (res) => {
          sockets.add(res.socket);
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
      });
    assert.equal(await get('/api/projects'), 200);
    const hangUp = async (done: RegExp): Promise<void> => {
      const from = p.lines.length;
      p.child.kill('SIGHUP');
      await p.waitFor(done, from);
    };
    const projects = async (): Promise<string[]> =>
      (await request(url, '/api/projects', { headers: auth() })).json<{ projects: { name: string }[] }>().projects.map((x) => x.name);

    await writeFile(join(root, 'db.yml'), 'projects:\n  - name: gamma\n    services: [oops\n');
    await hangUp(/"msg":"configuration reloaded"/);
    assert.ok(p.lines.some((l) => l.includes('"msg":"db.yml is invalid: the last valid config is kept"')));
    assert.deepEqual(await projects(), ['alpha', 'beta'], 'the old db.yml keeps serving');
    assert.equal(await get('/update-upstream/alpha'), 202);

    await writeFile(join(root, '.env'), `API_KEY=${KEY}\nHOOK_ALLOWED_CIDRS=not-a-cidr\n`);
    await hangUp(/"msg":"configuration reloaded"/);
    assert.ok(p.lines.some((l) => l.includes('"msg":"the new environment is invalid: the old one is kept"')));
    assert.equal(await get('/api/projects'), 200, 'the old environment keeps serving');

    await writeFile(join(root, '.env'), `API_KEY=${NEW_KEY}\n`);
    await writeFile(join(root, 'db.yml'), 'projects:\n  - name: gamma\n    services:\n      - host: web\n        image: nginx:1\n');
    await hangUp(/"msg":"configuration reloaded"/);
    assert.equal(await get('/api/projects', KEY), 401, 'the old key is refused');
    assert.equal(await get('/api/projects', NEW_KEY), 200);
    assert.deepEqual((await request(url, '/api/projects', { headers: auth(NEW_KEY) })).json<{ projects: { name: string }[] }>().projects.map((x) => x.name), ['gamma']);
    assert.equal(sockets.size, 1, 'every request went over the one kept-alive connection');
    agent.destroy();
    assert.equal(await p.stop(), 0);
  });

  it('listens on fd 3 under systemd socket activation (LISTEN_FDS, LISTEN_PID)', async () => {
    const root = await tempRoot('railyard-serve-fd-');
    const listener = net.createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as net.AddressInfo;
    const fd = (listener as unknown as { _handle: { fd: number } })._handle.fd;
    const p = start({
      root, environ: { API_KEY: KEY, PORT: '1' },
      // `exec` keeps the shell's pid, which is what LISTEN_PID must name (systemd sets it after the fork).
      shell: 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$NODE" "$BIN" --root "$ROOT" serve --no-schedule',
      stdio: ['ignore', 'pipe', 'pipe', fd],
    });
    await p.url;
    listener.close();
    assert.ok(p.lines.some((l) => l.includes('"socketActivated":true')));
    assert.equal((await request(`http://127.0.0.1:${port}`, '/healthz')).status, 200);
    assert.equal(await p.stop(), 0);
  });
});
