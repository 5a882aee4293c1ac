// Which stateful swarm services keep their bind-mounted data on a node other
// than railyard's (what a backup of this host misses), from API shapes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statefulElsewhere, type EngineService } from '../../runtime/swarm-placement.ts';
import type { EngineNode, EngineTask } from '../../runtime/swarm-tasks.ts';

const nodes: EngineNode[] = [
  { ID: 'self', Description: { Hostname: 'mgr' }, Status: { State: 'ready' } },
  { ID: 'other', Description: { Hostname: 'db-1' }, Status: { State: 'ready' } },
];
const service = (id: string, order: string, mounts: { Type: string; Source: string; ReadOnly?: boolean }[], root?: string): EngineService => ({
  ID: id,
  Spec: {
    Name: `shop_shop-${id}`,
    Labels: { 'railyard.project': 'shop', ...(root === undefined ? {} : { 'railyard.stack': root }) },
    UpdateConfig: { Order: order },
    TaskTemplate: { ContainerSpec: { Mounts: mounts } },
  },
});
const on = (serviceId: string, node: string, desired = 'running'): EngineTask => ({ ServiceID: serviceId, NodeID: node, DesiredState: desired, Status: { State: 'running' } });
const data = [{ Type: 'bind', Source: '/srv/up/shop/data' }];

describe('statefulElsewhere', () => {
  it('names a stop-first (stateful) service with a writable bind mount running on another node', () => {
    const found = statefulElsewhere([service('db', 'stop-first', data, '/srv')], [on('db', 'other')], nodes, 'self', '/srv');
    assert.deepEqual(found, [{ project: 'shop', service: 'shop_shop-db', nodes: ['db-1'], sources: ['/srv/up/shop/data'] }]);
  });

  it('leaves out: on this node, stateless, read-only or volume mounts only, another stack root, tasks no longer desired', () => {
    const services = [
      service('here', 'stop-first', data),
      service('web', 'start-first', data),
      service('conf', 'stop-first', [{ Type: 'bind', Source: '/srv/up/shop/conf', ReadOnly: true }, { Type: 'volume', Source: 'shop_db' }]),
      service('theirs', 'stop-first', data, '/other-root'),
      service('old', 'stop-first', data),
    ];
    const tasks = [on('here', 'self'), on('web', 'other'), on('conf', 'other'), on('theirs', 'other'), on('old', 'other', 'shutdown')];
    assert.deepEqual(statefulElsewhere(services, tasks, nodes, 'self', '/srv'), []);
  });
});
