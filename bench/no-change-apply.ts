/**
 * P1: a no-change apply of a 20-project / 40-service stack (target: ≥ 100×
 * faster than itsUP), against the itsUP-equivalent command sequence, measured
 * in the same run on the same running containers:
 *   per project `docker compose up -d`; per service `docker compose config --hash`,
 *   `docker ps --filter label=…`, `docker inspect` (itsUP's smart_deploy, without
 *   its `docker compose pull`).
 * railyard runs in-process through the real steps, two ways:
 *   1. as `railyard apply` runs it: the sync run (pull → validate → render →
 *      drift, one stack-wide diff) and then a deploy run for each project the
 *      drift names (none when nothing changed);
 *   2. one stack-wide pass: validate → render once, then every project's plan
 *      from ONE container listing and ONE image listing (the diff step's
 *      planner), and rollout with nothing to do.
 * Not the CLI: a stack-wide `railyard apply` also deploys the proxy, whose
 * images (Traefik, socket proxy) cannot be pulled here, and a process per
 * project would time node + tsx start-up rather than railyard.
 * The stack is brought up first (not timed) and taken down at the end.
 * Run: node --import tsx bench/no-change-apply.ts   (BENCH_PROJECTS, BENCH_ROUNDS)
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { execa } from 'execa';
import { loadEnv } from '../config/env.ts';
import { createLogger } from '../core/logger.ts';
import { createStepContext } from '../pipeline/step-context.ts';
import type { Step } from '../pipeline/types.ts';
import { listContainers } from '../runtime/containers.ts';
import { createDocker, pingDocker } from '../runtime/docker.ts';
import { localImageIds, pullImage } from '../runtime/images.ts';
import { PROXY_NETWORK } from '../runtime/network.ts';
import { buildPlan } from '../steps/diff/plan.ts';
import { desiredFromRender, type DiffResult } from '../steps/diff/index.ts';
import type { DriftResult } from '../steps/drift.ts';
import { diff, drift, PIPELINE_STEPS, render, rollout, validate } from '../steps/index.ts';
import type { RenderResult } from '../steps/render/index.ts';
import { applyPlan, type RolloutResult } from '../steps/rollout/index.ts';
import type { ValidateResult } from '../steps/validate.ts';
import { runnableStack } from './generate-stack.ts';

const PROJECTS = Number(process.env['BENCH_PROJECTS'] ?? 20);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const IMAGE = '127.0.0.1:5000/railyard-test/sleeper:1';
const HOSTS = ['app', 'worker'];

const root = await mkdtemp(join(tmpdir(), 'railyard-bench-nochange-'));
const prefix = `rybench-${randomBytes(3).toString('hex')}-`;
const projects = Array.from({ length: PROJECTS }, (_, i) => `${prefix}p${i}`);
const dockerHost = process.env['DOCKER_HOST'];
const env = loadEnv({ root, environ: dockerHost === undefined ? {} : { DOCKER_HOST: dockerHost } });
const docker = createDocker(env.dockerHost);
// Logs as a real run writes them (JSON, info level), into nothing.
const log = createLogger({ level: 'info', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) });
const stepMs = new Map<string, number[]>();

/** One run of `steps` for `project`, in-process: one context per step, as the runner builds them. */
async function runSteps(steps: readonly Step[], project: string, meta?: Record<string, unknown>): Promise<Map<Step, unknown>> {
  const results = new Map<Step, unknown>();
  const scope = {
    runId: `bench-${project}`, pipeline: 'deploy', project, service: undefined, trigger: { kind: 'cli' as const, ...(meta && { meta }) },
    env, log, signal: new AbortController().signal, clients: { docker }, recordCommit: () => undefined,
  };
  for (const step of steps) {
    const started = performance.now();
    results.set(step, await step.run(createStepContext(scope, step, results)));
    stepMs.set(step.name, [...(stepMs.get(step.name) ?? []), performance.now() - started]);
  }
  return results;
}

/**
 * Way 1, as `railyard apply` runs it: the sync run with `all` (its drift step
 * diffs the whole stack once), then a deploy run for each project it names.
 * Resolves with the number of changes seen.
 */
async function applyAsRunner(): Promise<number> {
  const sync = await runSteps(PIPELINE_STEPS.sync, '*', { all: true });
  const drifted = (sync.get(drift) as DriftResult).projects ?? projects;
  let changes = 0;
  for (const project of projects.filter((name) => drifted.includes(name))) {
    const results = await runSteps(PIPELINE_STEPS.deploy, project);
    changes += (results.get(diff) as DiffResult).changes + (results.get(rollout) as RolloutResult).services.length;
  }
  return changes;
}

/** Way 2: one validate and render, one listing of containers and images, a plan and a rollout per project. */
async function applyStackWide(): Promise<number> {
  const results = await runSteps([validate, render], '*');
  const { config } = results.get(validate) as ValidateResult;
  const desired = desiredFromRender(results.get(render) as RenderResult, config, root);
  await pingDocker(docker);
  const [containers, imageIds] = await Promise.all([listContainers(docker), localImageIds(docker)]);
  let changes = 0;
  for (const project of desired.filter((p) => projects.includes(p.name))) {
    const plan = buildPlan([project], containers, imageIds, { project: project.name });
    const result = { plan, diffs: {}, changes: plan.filter((p) => p.action !== 'unchanged').length, desired: [project] };
    changes += result.changes + (await applyPlan(docker, result, { root, log })).services.length;
  }
  return changes;
}

