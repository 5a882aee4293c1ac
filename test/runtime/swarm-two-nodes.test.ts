// runtime: swarm on a real two-node swarm: a manager and a worker, each its own
// dockerd in its own network namespace, linked by a veth pair. Replicas spread
// over both nodes, a start-first update that a 50 ms prober sees no failure of,
// an unhealthy image rolled back and reported failed, a no-change apply, the
// worker going down (drift named, tasks rescheduled), a project removed.
// Beside it a stateful service pinned to the worker: its tasks per node in
// /api/projects' view, and the backup's warning that its data is not here.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import pino from 'pino';
import { loadEnv } from '../../config/env.ts';
import { requireDb } from '../../config/load-db.ts';
import { projectView, readEngine } from '../../app/project-status.ts';
import { stackIdOf } from '../../runtime/containers.ts';
import { readSourceFor } from '../../runtime/engine-read.ts';
import type { NodeTasks } from '../../runtime/swarm-tasks.ts';
import { SWARM_DATA_WARNING, warnSwarmData } from '../../steps/backup/swarm-data.ts';
import type { DiffResult } from '../../steps/diff/index.ts';
import type { SwarmPlannedService } from '../../steps/diff/swarm-plan.ts';
import { drift, render, validate } from '../../steps/index.ts';
import { runSteps } from '../steps/rollout/run-steps.ts';
import { TEST_IMAGES } from '../helpers/docker.ts';
import { swarmStackDriver, type SwarmStackDriver } from '../helpers/swarm-stack.ts';
import { canStartSwarm, startSwarm, type TestSwarm } from '../helpers/swarm-engine.ts';

const SERVICE = 'spread_spread-web';
const BIN = new URL('../../bin/railyard.js', import.meta.url).pathname;

const db = (image: string, enabled = true): string => `runtime: swarm
projects:
  - name: spread
    enabled: ${enabled}
    services:
      - host: web
        image: ${image}
        stateless: true
        replicas: 4
        ingress: [{ domain: spread.example.com, port: 8080 }]
      - host: vault
        image: ${TEST_IMAGES.web}
        stateless: false
        volumes: [/data]
        placement: node.role == worker
`;

// One request every 50 ms to a task address from Swarm's DNS (no IPVS on this kernel: no VIP).
const PROBER = `while true; do ip=$(nslookup tasks.${SERVICE} 127.0.0.11 | sed -n 's/^Address: *\\([0-9.]*\\)$/\\1/p' | head -n 1); out=$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 1 $ip 8080 | tail -n 1); case "$out" in *version=*) echo "OK $out";; *) echo "FAIL $ip";; esac; sleep 0.05; done`;

