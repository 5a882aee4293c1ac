// `railyard plan` is the status view of a swarm: each swarm service with
// tasks gets a line of its tasks per node, running against desired.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatPlan } from '../../cli/plan.ts';
import type { DiffResult } from '../../steps/diff/index.ts';
import type { SwarmPlannedService } from '../../steps/diff/swarm-plan.ts';

describe('formatPlan with swarm services', () => {
  it('prints the tasks per node under the service line', () => {
    const entry: SwarmPlannedService = {
      project: 'shop', service: 'shop-web', action: 'unchanged', reason: 'config hash matches; 4/4 running', containers: [], warnings: ['swarm node down: wrk'],
      runtime: 'swarm', stack: 'shop',
      tasks: {
        desired: 4, running: 4, perNode: { mgr: 4 }, notRunningOn: [], lostOn: ['wrk'], downNodes: ['wrk'],
        nodes: [{ node: 'mgr', up: true, desired: 4, running: 4, lost: 0 }, { node: 'wrk', up: false, desired: 0, running: 0, lost: 2 }],
      },
    };
    const result: DiffResult = { plan: [entry], diffs: {}, changes: 0, desired: [] };
    assert.equal(formatPlan(result), [
      'shop/shop-web  unchanged  config hash matches; 4/4 running',
      '               tasks      mgr 4/4, wrk 0/0 (down, 2 lost)',
      'warning: swarm node down: wrk',
      '',
      '0 change(s), 1 unchanged',
      '',
    ].join('\n'));
  });
});
