// The scheduler against a real runner and run store: real croner timers with
// second-granularity patterns for ticks, an injected clock for catch-up after
// a downtime of days. Scheduled runs use test pipelines named like the real ones.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import type { Schedules } from '../../config/db-types.ts';
import { createLogger } from '../../core/logger.ts';
import type { RunRecord } from '../../pipeline/run-record.ts';
import { RunStore, storePath } from '../../pipeline/run-store.ts';
import { planSchedules, RECONCILE_DEFAULT } from '../../pipeline/schedule-plan.ts';
import { startScheduler, type Scheduler } from '../../pipeline/scheduler.ts';
import { waitForRun } from '../../pipeline/wait-for-run.ts';
import { createTestRunner, gate, lineSink, tempRoot, until, type TestRunner } from '../helpers/runner.ts';
import { probe, scheduledPipelines, type Probe } from './test-pipelines.ts';

const EVERY_SECOND = '* * * * * *';
const DAY_MS = 86_400_000;
const REPO = { repoUrl: 'https://git.example.test/stack.git' };
const NO_REPO = { repoUrl: undefined };

/** A daily pattern whose tick is ~12 hours away: it never fires during a test. */
const dailyFarAway = (): string => `0 ${(new Date().getHours() + 12) % 24} * * *`;

interface Setup {
  readonly t: TestRunner;
  readonly p: Probe;
  /** Scheduler log lines (JSON). */
  readonly lines: string[];
  start(schedules: Schedules, options?: { now?: () => number; env?: { repoUrl: string | undefined } }): Scheduler;
  /** Runs of `pipeline`, oldest first (readable after `t.stop()`). */
  runs(pipeline: string): RunRecord[];
}

/** Stores stay open after `t.stop()` for the assertions; closed when the file is done. */
const opened: TestRunner[] = [];
after(() => opened.forEach((t) => t.store.close()));

async function setup(): Promise<Setup> {
  const p = probe();
  const t = await createTestRunner({ pipelines: scheduledPipelines(p) });
  opened.push(t);
  const { stream, lines } = lineSink();
  const log = createLogger({ level: 'info', destination: stream, pretty: false });
  return {
    t, p, lines,
    start: (schedules, options = {}) => startScheduler({
      env: options.env ?? NO_REPO, log, runner: t.runner, store: t.store, config: { schedules },
      ...(options.now && { now: options.now }),
    }),
    runs: (pipeline) => t.store.listRuns({ limit: 1000 }).filter((r) => r.pipeline === pipeline).reverse(),
  };
}

const messages = (lines: readonly string[], msg: string): Record<string, unknown>[] =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['msg'] === msg);

/** Runs one succeeded run of `pipeline` (the "last success" catch-up reads). */
async function succeed(s: Setup, pipeline: string): Promise<RunRecord> {
  const run = await waitForRun(s.t.store, s.t.runner.trigger({ pipeline, project: '*', trigger: { kind: 'cli' } }).runId, { intervalMs: 10 });
  assert.equal(run.status, 'succeeded');
  return run;
}

