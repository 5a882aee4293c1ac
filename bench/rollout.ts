/**
 * P2: a zero-downtime rollout of one stateless service finishes within 0.3 s
 * of the new container's first `healthy` status. Measured from that Docker
 * event (its daemon timestamp) to the end of the rollout, for
 *   - railyard: validate → render → diff → rollout in-process through the steps
 *     (the rollout waits on Docker events);
 *   - the baseline, docker-rollout's algorithm (wowu/docker-rollout v0.12) run
 *     command for command: `compose ps -q`, `compose up -d --scale S=2N
 *     --no-recreate`, `compose ps -q`, `inspect` for a healthcheck, then
 *     `inspect` health of each new container every 1 s until healthy, one more
 *     health pass, the pre-stop-hook label `inspect`, `docker stop`, `docker rm`.
 * Both sides roll out the same service (web:1, healthcheck every 1 s), turn
 * about, with a new env value each time; each round is checked to end with one
 * running container carrying the new config hash.
 * Run: node --import tsx bench/rollout.ts   (BENCH_ROUNDS, default 5 per side)
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { execa } from 'execa';
import { loadEnv } from '../config/env.ts';
import { createLogger } from '../core/logger.ts';
import { createStepContext } from '../pipeline/step-context.ts';
import type { Step } from '../pipeline/types.ts';
import { LABEL_PROJECT, listContainers } from '../runtime/containers.ts';
import { createDocker } from '../runtime/docker.ts';
import { watchContainerEvents, type EventWatch } from '../runtime/events.ts';
import { pullImage } from '../runtime/images.ts';
import { PROXY_NETWORK } from '../runtime/network.ts';
import type { DiffResult } from '../steps/diff/index.ts';
import { diff, render, rollout, validate } from '../steps/index.ts';
import type { RenderResult } from '../steps/render/index.ts';
import type { RolloutResult } from '../steps/rollout/index.ts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const IMAGE = '127.0.0.1:5000/railyard-test/web:1';
/** docker-rollout's default `--timeout` (seconds of 1 s polls). */
const HEALTHCHECK_TIMEOUT = 60;

const root = await mkdtemp(join(tmpdir(), 'railyard-bench-rollout-'));
const project = `rybench-rollout-${randomBytes(3).toString('hex')}`;
const service = `${project}-web`;
const composeFile = join(root, 'upstream', project, 'docker-compose.yml');
const dockerHost = process.env['DOCKER_HOST'];
const env = loadEnv({ root, environ: dockerHost === undefined ? {} : { DOCKER_HOST: dockerHost } });
const docker = createDocker(env.dockerHost);
const log = createLogger({ level: 'info', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });

async function runSteps(steps: readonly Step[]): Promise<Map<Step, unknown>> {
  const results = new Map<Step, unknown>();
  const scope = {
    runId: `bench-${project}`, pipeline: 'deploy', project, service: undefined, trigger: { kind: 'cli' as const },
    env, log, signal: new AbortController().signal, clients: { docker }, recordCommit: () => undefined,
  };
  for (const step of steps) results.set(step, await step.run(createStepContext(scope, step, results)));
  return results;
}

/** db.yml with the service's env at `version`: every version is a config change. */
async function setVersion(version: string): Promise<void> {
  const lines = ['projects:', `  - name: ${project}`, '    services:', '      - host: web', `        image: ${IMAGE}`, '        stateless: true'];
  await writeFile(join(root, 'db.yml'), `${[...lines, '        env:', `          VERSION: ${version}`].join('\n')}\n`);
}

/** railyard: the deploy steps (git pull left out: there is no repo). */
async function railyardRollout(): Promise<string> {
  const results = await runSteps([validate, render, diff, rollout]);
  const plan = (results.get(diff) as DiffResult).plan;
  const outcome = (results.get(rollout) as RolloutResult).services;
  if (plan[0]?.action !== 'rollout' || outcome.length !== 1 || !outcome[0]?.ok) throw new Error(`railyard did not roll out: ${JSON.stringify(plan.map((p) => p.reason))}`);
  return desiredHash(results);
}

/** docker-rollout SERVICE, command for command (its script, with execa argv arrays instead of sh). */
async function dockerRollout(): Promise<void> {
  const compose = (...args: string[]) => execa('docker', ['compose', '-p', project, '-f', composeFile, ...args]);
  const psQuiet = async (): Promise<string[]> => (await compose('ps', '--quiet', service)).stdout.split('\n').filter(Boolean);
  const healthy = async (id: string): Promise<boolean> => {
    const status = (await execa('docker', ['inspect', '--format={{json .State.Health.Status}}', id])).stdout;
    return !status.includes('unhealthy') && status.includes('healthy');
  };
  const countHealthy = async (ids: readonly string[]): Promise<number> => {
    let success = 0;
    for (const id of ids) if (await healthy(id)) success++;
    return success;
  };
  const old = await psQuiet();
  const scale = old.length;
  await compose('up', '--detach', '--scale', `${service}=${scale * 2}`, '--no-recreate', service);
  const fresh = (await psQuiet()).filter((id) => !old.includes(id));
  const health = (await execa('docker', ['inspect', '--format={{json .State.Health}}', fresh[0] ?? ''])).stdout;
  if (!health.includes('Status')) throw new Error('the new container has no healthcheck');
  for (let i = 0; i < HEALTHCHECK_TIMEOUT; i++) {
    if ((await countHealthy(fresh)) === scale) break;
    await sleep(1000);
  }
  if ((await countHealthy(fresh)) !== scale) throw new Error('docker-rollout: new containers are not healthy');
  await execa('docker', ['inspect', '--format={{index .Config.Labels "docker-rollout.pre-stop-hook"}}', old[0] ?? '']);
  await execa('docker', ['stop', ...old]);
  await execa('docker', ['rm', ...old]);
}

