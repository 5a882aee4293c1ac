// On swarm, a node that went down is drift with the node named, even once
// Swarm rescheduled its tasks and the plan calls the service unchanged.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceTasks } from '../../runtime/swarm-tasks.ts';
import type { PlannedService } from '../../steps/diff/index.ts';
import type { SwarmPlannedService } from '../../steps/diff/swarm-plan.ts';
import { driftOf } from '../../steps/drift.ts';

const tasks = (over: Partial<ServiceTasks>): ServiceTasks => ({
  desired: 4, running: 4, perNode: { mgr: 4 }, notRunningOn: [], nodes: [{ node: 'mgr', up: true, desired: 4, running: 4, lost: 0 }], lostOn: [], downNodes: [], ...over,
});
const swarmEntry = (service: string, action: PlannedService['action'], reason: string, t?: ServiceTasks): SwarmPlannedService => ({
  project: 'shop', service, action, reason, containers: [], warnings: [], runtime: 'swarm', stack: 'shop', ...(t === undefined ? {} : { tasks: t }),
});

describe('driftOf', () => {
  it('an unchanged swarm service whose tasks a down node took: named, with what Swarm did', () => {
    const t = tasks({
      nodes: [{ node: 'mgr', up: true, desired: 4, running: 4, lost: 0 }, { node: 'wrk', up: false, desired: 0, running: 0, lost: 2 }],
      lostOn: ['wrk'], downNodes: ['wrk'],
    });
    assert.deepEqual(driftOf([swarmEntry('shop-web', 'unchanged', 'config hash matches; 4/4 running', t)]), {
      projects: ['shop'],
      reasons: { shop: ['shop-web: swarm node wrk is down; its 2 task(s) were rescheduled (4/4 running)'] },
    });
  });

  it('tasks Swarm could not place elsewhere (a constraint pins them to the down node): said so', () => {
    const t = tasks({
      desired: 1, running: 0, perNode: {}, notRunningOn: ['unassigned (pending: no node takes it)'],
      nodes: [{ node: 'unassigned', up: false, desired: 1, running: 0, lost: 0 }, { node: 'wrk', up: false, desired: 0, running: 0, lost: 1 }],
      lostOn: ['wrk'], downNodes: ['wrk'],
    });
    assert.deepEqual(driftOf([swarmEntry('shop-db', 'update', '0 of 1 tasks running (not running on unassigned (pending: no node takes it))', t)]).reasons, {
      shop: ['shop-db: 0 of 1 tasks running (not running on unassigned (pending: no node takes it))', 'shop-db: swarm node wrk is down with 1 task(s); Swarm has not placed them all elsewhere (0/1 running)'],
    });
  });

  it('tasks still meant to run on the down node: the plan reason names it, once', () => {
    const t = tasks({
      running: 2, perNode: { mgr: 2 }, notRunningOn: ['wrk (node down)'],
      nodes: [{ node: 'mgr', up: true, desired: 2, running: 2, lost: 0 }, { node: 'wrk', up: false, desired: 2, running: 0, lost: 2 }],
      lostOn: ['wrk'], downNodes: ['wrk'],
    });
    const reason = '2 of 4 tasks running (not running on wrk (node down))';
    assert.deepEqual(driftOf([swarmEntry('shop-web', 'update', reason, t)]).reasons, { shop: [`shop-web: ${reason}`] });
  });

  it('a down node without tasks of the service, and unchanged services, are no drift; compose entries drift by action', () => {
    const t = tasks({ downNodes: ['wrk'] });
    const compose: PlannedService = { project: 'blog', service: 'blog-web', action: 'recreate', reason: 'container removed by hand', containers: [], warnings: [] };
    assert.deepEqual(driftOf([swarmEntry('shop-web', 'unchanged', 'config hash matches; 4/4 running', t), compose]), {
      projects: ['blog'],
      reasons: { blog: ['blog-web: container removed by hand'] },
    });
  });
});
