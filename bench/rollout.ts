/**
 * Issue 17 item 3: railyard against docker-rollout itself (Wowu/docker-rollout,
 * the docker CLI plugin), on the same compose service in the same run,
 * alternating, BENCH_ROUNDS (5) of each. Per rollout:
 *   - wall time of the whole command (`railyard apply <project>` as users run
 *     it; `docker rollout -f <file> <service>` on the compose file railyard rendered);
 *   - time from the new container's first `healthy` event to the command's end;
 *   - failed requests of a 20 ms prober through the Traefik stand-in
 *     (test/helpers/traefik-stand-in.ts; railyard gets it as TRAEFIK_API_URL).
 * And where the time goes, from the engine's events and railyard's log lines
 * (medians, ms from the command's start): the command's own start-up and
 * steps before the first container is created, compose's create, the start,
 * the wait for healthy, and the drain/stop/remove after it.
 *
 * What each does after the new containers are healthy: railyard drains (drain
 * marker → `unhealthy` event → Traefik no longer lists it → stop → remove);
 * docker-rollout without a pre-stop hook (none before v0.12) stops the old
 * containers while the proxy still routes to them, so the prober sees
 * failures. Both run the same compose service with the same healthcheck.
 * Without the plugin installed (~/.docker/cli-plugins/docker-rollout) it says
 * so and runs railyard alone. Run (after `npm run build`, so bin/railyard.js
 * runs dist/): node --import tsx bench/rollout.ts
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { LABEL_PROJECT } from '../runtime/containers.ts';
import { createDocker } from '../runtime/docker.ts';
import { watchContainerEvents, type ContainerEvent, type EventWatch } from '../runtime/events.ts';
import { pullImage } from '../runtime/images.ts';
import { startProber, startStandIn } from '../test/helpers/traefik-stand-in.ts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const IMAGE = '127.0.0.1:5000/railyard-test/web:1';
const BIN = new URL('../bin/railyard.js', import.meta.url).pathname;
const root = await mkdtemp(join(tmpdir(), 'railyard-bench-rollout-'));
const project = `rybench-rollout-${randomBytes(3).toString('hex')}`;
const service = `${project}-web`;
const composeFile = join(root, 'upstream', project, 'docker-compose.yml');
const docker = createDocker(process.env['DOCKER_HOST']);

/** db.yml at `version`: every version is a config change. The same healthcheck serves both tools. */
async function setVersion(version: string): Promise<void> {
  const lines = [
    'projects:', `  - name: ${project}`, '    services:', '      - host: web', `        image: ${IMAGE}`, '        stateless: true', '        replicas: 2',
    '        healthcheck:', '          test: wget -q -O /dev/null http://127.0.0.1:8080/', '          interval: 500ms', '          timeout: 1s', '          retries: 1', '          start_period: 10s',
    '        env:', `          VERSION: ${version}`,
  ];
  await writeFile(join(root, 'db.yml'), `${lines.join('\n')}\n`);
}

/** Whether docker-rollout is installed, and whether it has a pre-stop hook (v0.12+) to drain with. */
async function dockerRollout(): Promise<{ installed: boolean; preStopHook: boolean }> {
  const help = await execa('docker', ['rollout', '--help'], { reject: false });
  const installed = help.exitCode === 0 && help.stdout.includes('Rollout new Compose service version');
  return { installed, preStopHook: installed && help.stdout.includes('--pre-stop-hook') };
}

interface Timing {
  readonly wall: number;
  readonly afterHealthy: number;
  readonly failed: number;
  readonly sent: number;
  /** Phase → ms from the command's start (marks seen in this round). */
  readonly marks: Readonly<Record<string, number>>;
}

/** The phase marks, in order: engine events for both tools, railyard's log lines for its own steps. */
const MARKS = ['diff done', 'first create', 'last start', 'last healthy', 'first kill', 'last destroy', 'run finished', 'exit'] as const;

function marksOf(seen: readonly ContainerEvent[], started: number, end: number, logs: string): Record<string, number> {
  const at = (e: ContainerEvent): number => e.timeNano / 1e6 - started;
  const pick = (action: string, which: 'first' | 'last'): number | undefined => {
    const hits = seen.filter((e) => e.Action === action).map(at);
    return hits.length === 0 ? undefined : which === 'first' ? Math.min(...hits) : Math.max(...hits);
  };
  const marks: Record<string, number | undefined> = {
    'first create': pick('create', 'first'),
    'last start': pick('start', 'last'),
    'last healthy': pick('health_status: healthy', 'last'),
    'first kill': pick('kill', 'first'),
    'last destroy': pick('destroy', 'last'),
    exit: end - started,
  };
  for (const line of logs.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; step?: string; time?: number };
    if (entry.time === undefined) continue;
    if (entry.msg === 'step succeeded' && entry.step === 'diff') marks['diff done'] = entry.time - started;
    if (entry.msg === 'run finished') marks['run finished'] = entry.time - started;
  }
  return Object.fromEntries(Object.entries(marks).filter((e): e is [string, number] => e[1] !== undefined));
}

