import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { load } from 'js-yaml';
import { checkDb } from '../../../config/load-db.ts';
import type { DbConfig } from '../../../config/db-types.ts';
import { renderStack } from '../../../steps/render/render-stack.ts';

const ENV = { trustedIpsCidrs: [], letsencryptEmail: undefined, letsencryptStaging: false, traefikDomain: undefined, traefikAdmin: undefined } as never;

function config(text: string): DbConfig {
  const result = checkDb(text, 'db.yml', {});
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  return result.config;
}

const DB = `runtime: swarm
projects:
  - name: shop
    services:
      - host: web
        image: web:1
        stateless: true
        replicas: 3
        healthcheck: { test: ["CMD", "true"], interval: 2s, timeout: 1s, retries: 2, start_period: 4s }
        ingress: [{ domain: shop.example.com, port: 3000 }]
      - host: db
        image: db:1
        volumes: [/data]
      - host: cache
        image: cache:1
        volumes: [/data]
        placement: node.hostname == cache-1
  - name: blog
    runtime: compose
    services:
      - host: web
        image: blog:1
`;

type Stack = { services: Record<string, { labels: string[]; deploy: Record<string, unknown> & { labels: string[] }; restart?: unknown }>; networks?: Record<string, unknown> };

describe('render for runtime: swarm', () => {
  const stack = renderStack(config(DB), ENV);
  const file = (path: string) => stack.files.find((f) => f.path === path)?.content;

  it('writes docker-stack.yml for a swarm project and docker-compose.yml for a compose override', () => {
    assert.ok(file('upstream/shop/docker-stack.yml'));
    assert.equal(file('upstream/shop/docker-compose.yml'), undefined);
    assert.ok(file('upstream/blog/docker-compose.yml'));
    assert.deepEqual(stack.projects.map((p) => [p.name, p.runtime ?? 'compose', p.composeFile]), [
      ['shop', 'swarm', 'upstream/shop/docker-stack.yml'],
      ['blog', 'compose', 'upstream/blog/docker-compose.yml'],
      ['proxy', 'swarm', 'proxy/docker-stack.yml'],
    ]);
  });

  it('a stateless service: replicas, start-first with rollback, monitor from the healthcheck, labels on the service spec', () => {
    const doc = load(file('upstream/shop/docker-stack.yml')!) as Stack;
    const web = doc.services['shop-web']!;
    assert.equal(web.restart, undefined);
    assert.equal(web.deploy['replicas'], 3);
    // start_period 4 s + (2 s + 1 s) × 2 retries
    assert.deepEqual(web.deploy['update_config'], { parallelism: 1, order: 'start-first', failure_action: 'rollback', monitor: '10s' });
    assert.deepEqual(web.deploy['rollback_config'], { parallelism: 1, order: 'start-first', monitor: '10s' });
    assert.deepEqual(web.deploy['restart_policy'], { condition: 'any' });
    assert.ok(web.deploy.labels.includes('traefik.http.services.shop-web-3000.loadbalancer.server.port=3000'));
    assert.ok(web.deploy.labels.includes('traefik.swarm.network=proxynet'));
    assert.ok(!web.deploy.labels.some((l) => l.startsWith('traefik.docker.')));
    const hash = stack.projects[0]!.services[0]!.configHash;
    assert.ok(web.deploy.labels.includes(`railyard.config-hash=${hash}`));
    assert.deepEqual(web.labels, [`railyard.config-hash=${hash}`], 'on the task template too, so a mounted file change rolls the tasks');
    assert.deepEqual(doc.networks, { proxynet: { name: 'proxynet', external: true } });
  });

  it('stateful services stop first; with bind mounts they are pinned to the manager unless placement says where', () => {
    const doc = load(file('upstream/shop/docker-stack.yml')!) as Stack;
    assert.equal((doc.services['shop-db']!.deploy['update_config'] as { order: string }).order, 'stop-first');
    assert.deepEqual(doc.services['shop-db']!.deploy['placement'], { constraints: ['node.role == manager'] });
    assert.deepEqual(doc.services['shop-cache']!.deploy['placement'], { constraints: ['node.hostname == cache-1'] });
    assert.equal(doc.services['shop-web']!.deploy['placement'], undefined);
  });

  it('the proxy: Traefik v3 as a swarm service with the swarm provider, entrypoints published in host mode', () => {
    const proxy = load(file('proxy/docker-stack.yml')!) as { services: { traefik: { image: string; ports: unknown[]; deploy: Record<string, unknown> } } };
    assert.equal(proxy.services.traefik.image, 'traefik:v3');
    assert.deepEqual(proxy.services.traefik.ports, [
      { target: 8080, published: 8080, protocol: 'tcp', mode: 'host' },
      { target: 8443, published: 8443, protocol: 'tcp', mode: 'host' },
      { target: 8443, published: 8443, protocol: 'udp', mode: 'host' },
    ]);
    assert.deepEqual(proxy.services.traefik.deploy['placement'], { constraints: ['node.role == manager'] });
    const traefik = load(file('proxy/traefik/traefik.yml')!) as { providers: Record<string, { network?: string }> };
    assert.equal(traefik.providers['swarm']?.network, 'proxynet');
  });

  it('placement is checked: a constraint or manager', () => {
    const bad = checkDb(DB.replace('node.hostname == cache-1', 'somewhere'), 'db.yml', {});
    assert.equal(bad.ok, false);
  });
});
