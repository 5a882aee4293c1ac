import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RunStore } from '../../pipeline/run-store.ts';
import { tempRoot } from '../helpers/runner.ts';

describe('RunStore figures for /metrics', () => {
  it('counts runs by pipeline and status, gives durations of finished runs and the last success per pipeline', async () => {
    const store = RunStore.open(join(await tempRoot('railyard-stats-'), 'railyard.db'));
    const add = (pipeline: string) => store.insertRun({ pipeline, project: 'alpha', service: undefined, trigger: { kind: 'cli' }, commit: undefined, configHash: undefined });
    const ok = add('deploy');
    store.startRun(ok);
    store.finishRun(ok, 'succeeded');
    const bad = add('deploy');
    store.startRun(bad);
    store.finishRun(bad, 'failed', { step: 'diff', code: 'DOCKER_UNREACHABLE', message: 'no engine' });
    add('sync');
    assert.deepEqual(store.countRuns(), [
      { pipeline: 'deploy', status: 'failed', count: 1 },
      { pipeline: 'deploy', status: 'succeeded', count: 1 },
      { pipeline: 'sync', status: 'queued', count: 1 },
    ]);
    assert.deepEqual(store.runDurations().map((d) => [d.pipeline, d.ms >= 0]), [['deploy', true], ['deploy', true]]);
    const successes = store.lastSuccesses();
    assert.deepEqual(successes.map((s) => s.pipeline), ['deploy']);
    assert.equal(successes[0]!.at, store.getRun(ok)!.finishedAt);
    store.close();
  });
});
