// Tasks per service and per node from the Engine API's task and node
// listings (shapes as the API returns them), and their one-line form.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countTasks, formatNodeTasks, type EngineNode, type EngineTask } from '../../runtime/swarm-tasks.ts';

const nodes: EngineNode[] = [
  { ID: 'n-mgr', Description: { Hostname: 'mgr' }, Status: { State: 'ready' } },
  { ID: 'n-wrk', Description: { Hostname: 'wrk' }, Status: { State: 'down' } },
];
const task = (service: string, node: string | undefined, desired: string, state: string): EngineTask => ({
  ServiceID: service, ...(node === undefined ? {} : { NodeID: node }), DesiredState: desired, Status: { State: state },
});

describe('countTasks', () => {
  it('counts desired against running per node; a task on a down node is not running, whatever it last said', () => {
    const counts = countTasks([
      task('web', 'n-mgr', 'running', 'running'),
      task('web', 'n-mgr', 'running', 'running'),
      task('web', 'n-wrk', 'running', 'running'),
      task('web', 'n-mgr', 'shutdown', 'shutdown'),
    ], nodes);
    const web = counts.get('web')!;
    assert.equal(web.desired, 3);
    assert.equal(web.running, 2);
    assert.deepEqual(web.perNode, { mgr: 2 });
    assert.deepEqual(web.notRunningOn, ['wrk (node down)']);
    assert.deepEqual(web.nodes, [
      { node: 'mgr', up: true, desired: 2, running: 2, lost: 0 },
      { node: 'wrk', up: false, desired: 1, running: 0, lost: 1 },
    ]);
    assert.deepEqual(web.lostOn, ['wrk']);
    assert.deepEqual(web.downNodes, ['wrk']);
  });

  it('a task Swarm rescheduled away from a down node (no longer desired there, last seen running) names that node', () => {
    const web = countTasks([
      task('web', 'n-mgr', 'running', 'running'),
      task('web', 'n-mgr', 'running', 'running'),
      task('web', 'n-wrk', 'shutdown', 'running'),
      task('web', 'n-wrk', 'shutdown', 'shutdown'),
    ], nodes).get('web')!;
    assert.equal(web.running, 2);
    assert.equal(web.desired, 2);
    assert.deepEqual(web.notRunningOn, []);
    assert.deepEqual(web.nodes.find((n) => n.node === 'wrk'), { node: 'wrk', up: false, desired: 0, running: 0, lost: 1 });
    assert.deepEqual(web.lostOn, ['wrk']);
  });

  it('a service with nothing on the down node is not marked by it; unassigned and starting tasks are not running', () => {
    const counts = countTasks([
      task('api', 'n-mgr', 'running', 'starting'),
      task('api', undefined, 'running', 'pending'),
      task('api', 'n-wrk', 'shutdown', 'failed'),
    ], nodes);
    const api = counts.get('api')!;
    assert.equal(api.running, 0);
    assert.equal(api.desired, 2);
    assert.deepEqual(api.lostOn, []);
    assert.deepEqual([...api.notRunningOn].sort(), ['mgr', 'unassigned (pending: no node takes it)']);
    assert.deepEqual(api.nodes.map((n) => n.node), ['mgr', 'unassigned']);
  });
});

describe('formatNodeTasks', () => {
  it('running/desired per node, with the node down and the tasks it took', () => {
    assert.equal(formatNodeTasks([
      { node: 'mgr', up: true, desired: 4, running: 3, lost: 0 },
      { node: 'wrk', up: false, desired: 0, running: 0, lost: 2 },
      { node: 'unassigned', up: false, desired: 1, running: 0, lost: 0 },
    ]), 'mgr 3/4, wrk 0/0 (down, 2 lost), unassigned 0/1 (no node)');
    assert.equal(formatNodeTasks([]), 'no tasks');
  });
});