function desiredHash(results: Map<Step, unknown>): string {
  const hash = (results.get(render) as RenderResult).services.find((s) => s.name === service)?.configHash;
  if (hash === undefined) throw new Error(`${service} was not rendered`);
  return hash;
}

interface Timing {
  /** First `healthy` event of a new container → end of the rollout. */
  readonly total: number;
  /** → the first `kill` (docker stop's SIGTERM) of an old container: how fast the tool reacts. */
  readonly react: number;
  /** → the last `destroy` of an old container: the engine stopping and removing it. */
  readonly engine: number;
}

/** One rollout, timed on the daemon's own event timestamps (plus the end, on the same host clock). */
async function round(watch: EventWatch, side: 'railyard' | 'baseline', version: string): Promise<Timing> {
  await setVersion(version);
  // The baseline rolls out the compose file render writes (not timed); railyard renders it itself.
  let hash = side === 'baseline' ? desiredHash(await runSteps([validate, render])) : undefined;
  const old = new Set((await listContainers(docker, { project })).map((c) => c.id));
  const mark = watch.seen.length;
  if (side === 'railyard') hash = await railyardRollout();
  else await dockerRollout();
  const end = Date.now();
  // The event stream may deliver the last `destroy` just after the remove call returned.
  for (let waited = 0; ![...old].every((id) => watch.seen.slice(mark).some((e) => e.Action === 'destroy' && e.id === id)); waited += 10) {
    if (waited > 3000) throw new Error(`${side}: an old container was never destroyed`);
    await sleep(10);
  }
  const events = watch.seen.slice(mark);
  const at = (action: string, ids: 'old' | 'new', last = false): number => {
    const matching = events.filter((e) => e.Action === action && old.has(e.id) === (ids === 'old'));
    const event = last ? matching.at(-1) : matching[0];
    if (event === undefined) throw new Error(`${side}: no ${action} event of ${ids === 'old' ? 'an old' : 'a new'} container`);
    return event.timeNano / 1e6;
  };
  const healthy = at('health_status: healthy', 'new');
  const killed = at('kill', 'old');
  const now = await listContainers(docker, { project });
  if (now.length !== 1 || now[0]?.state !== 'running' || now[0].configHash !== hash) throw new Error(`${side}: rollout did not converge: ${JSON.stringify(now)}`);
  return { total: end - healthy, react: killed - healthy, engine: at('destroy', 'old', true) - killed };
}

function median(list: readonly number[]): number {
  return [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? NaN;
}

function summary(list: readonly Timing[], note = ''): string {
  const totals = list.map((t) => t.total);
  const ms = (value: number): string => `${value.toFixed(0)} ms`;
  return [
    `median ${ms(median(totals))}, max ${ms(Math.max(...totals))}${note}  [${totals.map((t) => t.toFixed(0)).join(', ')}]`,
    `      of which (medians): healthy → first docker stop of an old container ${ms(median(list.map((t) => t.react)))},` +
      ` engine stop + remove ${ms(median(list.map((t) => t.engine)))}, the rest ${ms(median(list.map((t) => t.total - t.react - t.engine)))}`,
  ].join('\n');
}

const proxynetExisted = (await docker.listNetworks({ filters: { name: [PROXY_NETWORK] } })).some((n) => n.Name === PROXY_NETWORK);
const watch = await watchContainerEvents(docker, [`${LABEL_PROJECT}=${project}`]);
try {
  await pullImage(docker, IMAGE);
  await setVersion('v0');
  await runSteps([validate, render, diff, rollout]); // first deploy, not timed
  const times = { railyard: [] as Timing[], baseline: [] as Timing[] };
  for (let i = 1; i <= ROUNDS; i++) {
    times.railyard.push(await round(watch, 'railyard', `r${i}`));
    times.baseline.push(await round(watch, 'baseline', `b${i}`));
  }
  console.log(`rollout of one stateless service (${IMAGE}, healthcheck every 1 s), ${ROUNDS} rounds each, alternating;`);
  console.log('time from the new container\'s first healthy event to the end of the rollout:');
  console.log(`  railyard (Docker events, in-process steps): ${summary(times.railyard, ' (target <= 300 ms)')}`);
  console.log(`  baseline docker-rollout (1 s health polls): ${summary(times.baseline)}`);
} finally {
  watch.close();
  await execa('docker', ['compose', '-p', project, 'down', '-t', '1', '--remove-orphans'], { cwd: root, reject: false });
  if (!proxynetExisted) await execa('docker', ['network', 'rm', PROXY_NETWORK], { reject: false });
  await rm(root, { recursive: true, force: true });
}