describe('runtime: swarm on a two-node swarm', { skip: process.getuid?.() !== 0 ? 'needs root' : false, timeout: 300_000 }, () => {
  let swarm: TestSwarm;
  let docker: SwarmStackDriver['docker'];
  let driver: SwarmStackDriver;

  before(async () => {
    assert.ok(await canStartSwarm(), 'dockerd, ip, nsenter, runc and iptables are needed (scripts/test-host.sh)');
    swarm = await startSwarm(2);
    await swarm.loadImages([TEST_IMAGES.web, TEST_IMAGES.web2, TEST_IMAGES.unhealthy]);
    driver = await swarmStackDriver(swarm.manager.dockerHost, 'spread');
    docker = driver.docker;
  });
  after(async () => {
    await swarm?.destroy();
    await driver?.close();
  });

  const plan = (text: string) => driver.plan(text);
  const apply = (result: DiffResult) => driver.apply(result);
  const web = (result: DiffResult) => result.plan.find((p) => p.service === 'spread-web') as SwarmPlannedService;
  /** GET /api/projects' project view (what its handler builds), from one engine read. */
  const apiServices = async () => {
    const config = await requireDb(join(driver.root, 'db.yml'), {});
    const view = projectView(config, config.projects[0]!, await readEngine(docker, config));
    return view.services as { name: string; running: { containers: number; tasks: { replicas: number; nodes: NodeTasks[]; lostOn: string[] } } | null }[];
  };

  it('spreads the replicas over both nodes', async () => {
    const outcome = await apply(await plan(db(TEST_IMAGES.web)));
    assert.deepEqual(outcome.services.map((s) => [s.service, s.ok, s.error?.message]), [['spread-web', true, undefined], ['spread-vault', true, undefined]]);
    const entry = web(await plan(db(TEST_IMAGES.web)));
    assert.equal(entry.action, 'unchanged');
    assert.deepEqual(Object.keys(entry.tasks!.perNode).sort(), [swarm.manager.name, swarm.workers[0]!.name].sort());
    // The services carry the stack root, as compose containers do.
    const labels = ((await docker.getService(SERVICE).inspect()) as { Spec: { Labels: Record<string, string> } }).Spec.Labels;
    assert.equal(labels['railyard.stack'], stackIdOf(driver.root));
  });

  it('/api/projects shows the tasks per node, desired against running, by hostname', async () => {
    const [webView, vaultView] = await apiServices();
    const worker = swarm.workers[0]!.name;
    assert.equal(webView!.running!.containers, 4);
    assert.equal(webView!.running!.tasks.replicas, 4);
    const perNode = webView!.running!.tasks.nodes;
    assert.deepEqual(perNode.map((n) => [n.node, n.up, n.desired === n.running, n.lost]).sort(), [[swarm.manager.name, true, true, 0], [worker, true, true, 0]].sort());
    assert.equal(perNode.reduce((sum, n) => sum + n.running, 0), 4);
    assert.deepEqual(vaultView!.running!.tasks.nodes, [{ node: worker, up: true, desired: 1, running: 1, lost: 0 }]);
  });

  it('backup warns that the stateful service pinned to the worker keeps its data there', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _encoding, done) => { lines.push(chunk.toString()); done(); } }));
    // The source a backup run reads through: plain HTTP to the engine, no dockerode.
    const warnings = await warnSwarmData(readSourceFor(swarm.manager.dockerHost, () => docker), driver.root, log);
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(warnings[0]!, new RegExp(`^spread_spread-vault \\(project spread\\) is stateful and runs on swarm node ${swarm.workers[0]!.name}, not on ${swarm.manager.name} where railyard runs`));
    const logged = lines.map((l) => JSON.parse(l) as { level: number; msg: string; warning?: string }).filter((l) => l.msg === SWARM_DATA_WARNING);
    assert.deepEqual(logged.map((l) => [l.level, l.warning]), [[40, warnings[0]]]);
    // `railyard backup` itself: the run succeeds, and its output carries the warning the run logged (LOG_LEVEL warn or finer stores it).
    const backup = await execa(process.execPath, [BIN, '--root', driver.root, 'backup'], { reject: false, env: { LOG_LEVEL: 'warn', DOCKER_HOST: swarm.manager.dockerHost, PATH: process.env['PATH'] ?? '' }, extendEnv: false });
    assert.equal(backup.exitCode, 0, backup.stderr);
    assert.deepEqual(backup.stdout.split('\n').filter((l) => l.startsWith('warning: ')), [`warning: ${warnings[0]}`]);
  });

  it('a start-first update: the 50 ms prober sees no failed request', async () => {
    const prober = await execa('docker', ['-H', swarm.manager.dockerHost, 'run', '-d', '--network', 'proxynet', '--entrypoint', 'sh', TEST_IMAGES.web, '-c', PROBER]);
    const id = prober.stdout.trim();
    try {
      await sleep(1000);
      const outcome = await apply(await plan(db(TEST_IMAGES.web2)));
      assert.deepEqual(outcome.services.map((s) => [s.service, s.ok, s.error?.message]), [['spread-web', true, undefined]]);
      await sleep(1000);
    } finally {
      const logs = (await execa('docker', ['-H', swarm.manager.dockerHost, 'logs', id])).stdout.split('\n').filter(Boolean);
      await execa('docker', ['-H', swarm.manager.dockerHost, 'rm', '-f', id]);
      const failed = logs.filter((l) => l.startsWith('FAIL'));
      assert.equal(failed.length, 0, `${failed.length} of ${logs.length} requests failed: ${failed.slice(0, 5).join('; ')}`);
      assert.ok(logs.length >= 40, `the prober made ${logs.length} requests`);
      assert.ok(logs.some((l) => l.includes('version=1')) && logs.at(-1)!.includes('version=2'), 'it saw the old and then the new version');
    }
  });

  it('an unhealthy image is rolled back by Swarm and reported failed with ROLLOUT_ROLLED_BACK', async () => {
    const outcome = await apply(await plan(db(TEST_IMAGES.unhealthy)));
    assert.deepEqual(outcome.services.map((s) => [s.service, s.ok, s.error?.code]), [['spread-web', false, 'ROLLOUT_ROLLED_BACK']]);
  });

  it('a no-change apply changes nothing', async () => {
    // Swarm says rollback_completed while the last restored task may still be starting.
    let result = await plan(db(TEST_IMAGES.web2));
    for (const deadline = Date.now() + 30_000; result.changes > 0 && Date.now() < deadline; await sleep(500)) result = await plan(db(TEST_IMAGES.web2));
    assert.equal(result.changes, 0, JSON.stringify(result.plan.map((p) => p.reason)));
    const version = async () => ((await docker.getService(SERVICE).inspect()) as { Version: { Index: number } }).Version.Index;
    const before = await version();
    assert.deepEqual((await apply(result)).services, []);
    assert.equal(await version(), before);
  });

  it('the worker going down: drift names the node, Swarm reschedules its tasks on the manager', async () => {
    const worker = swarm.workers[0]!;
    await worker.kill();
    let entry: SwarmPlannedService | undefined;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(500)) {
      entry = web(await plan(db(TEST_IMAGES.web2)));
      if (entry.warnings.some((w) => w.includes(worker.name))) break;
    }
    assert.deepEqual(entry?.warnings, [`swarm node down: ${worker.name}`]);
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(500)) {
      entry = web(await plan(db(TEST_IMAGES.web2)));
      if (entry.tasks?.perNode[swarm.manager.name] === 4) break;
    }
    assert.deepEqual(entry?.tasks?.perNode, { [swarm.manager.name]: 4 });
    // The plan calls the rescheduled service unchanged; the drift check (a reconcile's) still names the node.
    assert.equal(entry?.action, 'unchanged');
    const env = loadEnv({ root: driver.root, environ: { DOCKER_HOST: swarm.manager.dockerHost } });
    const found = (await runSteps([validate, render, drift], { env, docker, project: '*', meta: { all: true } })).get(drift);
    assert.ok(found.projects?.includes('spread'), JSON.stringify(found));
    const rescheduled = new RegExp(`^spread-web: swarm node ${worker.name} is down; its \\d+ task\\(s\\) were rescheduled \\(4/4 running\\)$`);
    assert.ok(found.reasons['spread']?.some((r) => rescheduled.test(r)), JSON.stringify(found.reasons));
    // Pinned to the worker: Swarm has nowhere to put it.
    assert.ok(found.reasons['spread']?.includes(`spread-vault: swarm node ${worker.name} is down with 1 task(s); Swarm has not placed them all elsewhere (0/1 running)`), JSON.stringify(found.reasons));
    // And /api/projects shows the node down, with the tasks it took.
    const [webView] = await apiServices();
    const down = webView!.running!.tasks.nodes.find((n) => n.node === worker.name);
    assert.deepEqual({ ...down, lost: down !== undefined && down.lost > 0 }, { node: worker.name, up: false, desired: 0, running: 0, lost: true });
    assert.deepEqual(webView!.running!.tasks.lostOn, [worker.name]);
  });

  it('a removed project is taken down', async () => {
    const result = await plan(db(TEST_IMAGES.web2, false));
    assert.deepEqual(result.plan.map((p) => [p.service, p.action]).sort(), [['spread-vault', 'remove'], ['spread-web', 'remove']]);
    assert.ok((await apply(result)).services.every((s) => s.ok));
    assert.deepEqual(await docker.listServices({ filters: { label: ['railyard.project'] } }), []);
  });
});
