// Route truth on the real dockerd (issue 11): the shared itsUP fixture is deployed with the test
// images in place of the real ones, and every route railyard gives Traefik (http, tcp, udp, tcp
// passthrough, host port, image-less host) must answer from the host's network namespace, which
// is where Traefik runs (network_mode: host). Traefik itself cannot run here: the test dials what
// its docker provider would dial (a running, healthy container's proxynet address on the labelled
// port) and what its file provider would dial (the host address). A planted route whose backend
// does not resolve must be reported dead, and `railyard routes --strict` must fail on it.
// Docker suite: skips without an engine, fails under REQUIRE_DOCKER=1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { routeReport } from '../../app/route-report.ts';
import { checkDb } from '../../config/load-db.ts';
import { ensureNetwork, PROXY_NETWORK } from '../../runtime/network.ts';
import { renderStack } from '../../steps/render/render-stack.ts';
import type { RenderedStack } from '../../steps/render/types.ts';
import { writeFiles } from '../../steps/render/write-files.ts';
import { uniqueName } from '../helpers/compose-project.ts';
import { dockerClient, dockerSuiteOptions, TEST_IMAGES } from '../helpers/docker.ts';
import { sharedPath, sharedSuiteOptions } from '../helpers/shared.ts';
import { TEST_ENV } from '../steps/render/render-helpers.ts';

const BIN = new URL('../../bin/railyard.js', import.meta.url).pathname;
type Json = Record<string, any>;

/** busybox listeners: httpd for http ports, `nc -ll -e cat` for raw tcp (passthrough and host port too). */
const listen = (http: number[], tcp: number[]): string[] => [
  'sh', '-c', [...http.map((p) => `httpd -p ${p} -h /tmp; `), ...tcp.map((p) => `nc -ll -p ${p} -e /bin/cat & `), 'trap "exit 0" TERM; sleep 3600 & wait'].join(''),
];

/** The fixture with test images, unique project names, local hosts for image-less services, and extra routes. */
function testDb(prefix: string, ports: { api: number }): string {
  const db = parse(readFileSync(sharedPath('fixtures/itsup-db.yml'), 'utf8')) as Json;
  for (const project of db['projects'] as Json[]) {
    project['name'] = `${prefix}-${String(project['name']).toLowerCase()}`;
    for (const service of project['services'] as Json[]) {
      if (service['image'] !== undefined) service['image'] = TEST_IMAGES.sleeper;
      delete service['command'];
    }
  }
  const [shop, minio, vpn, , challenge, api] = db['projects'] as Json[];
  // Limits are not what is tested, and this sandbox refuses raising RLIMIT_NOFILE to 65535.
  shop!['services'][0]['additional_properties'] = { command: listen([3000, 3001, 3443], []) };
  shop!['services'][2]['healthcheck'] = { test: ['CMD', 'true'], interval: '1s', retries: 3 }; // the worker waits for it
  const app = minio!['services'][0];
  app['additional_properties'] = { command: listen([9001], [9000, 9443, 5432]) };
  // Not in the fixture: a tcp passthrough and a tcp host port on a container.
  app['ingress'].push({ domain: 'minio-tls.example.com', port: 9443, router: 'tcp', passthrough: true }, { hostport: 15432, port: 5432, router: 'tcp' });
  vpn!['services'][0]['additional_properties']['command'] = listen([], []);
  // The ACME-challenge passthrough must stay on port 80 (plain http on `web`): a loopback address of its own.
  challenge!['services'][0] = { host: ACME_HOST, ingress: [challenge!['services'][0]['ingress'][0]] };
  api!['services'][0] = { host: '127.0.0.1', ingress: [{ ...api!['services'][0]['ingress'][0], port: ports.api }] };
  db['projects'].push({ name: `${prefix}-planted`, services: [{ host: 'no-such-backend.invalid', ingress: [{ domain: 'dead.example.com', port: 8080 }] }] });
  return stringify(db);
}

const ACME_HOST = '127.0.0.80';