/** The itsUP sequence for one project, in its order: `up -d`, then the hash check of each service. */
async function itsupDeploy(project: string): Promise<number> {
  const cwd = join(root, 'upstream', project);
  await execa('docker', ['compose', 'up', '-d'], { cwd });
  let mismatches = 0;
  for (const host of HOSTS) {
    const service = `${project}-${host}`;
    const hash = (await execa('docker', ['compose', 'config', '--hash', service], { cwd })).stdout.trim().split(/\s+/)[1];
    const ids = (await execa('docker', ['ps', '--filter', `label=com.docker.compose.service=${service}`, '--format', '{{.ID}}'])).stdout.split('\n').filter(Boolean);
    const label = '{{index .Config.Labels "com.docker.compose.config-hash"}}';
    const running = (await execa('docker', ['inspect', ids[0] ?? '', '--format', label], { reject: false })).stdout.trim();
    if (hash === undefined || hash !== running) mismatches++;
  }
  return mismatches;
}

/** Runs `fn` `rounds` times; throws when a round reports changes on the unchanged stack. */
async function measure(name: string, rounds: number, fn: () => Promise<number>): Promise<{ first: number; median: number }> {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const changes = await fn();
    times.push(performance.now() - started);
    if (changes !== 0) throw new Error(`${name}, round ${round}: ${changes} change(s) on an unchanged stack`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { first: times[0] ?? NaN, median: sorted[Math.floor(sorted.length / 2)] ?? NaN };
}

async function containerStates(): Promise<string[]> {
  return (await listContainers(docker)).filter((c) => c.project.startsWith(prefix)).map((c) => `${c.id}:${c.state}`).sort();
}

const ms = (value: number): string => `${value.toFixed(0)} ms`;
const proxynetExisted = (await docker.listNetworks({ filters: { name: [PROXY_NETWORK] } })).some((n) => n.Name === PROXY_NETWORK);
try {
  await pullImage(docker, IMAGE);
  await writeFile(join(root, 'db.yml'), runnableStack(projects, IMAGE));
  console.error(`bringing up ${PROJECTS} projects / ${PROJECTS * HOSTS.length} services (not timed)…`);
  for (const project of projects) await runSteps(PIPELINE_STEPS.deploy, project);
  const before = await containerStates();
  if (before.filter((c) => c.endsWith(':running')).length !== PROJECTS * HOSTS.length) throw new Error(`not every container runs: ${before.join(' ')}`);
  stepMs.clear();

  const runner = await measure('railyard (runner)', ROUNDS, applyAsRunner);
  const perStep = [...stepMs].map(([name, list]) => `${name} ${(list.reduce((a, b) => a + b, 0) / list.length).toFixed(1)}`).join(', ');
  const stackWide = await measure('railyard (stack-wide)', ROUNDS, applyStackWide);
  const baseline = await measure('itsUP baseline', 1, async () => {
    let mismatches = 0;
    for (const project of projects) mismatches += await itsupDeploy(project);
    return mismatches;
  });
  if ((await containerStates()).join() !== before.join()) throw new Error('containers changed during the benchmark: one side was not a no-op');

  console.log(`no-change apply, ${PROJECTS} projects / ${PROJECTS * HOSTS.length} services (${IMAGE}, all running); railyard in-process through the steps:`);
  console.log(`  railyard as \`railyard apply\` runs it (sync run with its stack-wide drift check, then deploy runs only where needed): first ${ms(runner.first)}, median of ${ROUNDS} ${ms(runner.median)}`);
  console.log(`    mean ms per step run: ${perStep}`);
  console.log(`  railyard stack-wide pass (validate, render, 1 container + 1 image listing, ${PROJECTS} plans, rollout): first ${ms(stackWide.first)}, median ${ms(stackWide.median)}`);
  console.log(`  baseline itsUP sequence (${PROJECTS * (1 + 3 * HOSTS.length)} processes: ${PROJECTS}× compose up -d; ${PROJECTS * HOSTS.length}× compose config --hash, docker ps, docker inspect): ${ms(baseline.median)}`);
  console.log(`  ratio baseline/railyard: ${(baseline.median / runner.median).toFixed(0)}x as the runner runs it, ${(baseline.median / stackWide.median).toFixed(0)}x stack-wide (target >= 100x)`);
  console.log('  no container was created, recreated or removed by either side');
} finally {
  console.error('cleaning up…');
  for (const project of projects) await execa('docker', ['compose', '-p', project, 'down', '-t', '1', '--remove-orphans'], { cwd: root, reject: false });
  if (!proxynetExisted) await execa('docker', ['network', 'rm', PROXY_NETWORK], { reject: false });
  await rm(root, { recursive: true, force: true });
}
