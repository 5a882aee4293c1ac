import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { acquireRunnerLock } from '../../pipeline/runner-lock.ts';
import { RunStore, storePath, type NewRun } from '../../pipeline/run-store.ts';
import { waitForRun } from '../../pipeline/wait-for-run.ts';
import { createTestRunner, gate, tempRoot, until } from '../helpers/runner.ts';
import { probe, testPipelines } from './test-pipelines.ts';

const run = (project: string, commit: string, extra: Partial<NewRun> = {}): NewRun => ({
  pipeline: 'work', project, service: undefined, trigger: { kind: 'push', commit }, commit, configHash: undefined, ...extra,
});

describe('crash recovery (in process; test/pipeline/crash-recovery.test.ts kills a real process)', () => {
  it('marks runs left running interrupted and retries them (at most twice); queued runs run; newer queued triggers merge in', async () => {
    const root = await tempRoot();
    const left = RunStore.open(storePath(root));
    const a = left.insertRun(run('alpha', 'c1'));
    left.startRun(a);
    left.startStep(a, 0, 'work');
    const b = left.insertRun(run('beta', 'b1'));
    const e = left.insertRun(run('alpha', 'c2'));
    // gamma's second retry (MAX_CRASH_RETRIES): dying again, it is not retried a third time.
    const firstRetry = left.insertRun(run('gamma', 'g1', { retryOf: b }));
    left.startRun(firstRetry);
    left.finishRun(firstRetry, 'interrupted', { step: 'work', code: 'RUN_INTERRUPTED', message: 'railyard stopped during the run' });
    const d = left.insertRun(run('gamma', 'g1', { retryOf: b }));
    left.startRun(d);
    left.close();

    const p = probe();
    const t = await createTestRunner({ pipelines: testPipelines(p), root });
    await t.runner.onIdle();
    await t.stop();
    const interrupted = t.store.getRun(a)!;
    assert.equal(interrupted.status, 'interrupted');
    assert.equal(interrupted.error?.code, 'RUN_INTERRUPTED');
    assert.equal(interrupted.error?.step, 'work');
    assert.deepEqual(t.store.stepsOf(a).map((s) => s.status), ['interrupted']);
    // The retry merges into the alpha trigger queued after the crash; that run does the work, with the newer commit.
    const retry = t.store.getRun(t.store.retryAfter(interrupted)!)!;
    assert.deepEqual([retry.retryOf, retry.status, retry.supersededBy], [a, 'superseded', e]);
    assert.deepEqual([t.store.getRun(e)?.status, t.store.getRun(e)?.commit], ['succeeded', 'c2']);
    assert.equal((await waitForRun(t.store, a)).id, e);
    assert.equal(t.store.getRun(b)?.status, 'succeeded');
    assert.equal(t.store.getRun(d)?.status, 'interrupted', 'a second retry that dies is not retried again');
    assert.deepEqual(p.executions.map((x) => [x.project, x.commit]).sort(), [['alpha', 'c2'], ['beta', 'b1']]);
    assert.equal(t.store.runsWithStatus('running').length + t.store.runsWithStatus('queued').length, 0);
  });

  it('stop() interrupts a running job and queues it again; the next start runs it', async () => {
    const p = probe();
    p.hold = gate().wait(); // never opens
    const first = await createTestRunner({ pipelines: testPipelines(p) });
    const { runId } = first.runner.trigger({ pipeline: 'work', project: 'alpha', trigger: { kind: 'cli' } });
    await until(() => p.running === 1);
    await first.close({ drain: false });

    p.hold = undefined;
    const second = await createTestRunner({ pipelines: testPipelines(p), root: first.root });
    const done = await waitForRun(second.store, runId);
    await second.stop();
    assert.deepEqual([second.store.getRun(runId)?.status, second.store.getRun(runId)?.error?.step], ['interrupted', 'work']);
    assert.equal(done.retryOf, runId);
    assert.equal(done.status, 'succeeded');
    assert.equal(p.executions.length, 2);
  });

  it('cancels a pending run and a running one', async () => {
    const p = probe();
    const release = gate();
    p.hold = release.wait();
    const t = await createTestRunner({ pipelines: testPipelines(p) });
    const running = t.runner.trigger({ pipeline: 'work', project: 'alpha', trigger: { kind: 'cli' } }).runId;
    await until(() => p.running === 1);
    const pending = t.runner.trigger({ pipeline: 'work', project: 'alpha', trigger: { kind: 'cli' } }).runId;
    assert.equal(t.runner.cancel(pending), true);
    assert.equal(t.runner.cancel(running), true);
    assert.equal(t.runner.cancel('999'), false);
    await t.runner.onIdle();
    await t.stop();
    assert.deepEqual([t.store.getRun(pending)?.status, t.store.getRun(pending)?.error?.code], ['cancelled', 'RUN_CANCELLED']);
    assert.deepEqual([t.store.getRun(running)?.status, t.store.getRun(running)?.error?.code], ['cancelled', 'RUN_CANCELLED']);
    assert.equal(p.executions.length, 1);
  });

  it('commits follow-up runs with the success of the run that asked for them', async () => {
    const p = probe();
    const pipelines = testPipelines(p, {
      followUps: (parent) => ['x', 'y'].map((project) => ({ pipeline: 'work', project, trigger: { kind: 'push', parentRunId: parent }, configHash: `h-${project}` })),
    });
    const t = await createTestRunner({ pipelines });
    const parent = await waitForRun(t.store, t.runner.trigger({ pipeline: 'fan', project: '*', trigger: { kind: 'push' } }).runId);
    await t.runner.onIdle();
    await t.stop();
    const children = t.store.childrenOf(parent.id);
    assert.deepEqual(children.map((c) => [c.project, c.status, c.trigger.parentRunId, c.configHash]), [
      ['x', 'succeeded', parent.id, 'h-x'],
      ['y', 'succeeded', parent.id, 'h-y'],
    ]);
    assert.equal(t.store.deployedHash('x'), 'h-x');
  });

  it('fails the run, rather than leaving it running, when its follow-up runs cannot be queued', async () => {
    const pipelines = testPipelines(probe(), { followUps: () => [{ pipeline: 'work', project: '../bad', trigger: { kind: 'push' } }] });
    const t = await createTestRunner({ pipelines });
    const parent = await waitForRun(t.store, t.runner.trigger({ pipeline: 'fan', project: '*', trigger: { kind: 'push' } }).runId);
    await t.stop();
    assert.deepEqual([parent.status, parent.error?.code], ['failed', 'UNEXPECTED']);
    assert.equal(t.store.childrenOf(parent.id).length, 0);
  });

  it('lets one runner hold a stack root at a time; the lock goes with its holder', async () => {
    const root = await tempRoot();
    const lock = acquireRunnerLock(root);
    assert.ok(lock);
    assert.equal(acquireRunnerLock(root), undefined);
    lock.release();
    const again = acquireRunnerLock(root);
    assert.ok(again);
    again.release();
  });
});
