import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProjectMemo } from '../../../steps/render/project-memo.ts';
import { renderProject } from '../../../steps/render/compose.ts';
import { renderStack } from '../../../steps/render/render-stack.ts';
import { routesOf } from '../../../steps/render/routes.ts';
import { config, TEST_ENV } from './render-helpers.ts';

const stack = (tag: string, extra = '') => `projects:
  - name: shop
    services:
      - host: web
        image: shop/web:${tag}
        volumes: ['./conf/site.conf:/etc/site.conf:ro']
        ingress:
          - domain: shop.example.com
            port: 8080
      - host: db
        image: postgres:16${extra}
  - name: blog
    services:
      - host: web
        image: blog/web:1
      - host: db
        image: mariadb:11
`;

const upstream = (files: readonly { path: string; content: string }[]) => files.filter((f) => f.path.startsWith('upstream/'));

describe('steps/render/project-memo', () => {
  it('renders exactly what a fresh render gives, re-rendering only what changed', () => {
    const memo = new ProjectMemo();
    const first = renderStack(config(stack('1')), TEST_ENV, { memo });
    const again = renderStack(config(stack('1')), TEST_ENV, { memo });
    assert.equal(again.projects[0], first.projects[0], 'unchanged: the remembered output itself');
    const changed = renderStack(config(stack('2')), TEST_ENV, { memo });
    assert.notEqual(changed.projects[0], first.projects[0], 'shop changed: rendered again');
    assert.equal(changed.projects[1], first.projects[1], 'blog did not change');
    assert.deepEqual(changed.files, renderStack(config(stack('2')), TEST_ENV).files, 'byte for byte a render without the memo');
  });

  it('renders a project again when a file it mounts or the subnet it was given changes', () => {
    const memo = new ProjectMemo();
    const text = stack('1');
    const before = renderStack(config(text), TEST_ENV, { memo, mountDigests: new Map([['shop/conf/site.conf', 'sha256:a']]) });
    const mounted = renderStack(config(text), TEST_ENV, { memo, mountDigests: new Map([['shop/conf/site.conf', 'sha256:b']]) });
    assert.notEqual(mounted.projects[0]!.services[0]!.configHash, before.projects[0]!.services[0]!.configHash);
    assert.equal(mounted.projects[1], before.projects[1]);
    const subnet = (s: string) => (project: string) => (project === 'blog' ? s : '10.213.0.0/26');
    const a = renderStack(config(text), TEST_ENV, { memo, subnetOf: subnet('10.213.1.0/26') });
    const b = renderStack(config(text), TEST_ENV, { memo, subnetOf: subnet('10.213.2.0/26') });
    assert.match(upstream(b.files).find((f) => f.path === 'upstream/blog/docker-compose.yml')!.content, /10\.213\.2\.0\/26/);
    assert.notEqual(b.projects[1], a.projects[1]);
    assert.deepEqual(b.files, renderStack(config(text), TEST_ENV, { subnetOf: subnet('10.213.2.0/26') }).files);
  });

  it('renders a project again when the routes or the stack it is given change, though the project object is the same', () => {
    const memo = new ProjectMemo();
    memo.begin('k');
    const shop = config(stack('1')).projects[0]!;
    const digest = () => 'absent';
    const { routes } = routesOf(config(stack('1')));
    const { routes: moved } = routesOf(config(stack('1').replace('shop.example.com', 'shop.example.org')));
    const first = memo.render(shop, routes, digest, undefined, 's1');
    assert.equal(memo.render(shop, routes, digest, undefined, 's1'), first, 'the same: reused');
    assert.deepEqual(memo.rendered, ['shop']);
    for (const [other, label] of [[moved, 's1'], [moved, 's2'], [routes, 's2']] as const) {
      const output = memo.render(shop, other, digest, undefined, label);
      assert.deepEqual(output, renderProject(shop, other, digest, undefined, label));
    }
    assert.deepEqual(memo.rendered, ['shop', 'shop', 'shop', 'shop']);
    assert.match(JSON.stringify(memo.render(shop, moved, digest, undefined, 's2')), /shop\.example\.org/);
  });
});