describe('scheduler: ticks', () => {
  it('triggers each schedule through the runner: stored runs with kind schedule; reconcile is a sync with `all`', async () => {
    const s = await setup();
    const scheduler = s.start({ 'threat-report': EVERY_SECOND, reconcile: EVERY_SECOND });
    try {
      await until(() => ['threat-report', 'sync'].every((name) => s.runs(name).some((r) => r.status === 'succeeded')), 5000, 'a scheduled run of each');
    } finally {
      scheduler.stop();
      await s.t.stop();
    }
    const [report] = s.runs('threat-report');
    assert.equal(report?.project, '*');
    assert.deepEqual(report?.trigger, { kind: 'schedule', meta: { schedule: 'threat-report' } });
    assert.deepEqual(s.runs('sync')[0]?.trigger, { kind: 'schedule', meta: { schedule: 'reconcile', all: true } });
    assert.equal(s.runs('backup').length, 0, 'a schedule left out is off');
    assert.ok(messages(s.lines, 'scheduled run queued').length >= 2);
  });

  it('never overlaps itself: ticks while its run is running are skipped and logged, the next tick after it runs', { timeout: 10_000 }, async () => {
    const s = await setup();
    const release = gate();
    s.p.hold = release.wait();
    const scheduler = s.start({ backup: EVERY_SECOND });
    try {
      await until(() => s.p.running === 1, 3000, 'the first scheduled backup to run');
      const [first] = s.runs('backup');
      await until(() => messages(s.lines, 'schedule skipped: its previous run is still in flight').length >= 2, 4000, 'two skipped ticks');
      assert.equal(s.runs('backup').length, 1, 'no second run while the first one runs');
      s.p.hold = undefined;
      release.open();
      await until(() => s.runs('backup').length >= 2 && s.runs('backup').every((r) => r.status === 'succeeded'), 4000, 'the next tick to run');
      const skipped = messages(s.lines, 'schedule skipped: its previous run is still in flight');
      assert.ok(skipped.every((l) => l['runId'] === first?.id && l['schedule'] === 'backup'));
    } finally {
      scheduler.stop();
      await s.t.stop();
    }
    assert.equal(s.p.overlapped, false);
    assert.equal(s.p.maxRunning, 1);
  });

  it('stop() clears every timer: no handle left, no tick after it', async () => {
    const s = await setup();
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const scheduler = s.start({ backup: EVERY_SECOND, 'threat-report': EVERY_SECOND, reconcile: EVERY_SECOND });
    assert.equal(timers(), before + 3, 'one timer per schedule');
    assert.equal(scheduler.next().length, 3);
    scheduler.stop();
    assert.equal(timers(), before);
    assert.deepEqual(scheduler.next(), []);
    scheduler.stop(); // twice is harmless
    await sleep(1300);
    await s.t.stop();
    assert.equal(s.t.store.listRuns().length, 0, 'no tick fired after stop');
  });
});

describe('scheduler: catch-up at start-up', () => {
  it('runs exactly once after a downtime that missed ten daily ticks, then not again', async () => {
    const s = await setup();
    await succeed(s, 'backup');
    const downtime = Date.now() + 10 * DAY_MS;
    const pattern = dailyFarAway();
    const scheduler = s.start({ backup: pattern }, { now: () => downtime });
    scheduler.stop();
    const runs = s.runs('backup');
    assert.equal(runs.length, 2, 'one catch-up run, not one per missed tick');
    assert.deepEqual(runs[1]?.trigger, { kind: 'schedule', meta: { schedule: 'backup', catchUp: true } });
    assert.equal((await waitForRun(s.t.store, runs[1]!.id)).status, 'succeeded');
    assert.equal(messages(s.lines, 'schedule missed a tick: catching up').length, 1);

    // The catch-up run is now the last success: a restart on the real clock has nothing to catch up.
    s.start({ backup: pattern }).stop();
    await s.t.stop();
    assert.equal(s.runs('backup').length, 2);
  });

  it('does not run when the last success is younger than the period', async () => {
    const s = await setup();
    await succeed(s, 'threat-report');
    s.start({ 'threat-report': dailyFarAway() }, { now: () => Date.now() + DAY_MS / 4 }).stop();
    await s.t.stop();
    assert.equal(s.runs('threat-report').length, 1);
    assert.equal(messages(s.lines, 'schedule missed a tick: catching up').length, 0);
  });

  it('a never-run schedule: nothing on a new stack, once on a stack that ran through a tick without it', async () => {
    const s = await setup();
    s.start({ backup: dailyFarAway() }, { now: () => Date.now() + 10 * DAY_MS }).stop();
    assert.equal(s.runs('backup').length, 0, 'an empty store: a new stack');

    await succeed(s, 'threat-report');
    s.start({ backup: dailyFarAway() }, { now: () => Date.now() + DAY_MS / 4 }).stop();
    assert.equal(s.runs('backup').length, 0, 'the stack is younger than a tick');
    s.start({ backup: dailyFarAway() }, { now: () => Date.now() + 2 * DAY_MS }).stop();
    await s.t.runner.onIdle();
    await s.t.stop();
    assert.deepEqual(s.runs('backup').map((r) => [r.status, r.trigger.meta?.['catchUp']]), [['succeeded', true]]);
  });

  it('does not catch up while a run of the pipeline is already in flight (e.g. a recovered one)', async () => {
    const s = await setup();
    await succeed(s, 'backup');
    const release = gate();
    s.p.hold = release.wait();
    s.t.runner.trigger({ pipeline: 'backup', project: '*', trigger: { kind: 'recovery' } });
    await until(() => s.p.running === 1);
    s.start({ backup: dailyFarAway() }, { now: () => Date.now() + 3 * DAY_MS }).stop();
    release.open();
    await s.t.stop();
    assert.equal(s.runs('backup').length, 2);
    assert.equal(messages(s.lines, 'schedule skipped: its previous run is still in flight').length, 1);
  });
});

