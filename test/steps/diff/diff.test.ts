import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildPlan, type DesiredProject, type DesiredService } from '../../../steps/diff/plan.ts';
import type { ServiceContainer } from '../../../runtime/containers.ts';
import { unifiedDiff } from '../../../steps/diff/unified-diff.ts';

const IMG = 'reg/app:1';
const ID = 'sha256:aaaaaaaaaaaaaaaaaaaaaaaa';
const images = new Map([[IMG, ID]]);

function svc(service: string, extra: Partial<DesiredService> = {}): DesiredService {
  return { project: 'shop', service, configHash: 'h1', image: IMG, stateless: true, replicas: 1, definition: { healthcheck: { test: 'true' } }, ...extra };
}
function container(service: string, extra: Partial<ServiceContainer> = {}): ServiceContainer {
  return { id: `${service}-${Math.random()}`, name: service, project: 'shop', service, configHash: 'h1', stack: undefined, imageId: ID, state: 'running', health: 'healthy', number: 1, created: 0, ...extra };
}
const project = (...services: DesiredService[]): DesiredProject[] => [{ name: 'shop', composeFile: '/x/docker-compose.yml', services }];
const actions = (plan: ReturnType<typeof buildPlan>) => plan.map((p) => [p.service, p.action]);

describe('diff plan', () => {
  it('says create, unchanged, rollout and recreate with the reason', () => {
    const plan = buildPlan(
      project(svc('new'), svc('same'), svc('web', { configHash: 'h2' }), svc('db', { configHash: 'h2', stateless: false })),
      [container('same'), container('web'), container('db')],
      images,
    );
    assert.deepEqual(actions(plan), [['new', 'create'], ['same', 'unchanged'], ['web', 'rollout'], ['db', 'recreate']]);
    assert.match(plan[3]!.reason, /stateful/);
  });

  it('recreates a stateless service that cannot run twice, and says why', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ container_name: 'x' }, /container_name/],
      [{ ports: ['8080:80'] }, /host ports/],
      [{ network_mode: 'host' }, /host network/],
    ];
    for (const [definition, why] of cases) {
      const [entry] = buildPlan(project(svc('web', { configHash: 'h2', definition })), [container('web')], images);
      assert.equal(entry?.action, 'recreate');
      assert.match(entry.reason, why);
    }
    const [exposed] = buildPlan(project(svc('web', { configHash: 'h2', definition: { ports: ['8080'] } })), [container('web')], images);
    assert.equal(exposed?.action, 'rollout');
  });

  it('treats a tag whose image ID moved as a change', () => {
    const [entry] = buildPlan(project(svc('web')), [container('web', { imageId: 'sha256:old' })], images);
    assert.equal(entry?.action, 'rollout');
  });

  it('converges leftovers of an interrupted rollout', () => {
    const plan = buildPlan(project(svc('web', { replicas: 2 })), [1, 2, 3, 4].map(() => container('web')), images);
    assert.equal(plan[0]?.action, 'rollout');
    const created = buildPlan(project(svc('web')), [container('web'), container('web', { state: 'created' })], images);
    assert.equal(created[0]?.action, 'rollout');
  });

  it('warns when a rolled-out service has no healthcheck', () => {
    const [entry] = buildPlan(project(svc('web', { configHash: 'h2', definition: {} })), [container('web')], images);
    assert.equal(entry?.warnings.length, 1);
  });

  it('removes services that left db.yml and projects that are gone, but not foreign containers', () => {
    const plan = buildPlan(
      project(svc('web')),
      [container('web'), container('old'), container('api', { project: 'gone' }), container('x', { project: 'other', configHash: undefined })],
      images,
    );
    assert.deepEqual(plan.map((p) => [p.project, p.service, p.action]), [
      ['shop', 'web', 'unchanged'],
      ['shop', 'old', 'remove'],
      ['gone', 'api', 'remove'],
    ]);
  });

  it('narrows to a project and a service', () => {
    const plan = buildPlan(project(svc('a'), svc('b')), [container('a'), container('z', { project: 'gone' })], images, { project: 'SHOP', service: 'b' });
    assert.deepEqual(actions(plan), [['b', 'create']]);
  });
});

describe('unifiedDiff', () => {
  it('prints hunks with context, and nothing for equal texts', () => {
    assert.equal(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y'), '');
    assert.equal(unifiedDiff('a\nb\nc\n', 'a\nB\nc\n', 'x', 'y'), '--- x\n+++ y\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
    assert.equal(unifiedDiff('', 'n\n', 'x', 'y'), '--- x\n+++ y\n@@ -0,0 +1 @@\n+n\n');
  });
});