async function round(watch: EventWatch, proberUrl: string, side: 'railyard' | 'docker-rollout', version: string): Promise<Timing> {
  await setVersion(version);
  const env = { RAILYARD_ROOT: root, TRAEFIK_API_URL: proberUrl, LOG_LEVEL: side === 'railyard' ? 'info' : 'warn' };
  if (side === 'docker-rollout') await execa('node', [BIN, 'render'], { env }); // writes the compose file (not timed)
  const mark = watch.seen.length;
  const prober = startProber(proberUrl, 20);
  const started = Date.now();
  const run =
    side === 'railyard'
      ? await execa('node', [BIN, 'apply', project], { env })
      : await execa('docker', ['rollout', '-f', composeFile, service], { cwd: join(root, 'upstream', project) });
  const end = Date.now();
  await sleep(500); // requests sent at the very end still count
  const probe = await prober.stop();
  const healthy = watch.seen.slice(mark).find((e) => e.Action === 'health_status: healthy');
  if (healthy === undefined) throw new Error(`${side}: no healthy event`);
  const running = await docker.listContainers({ filters: { label: [`${LABEL_PROJECT}=${project}`] } });
  if (running.length !== 2 || running.some((c) => c.Labels['com.docker.compose.service'] !== service)) throw new Error(`${side}: did not converge to 2 containers`);
  const marks = marksOf(watch.seen.slice(mark), started, end, side === 'railyard' ? String(run.stderr) : '');
  return { wall: end - started, afterHealthy: end - healthy.timeNano / 1e6, failed: probe.failed, sent: probe.sent, marks };
}

function median(list: readonly number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function line(name: string, list: readonly Timing[]): string {
  const f = (key: 'wall' | 'afterHealthy' | 'failed'): string => `${median(list.map((t) => t[key])).toFixed(0)}`;
  return `  ${name.padEnd(15)} wall ${f('wall')} ms [${list.map((t) => t.wall).join(', ')}], after healthy ${f('afterHealthy')} ms, failed requests ${f('failed')} per rollout [${list.map((t) => t.failed).join(', ')}]`;
}

/** Median ms from the command's start to each phase mark seen in every round. */
function phases(name: string, list: readonly Timing[]): string {
  const shown = MARKS.filter((m) => list.every((t) => t.marks[m] !== undefined));
  return `  ${name.padEnd(15)} ${shown.map((m) => `${m} ${median(list.map((t) => t.marks[m]!)).toFixed(0)}`).join(', ')}`;
}

const { installed: peer, preStopHook } = await dockerRollout();
const watch = await watchContainerEvents(docker, [`${LABEL_PROJECT}=${project}`]);
const proxynetExisted = (await docker.listNetworks({ filters: { name: ['proxynet'] } })).some((n) => n.Name === 'proxynet');
try {
  await pullImage(docker, IMAGE);
  await setVersion('v0');
  await execa('node', [BIN, 'apply', project], { env: { RAILYARD_ROOT: root, LOG_LEVEL: 'warn' } });
  const standIn = await startStandIn(docker, { project, service, network: `${project}_default`, port: 8080 });
  for (let waited = 0; standIn.backends().length < 2; waited += 100) {
    if (waited > 15_000) throw new Error('the first containers never entered the stand-in\'s rotation');
    await sleep(100);
  }
  const times = { railyard: [] as Timing[], peer: [] as Timing[] };
  for (let i = 1; i <= ROUNDS; i++) {
    times.railyard.push(await round(watch, standIn.url, 'railyard', `r${i}`));
    if (peer) times.peer.push(await round(watch, standIn.url, 'docker-rollout', `d${i}`));
  }
  await standIn.close();
  console.log(`rollout of a 2-replica service (${IMAGE}, healthcheck every 500 ms, retries 1), ${ROUNDS} rounds, alternating; medians:`);
  console.log(line('railyard', times.railyard));
  if (peer) {
    console.log(line('docker-rollout', times.peer));
    console.log('phases (median ms from the command\'s start):');
    console.log(phases('railyard', times.railyard));
    console.log(phases('docker-rollout', times.peer));
    console.log(`  railyard: drain marker -> unhealthy event -> Traefik (stand-in) drops it -> stop -> remove, per old container, all at once`);
    console.log(`  docker-rollout: ${preStopHook ? 'has --pre-stop-hook, but runs here without one: ' : 'no --pre-stop-hook (before v0.12): '}polls health every 1 s, then docker stop + docker rm of the old containers, no drain`);
    const ratio = median(times.railyard.map((t) => t.wall)) / median(times.peer.map((t) => t.wall));
    console.log(`  wall time railyard / docker-rollout: ${ratio.toFixed(2)} (target <= 0.80)`);
  } else {
    console.log(phases('railyard', times.railyard));
    console.log('  docker-rollout: not installed (docker rollout --help failed); railyard ran alone');
  }
} finally {
  watch.close();
  await execa('docker', ['compose', '-p', project, 'down', '-t', '1', '--remove-orphans'], { cwd: root, reject: false });
  if (!proxynetExisted) await execa('docker', ['network', 'rm', 'proxynet'], { reject: false });
  if (existsSync(root)) await rm(root, { recursive: true, force: true });
}