async function httpServer(host = '127.0.0.1', port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe('railyard routes on the real dockerd', await dockerSuiteOptions(), () => {
  const prefix = uniqueName('ry11');
  const { docker } = dockerClient();
  let root = '';
  let stack: RenderedStack;
  let projects: string[] = [];
  const servers: Server[] = [];
  let udpEcho: ChildProcess | undefined;
  let proxynetExisted = true;

  before(async () => {
    if (sharedSuiteOptions().skip) return;
    const [acme, api] = [await httpServer(ACME_HOST, 80), await httpServer()];
    servers.push(acme.server, api.server);
    const text = testDb(prefix, { api: api.port });
    const loaded = checkDb(text, 'db.yml', {});
    assert.ok(loaded.ok, JSON.stringify(loaded.ok ? [] : loaded.problems));
    stack = renderStack(loaded.config, TEST_ENV);
    root = await mkdtemp(join(tmpdir(), 'railyard-routes-'));
    await writeFiles(root, stack.files, stack.dirs);
    await writeFile(join(root, 'db.yml'), text);
    projects = stack.projects.filter((p) => p.kind === 'upstream').map((p) => p.name);
    proxynetExisted = (await docker.listNetworks({ filters: { name: [PROXY_NETWORK] } })).some((n) => n.Name === PROXY_NETWORK);
    await ensureNetwork(docker);
  });

  after(async () => {
    udpEcho?.kill('SIGKILL');
    for (const server of servers) server.close();
    await Promise.all(projects.map((p) => execa('docker', ['compose', '-p', p, '-f', join(root, 'upstream', p, 'docker-compose.yml'), 'down', '-t', '1'], { reject: false })));
    if (!proxynetExisted) await execa('docker', ['network', 'rm', PROXY_NETWORK], { reject: false });
  });

  it('passes docker compose config -q on every rendered compose file, proxy/docker-compose.yml included', sharedSuiteOptions(), async () => {
    const files = stack.files.filter((f) => f.kind === 'compose').map((f) => join(root, f.path));
    assert.ok(files.includes(join(root, 'proxy/docker-compose.yml')));
    for (const file of files) {
      const result = await execa('docker', ['compose', '-f', file, 'config', '-q'], { reject: false });
      assert.equal(result.exitCode, 0, `${file}: ${result.stderr}`);
    }
  });

  it('reports container routes as pending, not dead, before their containers run', sharedSuiteOptions(), async () => {
    const report = await routeReport(docker, stack.routes);
    const labelled = report.lines.filter((l) => l.via === 'labels');
    assert.ok(labelled.length >= 8);
    assert.deepEqual([...new Set(labelled.map((l) => l.status))], ['pending']);
  });

  it('reaches every route from the host netns once deployed, and names the planted dead one', sharedSuiteOptions(), async () => {
    for (const p of projects) {
      const result = await execa('docker', ['compose', '-p', p, '-f', join(root, 'upstream', p, 'docker-compose.yml'), 'up', '-d', '--quiet-pull'], { reject: false });
      assert.equal(result.exitCode, 0, `${p}: ${result.stderr}`);
    }
    // The vpn container gets a real UDP responder in its own network namespace (busybox has none).
    const pid = Number((await execa('docker', ['inspect', '-f', '{{.State.Pid}}', `${prefix}-vpn-${prefix}-vpn-openvpn-1`])).stdout);
    udpEcho = spawn('nsenter', [`--net=/proc/${pid}/ns/net`, process.execPath, '-e',
      "const s=require('dgram').createSocket('udp4');s.on('message',(m,r)=>s.send(m,r.port,r.address));s.bind(1194,()=>console.log('up'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => udpEcho!.stdout!.once('data', resolve));
    // Containers were started, not necessarily listening yet: ask again while anything is pending.
    let report = await routeReport(docker, stack.routes);
    for (let i = 0; i < 20 && report.lines.some((l) => l.status !== 'alive' && !l.router.includes('-planted-')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      report = await routeReport(docker, stack.routes);
    }
    const byName = new Map(report.lines.map((l) => [l.router, l]));
    const kinds = new Set(report.lines.filter((l) => l.status === 'alive').map((l) => `${l.kind}/${l.via}`));
    const summary = report.lines.map((l) => `${l.status} ${l.router}: ${l.detail}`).join('\n');
    assert.deepEqual([...kinds].sort(), ['http/file', 'http/labels', 'tcp/labels', 'udp/labels'], summary);
    for (const line of report.lines) {
      if (line.router.startsWith(`${prefix}-planted`)) continue;
      assert.equal(line.status, 'alive', `${line.router}: ${line.detail}`);
    }
    assert.match(byName.get(`${prefix}-vpn-openvpn-1194`)!.detail, /answers udp/);
    const acme = byName.get(`${prefix}-home-assistant-challenge-127-0-0-80-80`)!;
    assert.deepEqual([acme.kind, acme.entryPoint, acme.backends], ['http', 'web', ['127.0.0.80:80']]);
    assert.ok(acme.priority! > report.redirect.priority, 'the ACME-challenge router outranks the HTTP→HTTPS redirect');
    assert.equal(byName.get(`${prefix}-minio-app-9443`)!.entryPoint, 'web-secure');
    assert.equal(byName.get(`${prefix}-minio-app-5432`)!.entryPoint, 'tcp-15432');
    assert.match(byName.get(`${prefix}-minio-app-5432`)!.backends[0]!, /^\d+\.\d+\.\d+\.\d+:5432$/);
    const planted = byName.get(`${prefix}-planted-no-such-backend-invalid-8080`)!;
    assert.equal(planted.status, 'dead');
    assert.match(planted.detail, /no-such-backend\.invalid does not resolve here/);
  });

  it('railyard routes prints the dead route as a warning; --strict makes it an error', sharedSuiteOptions(), async () => {
    const run = (args: string[]) => execa(process.execPath, [BIN, '--root', root, 'routes', ...args], { reject: false, env: { LOG_LEVEL: 'warn' } });
    const plain = await run([]);
    assert.equal(plain.exitCode, 0, plain.stderr);
    assert.match(plain.stdout, new RegExp(`^dead +http ${prefix}-planted-no-such-backend-invalid-8080 +web-secure +Host\\(\`dead\\.example\\.com\`\\)`, 'm'));
    assert.match(plain.stdout, new RegExp(`^alive +udp ${prefix}-vpn-openvpn-1194 +udp-1194`, 'm'));
    assert.match(plain.stdout, /^redirect +web +HTTP→HTTPS +priority 1/m);
    assert.match(plain.stderr, /warning: 1 dead route\(s\): .*planted/);
    const strict = await run(['--strict']);
    assert.equal(strict.exitCode, 1);
    assert.match(strict.stderr, /ROUTES_DEAD|1 dead route\(s\)/);
    // plan prints the same route lines after its plan, and warns about the dead one.
    const plan = await execa(process.execPath, [BIN, '--root', root, 'plan'], { reject: false, env: { LOG_LEVEL: 'warn' } });
    assert.equal(plan.exitCode, 0, plan.stderr);
    assert.match(plan.stdout, new RegExp(`\nroutes:\n[\\s\\S]*^dead +http ${prefix}-planted-no-such-backend-invalid-8080 `, 'm'));
    assert.match(plan.stderr, /warning: 1 dead route\(s\): .*planted/);
  });
});