describe('scheduler: which schedules run', () => {
  it('reconcile defaults to every 10 minutes only when REPO_URL is set; `reconcile: false` turns it off', async () => {
    assert.deepEqual(planSchedules({}, REPO), [{ name: 'reconcile', pipeline: 'sync', pattern: RECONCILE_DEFAULT, meta: { all: true, schedule: 'reconcile' } }]);
    assert.deepEqual(planSchedules({}, NO_REPO), []);
    assert.deepEqual(planSchedules({ reconcile: false }, REPO), []);
    assert.deepEqual(planSchedules({ reconcile: '0 * * * *' }, NO_REPO).map((p) => p.pattern), ['0 * * * *'], 'an explicit reconcile runs without REPO_URL');
    assert.deepEqual(planSchedules({ backup: '0 5 * * *' }, NO_REPO).map((p) => [p.name, p.pipeline]), [['backup', 'backup']]);

    const s = await setup();
    const withRepo = s.start({}, { env: REPO });
    const [next] = withRepo.next();
    withRepo.stop();
    assert.equal(next?.name, 'reconcile');
    assert.equal(next.at.getMinutes() % 10, 0);
    assert.ok(next.at.getTime() - Date.now() <= 10 * 60_000);
    const off = s.start({ reconcile: false }, { env: REPO });
    assert.deepEqual(off.next(), []);
    off.stop();
    const none = s.start({}, { env: NO_REPO });
    assert.deepEqual(none.next(), []);
    none.stop();
    await s.t.stop();
  });
});

describe('scheduled runs through `railyard worker`', () => {
  const BIN = new URL('../../bin/railyard.js', import.meta.url).pathname;

  it('runs db.yml schedules and shows them in `railyard runs --json`; --no-schedule runs none', { timeout: 20_000 }, async () => {
    const root = await tempRoot('railyard-schedule-');
    await mkdir(join(root, 'data', 'blacklist'), { recursive: true });
    await writeFile(join(root, 'data', 'blacklist', 'blacklist-outbound-ips.txt'), '');
    await writeFile(join(root, 'db.yml'), `schedules:\n  threat-report: "${EVERY_SECOND}"\nprojects: []\n`);
    const environ = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: root, LOG_LEVEL: 'info' };
    const railyard = (...args: string[]) => execa(process.execPath, [BIN, '--root', root, ...args], { env: environ, extendEnv: false, reject: false });
    const store = RunStore.open(storePath(root));
    try {
      const worker = railyard('worker');
      await until(() => store.listRuns().some((r) => r.status === 'succeeded'), 10_000, 'a scheduled run to succeed').finally(() => worker.kill('SIGTERM'));
      const stopped = await worker;
      assert.equal(stopped.exitCode, 0, stopped.stderr);
      assert.match(stopped.stderr, /scheduler started/);

      const result = await railyard('runs', '--json');
      assert.equal(result.exitCode, 0, result.stderr);
      const runs = JSON.parse(result.stdout) as { pipeline: string; trigger: { kind: string; meta?: Record<string, unknown> } }[];
      assert.ok(runs.length >= 1);
      const scheduled = (r: (typeof runs)[number]): boolean => r.pipeline === 'threat-report' && r.trigger.kind === 'schedule' && r.trigger.meta?.['schedule'] === 'threat-report';
      assert.ok(runs.every(scheduled), JSON.stringify(runs));

      const quiet = railyard('worker', '--no-schedule');
      let stderr = '';
      quiet.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      await until(() => stderr.includes('runner started'), 10_000, 'the --no-schedule worker to start');
      await sleep(1500);
      quiet.kill('SIGTERM');
      assert.equal((await quiet).exitCode, 0);
      assert.doesNotMatch(stderr, /scheduler started/);
      assert.equal(store.listRuns({ limit: 1000 }).length, runs.length, '--no-schedule ran nothing');
    } finally {
      store.close();
    }
  });
});
