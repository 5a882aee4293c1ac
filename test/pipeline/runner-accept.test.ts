import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadEnv } from '../../config/env.ts';
import { isRailyardError } from '../../pipeline/errors.ts';
import { createTestRunner } from '../helpers/runner.ts';
import { probe, testPipelines } from './test-pipelines.ts';

describe('runner.accept and triggerAll (group commit)', () => {
  it('commits a batch in one transaction; a refused request takes nothing else with it', async () => {
    const p = probe();
    const t = await createTestRunner({ pipelines: testPipelines(p), start: false });
    const results = t.runner.triggerAll([
      { pipeline: 'work', project: 'alpha', trigger: { kind: 'push' }, delivery: { hook: 'h', id: '1' } },
      { pipeline: 'work', project: '../x', trigger: { kind: 'push' } },
      { pipeline: 'work', project: 'alpha', trigger: { kind: 'push', commit: 'c2' }, delivery: { hook: 'h', id: '2' } },
      { pipeline: 'work', project: 'beta', trigger: { kind: 'push' }, delivery: { hook: 'h', id: '1' } },
    ]);
    assert.ok(results[1] instanceof Error && isRailyardError(results[1], 'USAGE'));
    const [first, , second, third] = results as { runId: string; status: string; duplicate: boolean; supersededBy?: string }[];
    assert.deepEqual([first!.status, second!.status, second!.supersededBy], ['queued', 'superseded', first!.runId], 'merged inside the batch');
    assert.deepEqual([third!.duplicate, third!.runId], [true, first!.runId], 'a repeated delivery inside one batch is a duplicate');
    assert.equal(t.store.listRuns().length, 2);
    await t.close();
  });

  it('accept() answers each caller after the commit that holds its run; callers of one turn share it', async () => {
    const p = probe();
    const t = await createTestRunner({ pipelines: testPipelines(p) });
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => t.runner.accept({ pipeline: 'work', project: `p${i % 5}`, trigger: { kind: 'push' }, delivery: { hook: 'h', id: String(i) } })),
    );
    assert.equal(new Set(answers.map((a) => a.runId)).size, 50);
    for (const answer of answers) assert.ok(t.store.getRun(answer.runId) !== undefined, 'committed before the answer');
    await assert.rejects(t.runner.accept({ pipeline: 'nope', project: 'p1', trigger: { kind: 'cli' } }), (error) => isRailyardError(error, 'USAGE'));
    await t.runner.onIdle();
    assert.equal(p.executions.length, 5, 'one batch: the triggers of each project merged into one job before any started');
    assert.equal(answers.filter((a) => a.status === 'superseded').length, 45);
    await t.close();
  });

  it('setEnv hands runs started later the new environment', async () => {
    const p = probe();
    const t = await createTestRunner({ pipelines: testPipelines(p) });
    t.runner.setEnv(loadEnv({ root: t.root, environ: { LOG_LEVEL: 'warn' } }));
    await t.runner.accept({ pipeline: 'work', project: 'alpha', trigger: { kind: 'cli' } });
    await t.runner.onIdle();
    await t.close();
    assert.ok(!t.lines.some((line) => line.includes('"msg":"working"')), 'the run logged at the new level');
  });
});
