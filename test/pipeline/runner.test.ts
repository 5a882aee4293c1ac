import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { isRailyardError } from '../../core/errors.ts';
import { storePath } from '../../pipeline/run-store.ts';
import { waitForRun } from '../../pipeline/wait-for-run.ts';
import { createTestRunner, gate, until } from '../helpers/runner.ts';
import { probe, testPipelines } from './test-pipelines.ts';

describe('runner', () => {
  it('records a run: status, steps with durations, the commit and the log', async () => {
    const p = probe();
    const t = await createTestRunner({ pipelines: testPipelines(p) });
    const accepted = t.runner.trigger({ pipeline: 'work', project: 'alpha', trigger: { kind: 'cli', commit: 'c0ffee' } });
    assert.equal(accepted.status, 'queued');
    const run = await waitForRun(t.store, accepted.runId);
    await t.stop();
    assert.equal(run.status, 'succeeded');
    assert.equal(run.commit, 'c0ffee');
    assert.ok(run.startedAt !== undefined && run.finishedAt !== undefined && run.finishedAt >= run.startedAt);
    const steps = t.store.stepsOf(run.id);
    assert.deepEqual(steps.map((s) => [s.name, s.status]), [['work', 'succeeded'], ['after', 'succeeded']]);
    assert.ok(steps.every((s) => typeof s.durationMs === 'number'));
    const log = t.store.logOf(run.id).map((l) => JSON.parse(l) as { msg: string; runId: string; step?: string; project: string });
    assert.ok(log.some((l) => l.msg === 'working' && l.step === 'work' && l.runId === run.id && l.project === 'alpha'));
    assert.equal(log.at(-1)?.msg, 'run finished');
  });

  it('wakes a waiter on the store when a run ends (nextFinish), not at its next poll', async () => {
    const p = probe();
    const release = gate();
    p.hold = release.wait();
    const t = await createTestRunner({ pipelines: testPipelines(p) });
    const { runId } = t.runner.trigger({ pipeline: 'work', project: 'alpha', trigger: { kind: 'cli' } });
    await until(() => p.running === 1, 5000, 'the job to start');
    const waited = waitForRun(t.store, runId, { intervalMs: 60_000, wake: () => t.runner.nextFinish() });
    const released = Date.now();
    release.open();
    const run = await waited;
    const ms = Date.now() - released;
    await t.stop();
    assert.equal(run.status, 'succeeded');
    assert.ok(ms < 10_000, `the waiter saw the end after ${ms} ms (its poll is 60 s)`);
  });

  it('fails a run at the failing step, with its code and one-line message; later steps do not run', async () => {
    const p = probe();
    const t = await createTestRunner({ pipelines: testPipelines(p) });
    const run = await waitForRun(t.store, t.runner.trigger({ pipeline: 'fails', project: 'alpha', trigger: { kind: 'cli' } }).runId);
    await t.stop();
    assert.equal(run.status, 'failed');
    assert.deepEqual(run.error, { step: 'boom', code: 'COMPOSE_FAILED', message: 'compose refused the file' });
    assert.deepEqual(t.store.stepsOf(run.id).map((s) => [s.name, s.status, s.error?.code]), [
      ['work', 'succeeded', undefined],
      ['boom', 'failed', 'COMPOSE_FAILED'],
    ]);
  });

  it('coalesces 10 triggers during a slow job: 2 executions, 8 superseded, the newest commit wins', async () => {
    const p = probe();
    const release = gate();
    p.hold = release.wait();
    const t = await createTestRunner({ pipelines: testPipelines(p) });
    const ids = [t.runner.trigger({ pipeline: 'work', project: 'alpha', trigger: { kind: 'push', commit: 'c1' } }).runId];
    await until(() => p.running === 1, 5000, 'the first job to start');
    const answers = [];
    for (let i = 2; i <= 10; i += 1) {
      answers.push(t.runner.trigger({ pipeline: 'work', project: 'alpha', trigger: { kind: 'push', commit: `c${i}` } }));
    }
    ids.push(...answers.map((a) => a.runId));
    assert.deepEqual(answers.map((a) => a.status), ['queued', ...Array(8).fill('superseded')]);
    assert.ok(answers.slice(1).every((a) => a.supersededBy === ids[1]), 'the answer names the run that does the work');
    release.open();
    await t.runner.onIdle();
    await t.stop();
    assert.deepEqual(p.executions.map((e) => e.commit), ['c1', 'c10']);
    const runs = ids.map((id) => t.store.getRun(id)!);
    const superseded = runs.filter((r) => r.status === 'superseded');
    assert.equal(superseded.length, 8);
    assert.ok(superseded.every((r) => r.supersededBy === ids[1]), 'every superseded run names the pending run that absorbed it');
    assert.deepEqual([runs[0]!.status, runs[1]!.status], ['succeeded', 'succeeded']);
    assert.equal(runs[1]!.commit, 'c10');
    assert.equal(p.maxRunning, 1);
  });

  it('merges into the widest scope, keeps flags such as pull, and merges pipelines by the table', async () => {
    const p = probe();
    const release = gate();
    p.hold = release.wait();
    const t = await createTestRunner({ pipelines: testPipelines(p) });
    t.runner.trigger({ pipeline: 'work', project: 'busy', trigger: { kind: 'cli' } });
    t.runner.trigger({ pipeline: 'work', project: 'same', service: 'web', trigger: { kind: 'cli' } });
    await until(() => p.running === 2);
    t.runner.trigger({ pipeline: 'other', project: 'busy', service: 'web', trigger: { kind: 'update-upstream', meta: { pull: true } } });
    t.runner.trigger({ pipeline: 'other', project: 'busy', service: 'db', trigger: { kind: 'update-upstream' } });
    t.runner.trigger({ pipeline: 'work', project: 'busy', service: 'db', trigger: { kind: 'cli', commit: 'c2' } });
    t.runner.trigger({ pipeline: 'work', project: 'same', service: 'web', trigger: { kind: 'cli' } });
    release.open();
    await t.runner.onIdle();
    await t.stop();
    const busy = p.executions.filter((e) => e.project === 'busy');
    assert.equal(busy.length, 2);
    assert.deepEqual([busy[1]!.pipeline, busy[1]!.service, busy[1]!.commit, busy[1]!.meta?.['pull']], ['work', undefined, 'c2', true]);
    const same = p.executions.filter((e) => e.project === 'same');
    assert.deepEqual(same.map((e) => e.service), ['web', 'web']);
  });

  it('runs two projects side by side, never more than the global limit, never two jobs of one project', async () => {
    const p = probe();
    const release = gate();
    p.hold = release.wait();
    const t = await createTestRunner({ pipelines: testPipelines(p), environ: { RAILYARD_CONCURRENCY: '2' } });
    for (const project of ['a', 'b', 'c', 'a']) t.runner.trigger({ pipeline: 'work', project, trigger: { kind: 'cli' } });
    await until(() => p.running === 2, 5000, 'two jobs running at once');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(p.running, 2);
    release.open();
    await t.runner.onIdle();
    await t.stop();
    assert.equal(p.maxRunning, 2);
    assert.equal(p.overlapped, false);
    assert.deepEqual(p.executions.map((e) => e.project).sort(), ['a', 'a', 'b', 'c']);
  });

  it('gives each whole-stack pipeline its own queue: they neither wait for nor merge into each other', async () => {
    const p = probe();
    const release = gate();
    p.hold = release.wait();
    const t = await createTestRunner({ pipelines: testPipelines(p) });
    t.runner.trigger({ pipeline: 'fan', project: '*', trigger: { kind: 'push' } });
    t.runner.trigger({ pipeline: 'report', project: '*', trigger: { kind: 'schedule' } });
    await until(() => p.running === 2, 5000, 'both stack pipelines running');
    const pending = ['fan', 'report'].map((pipeline) => t.runner.trigger({ pipeline, project: '*', trigger: { kind: 'schedule' } }));
    assert.deepEqual(pending.map((a) => a.status), ['queued', 'queued']);
    release.open();
    await t.runner.onIdle();
    await t.stop();
    assert.deepEqual(p.executions.map((e) => e.pipeline).sort(), ['fan', 'fan', 'report', 'report']);
  });

  it('commits a trigger to the store before trigger() returns', async () => {
    const t = await createTestRunner({ pipelines: testPipelines(probe()), start: false });
    const accepted = t.runner.trigger({ pipeline: 'work', project: 'alpha', trigger: { kind: 'api', meta: { sender: 'me' } } });
    const other = new Database(storePath(t.root), { readonly: true });
    const row = other.prepare('SELECT status, trigger_kind, trigger_meta FROM runs WHERE id = ?').get(accepted.runId);
    other.close();
    await t.stop();
    assert.deepEqual(row, { status: 'queued', trigger_kind: 'api', trigger_meta: '{"sender":"me"}' });
  });

  it('detects a duplicate delivery id after a restart', async () => {
    const pipelines = testPipelines(probe());
    const delivery = { hook: 'github', id: '72d3162e-cc78-11e3-81ab-4c9367dc0958' };
    const first = await createTestRunner({ pipelines });
    const accepted = first.runner.trigger({ pipeline: 'work', project: 'alpha', trigger: { kind: 'push' }, delivery });
    await first.runner.onIdle();
    await first.close();
    const second = await createTestRunner({ pipelines, root: first.root });
    const again = second.runner.trigger({ pipeline: 'work', project: 'alpha', trigger: { kind: 'push' }, delivery });
    const other = second.runner.trigger({ pipeline: 'work', project: 'alpha', trigger: { kind: 'push' }, delivery: { ...delivery, hook: 'other' } });
    await second.runner.onIdle();
    await second.stop();
    assert.deepEqual([again.duplicate, again.runId, again.status], [true, accepted.runId, 'succeeded']);
    assert.equal(other.duplicate, false);
    assert.equal(second.store.listRuns({ limit: 10 }).length, 2);
  });

  it('refuses requests it could never run, with USAGE', async () => {
    const t = await createTestRunner({ pipelines: testPipelines(probe()), start: false });
    const bad = [
      { pipeline: 'nope', project: 'alpha' },
      { pipeline: 'work', project: '../etc' },
      { pipeline: 'work', project: 'alpha', service: 'a b' },
      { pipeline: 'work', project: '*' },
      { pipeline: 'fan', project: 'alpha' },
    ];
    for (const request of bad) {
      assert.throws(() => t.runner.trigger({ ...request, trigger: { kind: 'cli' } }), (e: unknown) => isRailyardError(e, 'USAGE'));
    }
    await t.stop();
    assert.equal(t.store.listRuns().length, 0);
  });
});
