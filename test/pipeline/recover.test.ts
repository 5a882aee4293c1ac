import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runJson, runLine } from '../../app/run-format.ts';
import { createPipeline } from '../../pipeline/pipeline.ts';
import { interruptRun } from '../../pipeline/recover.ts';
import { createRegistry } from '../../pipeline/registry.ts';
import { RunStore, storePath, type NewRun } from '../../pipeline/run-store.ts';
import type { Step } from '../../pipeline/types.ts';
import { waitForRun } from '../../pipeline/wait-for-run.ts';
import { createTestRunner, gate, tempRoot, until } from '../helpers/runner.ts';

const NEW: NewRun = { pipeline: 'work', project: 'alpha', service: undefined, trigger: { kind: 'cli' }, commit: undefined, configHash: undefined };

describe('interrupted runs point to their retry (retriedBy)', () => {
  it('names the retry of each interrupted run of a chain; a run that was not retried, or not interrupted, names none', async () => {
    const store = RunStore.open(storePath(await tempRoot('railyard-recover-')));
    try {
      const first = store.insertRun(NEW);
      store.startRun(first);
      const second = interruptRun(store, store.getRun(first)!, true, 'railyard stopped during the run').retryId!;
      store.startRun(second);
      const third = interruptRun(store, store.getRun(second)!, true, 'railyard was stopped during the run').retryId!;
      store.startRun(third);
      assert.equal(interruptRun(store, store.getRun(third)!, false, 'railyard stopped during the run').retryId, undefined);
      const other = store.insertRun({ ...NEW, project: 'beta' });

      assert.deepEqual([first, second, third, other].map((id) => store.getRun(id)?.retriedBy), [second, third, undefined, undefined]);
      assert.deepEqual(store.listRuns({ project: 'alpha' }).map((r) => [r.id, r.retriedBy]), [[third, undefined], [second, third], [first, second]]);
      assert.equal(runJson(store.getRun(first)!)['retriedBy'], second, 'GET /api/runs/:id and runs --json carry it');
      assert.match(runLine(store.getRun(first)!), new RegExp(`interrupted .*retried as #${second}`));

      const followed: string[] = [];
      const last = await waitForRun(store, first, { onFollow: (from, to) => followed.push(`${from.id}>${to}`) });
      assert.equal(last.id, third, 'the wait ends at the run that was not retried');
      assert.deepEqual(followed, [`${first}>${second}`, `${second}>${third}`]);
    } finally {
      store.close();
    }
  });

  it('stop() gives up on a step that ignores the abort: the run is recorded interrupted with a retry, its late outcome is dropped', async () => {
    const late = gate();
    const stubborn: Step<'stubborn', void> = { name: 'stubborn', run: () => late.wait() }; // never looks at ctx.signal
    const t = await createTestRunner({ pipelines: createRegistry([createPipeline('work', [stubborn])]) });
    const { runId } = t.runner.trigger({ pipeline: 'work', project: 'alpha', trigger: { kind: 'cli' } });
    await until(() => t.store.getRun(runId)?.status === 'running', 5000, 'the run to start');
    const started = Date.now();
    const stopped = await Promise.race([
      t.runner.stop({ drain: false, abandonAfterMs: 300 }).then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 5000)),
    ]);
    assert.ok(stopped, 'stop() returned although the step never stopped');
    assert.ok(Date.now() - started < 1500, `stop() took ${Date.now() - started} ms`);
    const run = t.store.getRun(runId)!;
    assert.deepEqual([run.status, run.error?.code, run.error?.step], ['interrupted', 'RUN_INTERRUPTED', 'stubborn']);
    assert.ok(run.retriedBy !== undefined && t.store.getRun(run.retriedBy)?.status === 'queued', 'the retry is queued for the next start');
    assert.ok(t.lines.some((l) => l.includes('"msg":"run abandoned: a step did not stop when aborted"')));

    late.open();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(t.store.getRun(runId)?.status, 'interrupted', 'the step finishing later does not rewrite the run');
    t.store.close();

    const quick: Step<'stubborn', void> = { name: 'stubborn', run: async () => undefined };
    const again = await createTestRunner({ pipelines: createRegistry([createPipeline('work', [quick])]), root: t.root });
    try {
      assert.equal((await waitForRun(again.store, runId)).status, 'succeeded', 'the next start runs the retry');
    } finally {
      await again.close();
    }
  });
});
