// Swarm services carry their stack root (railyard.stack): the plan leaves
// other roots' services alone and refuses a project another root deployed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SwarmServiceState } from '../../../runtime/swarm.ts';
import type { DesiredProject } from '../../../steps/diff/plan.ts';
import { buildSwarmPlan, ownServices } from '../../../steps/diff/swarm-plan.ts';

const state = (stack: string, service: string, root: string | undefined): SwarmServiceState => ({
  id: `${stack}-${service}`, name: `${stack}_${service}`, stack, root, service, project: stack, configHash: 'h', image: 'img', replicas: 1, version: 1, template: '{}',
});
const desired = (name: string): DesiredProject => ({
  name, composeFile: `/srv/upstream/${name}/docker-stack.yml`, runtime: 'swarm',
  services: [{ project: name, service: `${name}-web`, configHash: 'h', image: 'img', stateless: true, replicas: 1, definition: {} }],
});

describe('ownServices', () => {
  it("keeps this root's services and those from before the label; another root's are never planned, so never removed", () => {
    const services = [state('shop', 'shop-web', '/srv'), state('old', 'old-web', undefined), state('blog', 'blog-web', '/elsewhere')];
    const ours = ownServices(services, '/srv', [desired('shop')]);
    assert.deepEqual(ours.map((s) => s.name), ['shop_shop-web', 'old_old-web']);
    const running = { desired: 1, running: 1, perNode: { mgr: 1 }, notRunningOn: [], nodes: [], lostOn: [], downNodes: [] };
    const plan = buildSwarmPlan([desired('shop')], ours, new Map([['shop-shop-web', running]]));
    assert.deepEqual(plan.map((p) => [p.service, p.action]), [['shop-web', 'unchanged'], ['old-web', 'remove']]);
  });

  it('a project of this root whose stack another root deployed is STACK_CONFLICT (unless out of scope)', () => {
    const services = [state('blog', 'blog-web', '/elsewhere')];
    assert.throws(() => ownServices(services, '/srv', [desired('Blog')]), (error: { code?: string; project?: string }) => error.code === 'STACK_CONFLICT' && error.project === 'Blog');
    assert.deepEqual(ownServices(services, '/srv', [desired('Blog'), desired('shop')], { project: 'shop' }), []);
  });
});
