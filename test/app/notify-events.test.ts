// The drift notification names why each project drifted, a down swarm node
// among it (issue 13: "a node going down shows as drift with the node named").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runEvents } from '../../app/notify-events.ts';
import type { RunRecord } from '../../pipeline/run-record.ts';
import { drift, type DriftResult } from '../../steps/drift.ts';

const run: RunRecord = {
  id: '7', pipeline: 'sync', project: '*', service: undefined, trigger: { kind: 'schedule' }, commit: undefined, configHash: undefined,
  status: 'succeeded', supersededBy: undefined, retryOf: undefined, retriedBy: undefined, error: undefined, createdAt: 1, startedAt: 1, finishedAt: 2,
};
const outcome = (found: DriftResult) => ({ status: 'succeeded' as const, error: undefined, results: new Map([[drift, found]]) });

describe('notify events: drift', () => {
  it('names each drifted project with its services\' reasons', () => {
    const found: DriftResult = {
      projects: ['shop', 'blog'],
      reasons: { shop: ['web: swarm node wrk-1 is down; its 2 task(s) were rescheduled (4/4 running)'], blog: [] },
    };
    const event = runEvents(run, outcome(found), 'succeeded').find((e) => e.event === 'drift');
    assert.equal(event?.message, 'the host differs from db.yml in shop (web: swarm node wrk-1 is down; its 2 task(s) were rescheduled (4/4 running)), blog; deploy runs were queued');
  });

  it('tells nothing when nothing drifted', () => {
    assert.deepEqual(runEvents(run, outcome({ projects: [], reasons: {} }), 'succeeded').map((e) => e.event), ['succeeded']);
  });
});
