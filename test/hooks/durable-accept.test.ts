import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describePipelines, durableAccept, shapeRegistry } from '../../hooks/durable-accept.ts';
import { isRailyardError } from '../../core/errors.ts';
import { RunStore, storePath } from '../../pipeline/run-store.ts';
import { waitForRun } from '../../pipeline/wait-for-run.ts';
import { testPipelines, type Hold } from '../helpers/hook-server.ts';
import { createTestRunner } from '../helpers/runner.ts';

describe('durableAccept (group commit on the HTTP thread)', () => {
  it('journals one turn of triggers in one transaction; a refused or broken request takes nothing else with it', async () => {
    const hold: Hold = { executions: [], blocker: undefined };
    const t = await createTestRunner({ pipelines: testPipelines(hold), start: false });
    const registry = shapeRegistry(describePipelines(testPipelines(hold)));
    let commits = 0;
    const accept = durableAccept(t.store, registry, () => (commits += 1));
    const answers = await Promise.allSettled([
      accept({ pipeline: 'update', project: 'alpha', trigger: { kind: 'workflow_job' }, delivery: { hook: 'h', id: '1' } }),
      accept({ pipeline: 'update', project: '../x', trigger: { kind: 'workflow_job' } }),
      accept({ pipeline: 'sync', project: '*', trigger: { kind: 'push', meta: { n: 1n } }, delivery: { hook: 'h', id: '2' } }),
      accept({ pipeline: 'sync', project: '*', trigger: { kind: 'push' }, delivery: { hook: 'h', id: '1' } }),
      accept({ pipeline: 'deploy', project: 'beta', trigger: { kind: 'api' } }),
    ]);
    assert.deepEqual(answers.map((a) => a.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled']);
    assert.ok(answers[1]!.status === 'rejected' && isRailyardError(answers[1].reason, 'USAGE'), 'the name check refuses it up front');
    const [first, , , repeated, deploy] = answers.map((a) => (a.status === 'fulfilled' ? a.value : undefined));
    assert.deepEqual([repeated!.duplicate, repeated!.runId], [true, first!.runId], 'a repeated delivery inside one turn is a duplicate');
    assert.equal(t.store.getRun(first!.runId)!.trigger.meta?.['pull'], true, "update's trigger meta is applied");
    assert.equal(t.store.getRun(deploy!.runId)!.status, 'queued');
    assert.equal(t.store.listRuns().length, 2);
    assert.equal(commits, 1);
    await t.close();
  });

  it('is committed before the caller hears back, on another connection than the runner, which adopts and merges the runs', async () => {
    const hold: Hold = { executions: [], blocker: undefined };
    const t = await createTestRunner({ pipelines: testPipelines(hold) });
    const store = RunStore.open(storePath(t.root));
    const accept = durableAccept(store, shapeRegistry(describePipelines(testPipelines(hold))), () => t.runner.adopt());
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => accept({ pipeline: 'deploy', project: `p${i % 2}`, trigger: { kind: 'api' } })));
    for (const answer of answers) assert.equal(t.store.getRun(answer.runId)?.pipeline, 'deploy', 'visible to the runner at once');
    const runs = await Promise.all(answers.map((a) => waitForRun(t.store, a.runId, { intervalMs: 10 })));
    assert.ok(runs.every((run) => run.status === 'succeeded'));
    assert.equal(hold.executions.length, 2, 'the triggers of each project merged into one job');
    store.close();
    await t.close();
  });
});
