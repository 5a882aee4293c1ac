import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { labelsOf, oneProject, renderText, serviceOf } from './render-helpers.ts';

const labels = (ingress: string) =>
  labelsOf(serviceOf(renderText(oneProject(`      - host: web\n        image: nginx\n        ingress:\n${ingress}`)), 'app', 'web'));

describe('traefik labels', () => {
  it('routes an http ingress on web-secure with the letsencrypt resolver and the service port', () => {
    const l = labels('          - domain: a.example.com\n            port: 3000\n');
    assert.equal(l.get('traefik.enable'), 'true');
    assert.equal(l.get('traefik.docker.network'), 'proxynet');
    assert.equal(l.get('traefik.http.routers.app-web-3000.entrypoints'), 'web-secure');
    assert.equal(l.get('traefik.http.routers.app-web-3000.rule'), 'Host(`a.example.com`)');
    assert.equal(l.get('traefik.http.routers.app-web-3000.tls.certresolver'), 'letsencrypt');
    assert.equal(l.get('traefik.http.routers.app-web-3000.service'), 'app-web-3000');
    assert.equal(l.get('traefik.http.services.app-web-3000.loadbalancer.server.port'), '3000');
  });

  it('joins comma-separated domains with ||', () => {
    const l = labels('          - domain: a.example.com, b.example.com\n');
    assert.equal(l.get('traefik.http.routers.app-web-8080.rule'), 'Host(`a.example.com`) || Host(`b.example.com`)');
  });

  it('routes tls.main and its sans, and asks the resolver for them as one certificate', () => {
    const l = labels('          - tls:\n              main: a.example.com\n              sans: [b.example.com, c.example.com]\n');
    assert.equal(l.get('traefik.http.routers.app-web-8080.rule'), 'Host(`a.example.com`) || Host(`b.example.com`) || Host(`c.example.com`)');
    assert.equal(l.get('traefik.http.routers.app-web-8080.tls.domains[0].main'), 'a.example.com');
    assert.equal(l.get('traefik.http.routers.app-web-8080.tls.domains[0].sans[0]'), 'b.example.com');
    assert.equal(l.get('traefik.http.routers.app-web-8080.tls.domains[0].sans[1]'), 'c.example.com');
  });

  it('adds a PathPrefix, and a strip-prefix middleware of its own when path_remove', () => {
    const l = labels('          - domain: a.example.com\n            path_prefix: /api\n            path_remove: true\n            middlewares: [auth@file]\n');
    assert.equal(l.get('traefik.http.routers.app-web-8080.rule'), 'Host(`a.example.com`) && PathPrefix(`/api`)');
    assert.equal(l.get('traefik.http.middlewares.app-web-8080-stripprefix.stripprefix.prefixes'), '/api');
    assert.equal(l.get('traefik.http.routers.app-web-8080.middlewares'), 'auth@file,app-web-8080-stripprefix');
  });

  it('keeps the prefix without a middleware when path_remove is off', () => {
    const l = labels('          - domain: a.example.com\n            path_prefix: /api\n');
    assert.equal(l.get('traefik.http.routers.app-web-8080.middlewares'), undefined);
  });

  it('routes a tcp ingress with HostSNI, with PROXY protocol only when proxyprotocol is set (itsUP labels never had it)', () => {
    const l = labels('          - domain: db.example.com\n            port: 5432\n            router: tcp\n');
    assert.equal(l.get('traefik.tcp.routers.app-web-5432.rule'), 'HostSNI(`db.example.com`)');
    assert.equal(l.get('traefik.tcp.routers.app-web-5432.tls.certresolver'), 'letsencrypt');
    assert.equal(l.get('traefik.tcp.services.app-web-5432.loadbalancer.server.port'), '5432');
    assert.equal(l.get('traefik.tcp.services.app-web-5432.loadbalancer.proxyprotocol.version'), undefined);
    const set = labels('          - domain: db.example.com\n            router: tcp\n            proxyprotocol: 1\n');
    assert.equal(set.get('traefik.tcp.services.app-web-8080.loadbalancer.proxyprotocol.version'), '1');
    const off = labels('          - domain: db.example.com\n            router: tcp\n            proxyprotocol: null\n');
    assert.equal(off.get('traefik.tcp.services.app-web-8080.loadbalancer.proxyprotocol.version'), undefined);
  });

  it('labels passthrough, host-port and udp routes too, so Traefik dials the container address from the Docker API', () => {
    const l = labels('          - domain: a.example.com\n            hostport: 8443\n            port: 443\n            passthrough: true\n            router: tcp\n          - hostport: 1194\n            port: 1194\n            router: udp\n            protocol: udp\n');
    assert.equal(l.get('traefik.enable'), 'true');
    assert.equal(l.get('traefik.docker.network'), 'proxynet');
    assert.equal(l.get('traefik.tcp.routers.app-web-443.entrypoints'), 'tcp-8443');
    assert.equal(l.get('traefik.tcp.routers.app-web-443.tls.passthrough'), 'true');
    // itsUP's routers-tcp.yml default for passthrough and host-port routes: PROXY v2.
    assert.equal(l.get('traefik.tcp.services.app-web-443.loadbalancer.proxyprotocol.version'), '2');
    assert.equal(l.get('traefik.udp.routers.app-web-1194.entrypoints'), 'udp-1194');
    assert.equal(l.get('traefik.udp.routers.app-web-1194.rule'), undefined);
    assert.equal(l.get('traefik.udp.services.app-web-1194.loadbalancer.server.port'), '1194');
  });

  it("keeps the user's labels after the generated ones; the user wins on the same key", () => {
    const stack = renderText(oneProject('      - host: web\n        image: nginx\n        labels:\n          - team=web\n          - traefik.http.routers.app-web-8080.priority=10\n          - traefik.docker.network=other\n          - railyard.config-hash=forged\n        ingress:\n          - domain: a.example.com\n'));
    const service = serviceOf(stack, 'app', 'web');
    const l = labelsOf(service);
    assert.equal(l.get('team'), 'web');
    assert.equal(l.get('traefik.docker.network'), 'other');
    assert.equal((service['labels'] as string[]).filter((x) => x.startsWith('traefik.docker.network=')).length, 1);
    assert.match(l.get('railyard.config-hash') ?? '', /^[0-9a-f]{64}$/, 'a hash label in db.yml is not kept');
  });
});
