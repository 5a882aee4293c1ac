/**
 * Issue 17 item 3: railyard against docker-rollout itself (Wowu/docker-rollout,
 * the docker CLI plugin), on the same compose service in the same run,
 * alternating, BENCH_ROUNDS (5) of each. Per rollout:
 *   - wall time of the whole command (`railyard apply <project>` as users run
 *     it; `docker rollout -f <file> <service>` on the compose file railyard rendered);
 *   - time from the new container's first `healthy` event to the command's end;
 *   - failed requests of a 20 ms prober through the Traefik stand-in
 *     (test/helpers/traefik-stand-in.ts; railyard gets it as TRAEFIK_API_URL).
 * Without the plugin installed (~/.docker/cli-plugins/docker-rollout) it says
 * so and runs railyard alone. Run: node --import tsx bench/rollout.ts
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
import { watchContainerEvents, type EventWatch } from '../runtime/events.ts';
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

async function dockerRolloutInstalled(): Promise<boolean> {
  const help = await execa('docker', ['rollout', '--help'], { reject: false });
  return help.exitCode === 0 && help.stdout.includes('Rollout new Compose service version');
}

interface Timing {
  readonly wall: number;
  readonly afterHealthy: number;
  readonly failed: number;
  readonly sent: number;
}

async function round(watch: EventWatch, proberUrl: string, side: 'railyard' | 'docker-rollout', version: string): Promise<Timing> {
  await setVersion(version);
  const env = { RAILYARD_ROOT: root, TRAEFIK_API_URL: proberUrl, LOG_LEVEL: 'warn' };
  if (side === 'docker-rollout') await execa('node', [BIN, 'render'], { env }); // writes the compose file (not timed)
  const mark = watch.seen.length;
  const prober = startProber(proberUrl, 20);
  const started = Date.now();
  if (side === 'railyard') await execa('node', [BIN, 'apply', project], { env });
  else await execa('docker', ['rollout', '-f', composeFile, service], { cwd: join(root, 'upstream', project) });
  const end = Date.now();
  await sleep(500); // requests sent at the very end still count
  const probe = await prober.stop();
  const healthy = watch.seen.slice(mark).find((e) => e.Action === 'health_status: healthy');
  if (healthy === undefined) throw new Error(`${side}: no healthy event`);
  const running = await docker.listContainers({ filters: { label: [`${LABEL_PROJECT}=${project}`] } });
  if (running.length !== 2 || running.some((c) => c.Labels['com.docker.compose.service'] !== service)) throw new Error(`${side}: did not converge to 2 containers`);
  return { wall: end - started, afterHealthy: end - healthy.timeNano / 1e6, failed: probe.failed, sent: probe.sent };
}

function median(list: readonly number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function line(name: string, list: readonly Timing[]): string {
  const f = (key: keyof Timing): string => `${median(list.map((t) => t[key])).toFixed(0)}`;
  return `  ${name.padEnd(15)} wall ${f('wall')} ms [${list.map((t) => t.wall).join(', ')}], after healthy ${f('afterHealthy')} ms, failed requests ${f('failed')} per rollout [${list.map((t) => t.failed).join(', ')}]`;
}

const peer = await dockerRolloutInstalled();
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
    const ratio = median(times.railyard.map((t) => t.wall)) / median(times.peer.map((t) => t.wall));
    console.log(`  wall time railyard / docker-rollout: ${ratio.toFixed(2)} (target <= 0.80)`);
  } else {
    console.log('  docker-rollout: not installed (docker rollout --help failed); railyard ran alone');
  }
} finally {
  watch.close();
  await execa('docker', ['compose', '-p', project, 'down', '-t', '1', '--remove-orphans'], { cwd: root, reject: false });
  if (!proxynetExisted) await execa('docker', ['network', 'rm', 'proxynet'], { reject: false });
  if (existsSync(root)) await rm(root, { recursive: true, force: true });
}
