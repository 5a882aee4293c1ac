// `railyard status` on the real dockerd: desired against running per service,
// drift when a container is gone, --json in GET /api/projects's shape, a
// clear word and exit 1 when the engine cannot be read; and (pure) a swarm
// service's tasks per node.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { formatStatus } from '../../cli/status.ts';
import { uniqueName } from '../helpers/compose-project.ts';
import { dockerSuiteOptions, TEST_IMAGES } from '../helpers/docker.ts';

const BIN = new URL('../../bin/railyard.js', import.meta.url).pathname;

describe('railyard status (real dockerd)', await dockerSuiteOptions(), () => {
  const project = uniqueName('ry-status');
  let root = '';
  const env = (): Record<string, string> => ({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', LOG_LEVEL: 'warn', ...(process.env['DOCKER_HOST'] ? { DOCKER_HOST: process.env['DOCKER_HOST'] } : {}) });
  const railyard = (args: string[], extra: Record<string, string> = {}) =>
    execa(process.execPath, [BIN, '--root', root, ...args], { env: { ...env(), ...extra }, extendEnv: false, reject: false, timeout: 120_000 });
  const ids = async (service?: string): Promise<string[]> => (await execa('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`,
    ...(service ? ['--filter', `label=com.docker.compose.service=${service}`] : [])])).stdout.split('\n').filter(Boolean);

  before(async () => {
    root = await mkdtemp(join(tmpdir(), `${project}-`));
    await writeFile(join(root, 'db.yml'), `projects:\n  - name: ${project}\n    services:\n` +
      `      - host: web\n        image: ${TEST_IMAGES.web}\n        stateless: true\n      - host: api\n        image: ${TEST_IMAGES.web}\n`);
    const applied = await railyard(['apply', project]);
    assert.equal(applied.exitCode, 0, applied.stderr);
  });
  after(async () => {
    const left = await ids();
    if (left.length > 0) await execa('docker', ['rm', '-f', ...left], { reject: false });
    await execa('docker', ['network', 'rm', `${project}_default`], { reject: false });
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  it('shows each service 1/1 running with the last run, and no drift', async () => {
    const status = await railyard(['status']);
    assert.equal(status.exitCode, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`^${project} \\(compose\\): last run #\\d+ deploy succeeded$`, 'm'));
    assert.match(status.stdout, /^ {2}web +1\/1 running, [01] healthy {2}\S+web:1$/m);
    assert.match(status.stdout, /^ {2}api +1\/1 running/m);
    assert.doesNotMatch(status.stdout, /drift/);
  });

  it('marks drift when a container is gone; --json has the API\'s shape', async () => {
    await execa('docker', ['rm', '-f', ...(await ids(`${project}-api`))]);
    const status = await railyard(['status', project]);
    assert.match(status.stdout, /^ {2}api +0\/1 running, 0 healthy {2}drift/m);
    const json = JSON.parse((await railyard(['status', project, '--json'])).stdout) as { docker: { reachable: boolean }; projects: { name: string; services: { name: string; running: { containers: number } }[] }[] };
    assert.equal(json.docker.reachable, true);
    assert.deepEqual(json.projects.map((p) => [p.name, p.services.map((s) => [s.name, s.running.containers])]), [[project, [['web', 1], ['api', 0]]]]);
  });

  it('says so and exits 1 when the engine cannot be read; an unknown project is PROJECT_NOT_FOUND', async () => {
    const status = await railyard(['status'], { DOCKER_HOST: 'unix:///nonexistent/railyard-status.sock' });
    assert.equal(status.exitCode, 1);
    assert.match(status.stdout, /the Docker engine could not be read: running state unknown/);
    assert.match(status.stdout, /web +1 wanted, running unknown/);
    const missing = await railyard(['status', 'no-such-project']);
    assert.equal(missing.exitCode, 1);
    assert.match(missing.stderr, /PROJECT_NOT_FOUND/);
  });
});

describe('status text: swarm tasks per node (pure)', () => {
  it('prints running tasks against desired, per node, a down node and its lost tasks', () => {
    const tasks = { replicas: 4, desired: 4, running: 2, lostOn: ['wrk'], nodes: [
      { node: 'mgr', desired: 4, running: 2, up: true, lost: 0 },
      { node: 'wrk', desired: 0, running: 0, up: false, lost: 2 },
    ] };
    const view = {
      name: 'shop', enabled: true, desired: 'running', runtime: 'swarm', lastRun: null, deployedCommit: null,
      services: [{ name: 'web', image: 'web:1', desired: { replicas: 4 }, running: { containers: 2, healthy: 2, states: [], tasks } }],
    };
    const text = formatStatus([view as unknown as Parameters<typeof formatStatus>[0][number]], { containers: [], swarm: new Map() });
    assert.equal(text, 'shop (swarm): no run yet\n  web   2/4 tasks running; mgr 2/4, wrk 0/0 (down, 2 lost)  drift  web:1\n');
  });
});
