import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { oneProject, renderText, yamlOf } from './render-helpers.ts';

const dynamic = (text: string, env = {}) => {
  const stack = renderText(text, env);
  const of = (name: string) => yamlOf(stack, `proxy/traefik/dynamic/${name}`);
  return { http: of('routers-http.yml')['http'], tcp: of('routers-tcp.yml')['tcp'], udp: of('routers-udp.yml')['udp'] };
};

describe('traefik dynamic routes', () => {
  it('passes TLS through on a tcp router to the host address, with itsUP\'s proxy protocol 2 when unset', () => {
    const { tcp } = dynamic('projects:\n  - name: ha\n    services:\n      - host: 10.0.0.5\n        ingress:\n          - domain: a.example.com\n            port: 443\n            passthrough: true\n            router: tcp\n');
    assert.deepEqual(tcp.routers['ha-10-0-0-5-443'], { entryPoints: ['web-secure'], rule: 'HostSNI(`a.example.com`)', service: 'ha-10-0-0-5-443', tls: { passthrough: true } });
    assert.deepEqual(tcp.services['ha-10-0-0-5-443'], { loadBalancer: { proxyProtocol: { version: 2 }, servers: [{ address: '10.0.0.5:443' }] } });
  });

  it('sets proxy protocol version 1, or none when proxyprotocol is null', () => {
    const { tcp } = dynamic('projects:\n  - name: ha\n    services:\n      - host: 10.0.0.5\n        ingress:\n          - hostport: 2222\n            port: 22\n            router: tcp\n            proxyprotocol: 1\n          - hostport: 5432\n            port: 5432\n            router: tcp\n            proxyprotocol: null\n');
    assert.deepEqual(tcp.services['ha-10-0-0-5-22'].loadBalancer.proxyProtocol, { version: 1 });
    assert.equal(tcp.services['ha-10-0-0-5-5432'].loadBalancer.proxyProtocol, undefined);
  });

  it('routes a host port on its own entrypoint: raw tcp without a domain, TLS with one', () => {
    const { tcp, http } = dynamic('projects:\n  - name: ha\n    services:\n      - host: 10.0.0.5\n        ingress:\n          - hostport: 5432\n            port: 5432\n            router: tcp\n          - hostport: 8443\n            port: 80\n            domain: a.example.com\n');
    assert.deepEqual(tcp.routers['ha-10-0-0-5-5432'], { entryPoints: ['tcp-5432'], rule: 'HostSNI(`*`)', service: 'ha-10-0-0-5-5432' });
    assert.deepEqual(http.routers['ha-10-0-0-5-80'], {
      entryPoints: ['http-8443'], rule: 'Host(`a.example.com`)', service: 'ha-10-0-0-5-80', tls: { certResolver: 'letsencrypt' },
    });
    assert.deepEqual(http.services['ha-10-0-0-5-80'], { loadBalancer: { servers: [{ url: 'http://10.0.0.5:80/' }] } });
  });

  it('serves an image-less port-80 route on plain-http web, as itsUP does', () => {
    const { http } = dynamic('projects:\n  - name: ha\n    services:\n      - host: 10.0.0.5\n        ingress:\n          - domain: a.example.com\n            port: 80\n');
    assert.deepEqual(http.routers['ha-10-0-0-5-80'], { entryPoints: ['web'], rule: 'Host(`a.example.com`)', service: 'ha-10-0-0-5-80' });
  });

  it('points services without an image at the host address itself', () => {
    const { http, tcp } = dynamic('projects:\n  - name: nas\n    services:\n      - host: 192.168.1.10\n        ingress:\n          - domain: nas.example.com\n            port: 5000\n          - domain: tls.example.com\n            port: 443\n            router: tcp\n            passthrough: true\n');
    assert.deepEqual(http.services['nas-192-168-1-10-5000'], { loadBalancer: { servers: [{ url: 'http://192.168.1.10:5000/' }] } });
    assert.deepEqual(http.routers['nas-192-168-1-10-5000'].tls, { certResolver: 'letsencrypt' });
    assert.equal(tcp.services['nas-192-168-1-10-443'].loadBalancer.servers[0].address, '192.168.1.10:443');
  });

  it('routes udp of an image-less host from its host port entrypoint', () => {
    const { udp } = dynamic('projects:\n  - name: dns\n    services:\n      - host: 10.0.0.53\n        ingress:\n          - hostport: 53\n            port: 53\n            router: udp\n            protocol: udp\n');
    assert.deepEqual(udp, {
      routers: { 'dns-10-0-0-53-53': { entryPoints: ['udp-53'], service: 'dns-10-0-0-53-53' } },
      services: { 'dns-10-0-0-53-53': { loadBalancer: { servers: [{ address: '10.0.0.53:53' }] } } },
    });
  });

  it('strips a path prefix with a middleware of the route', () => {
    const { http } = dynamic('projects:\n  - name: ext\n    services:\n      - host: 10.0.0.2\n        ingress:\n          - domain: a.example.com\n            path_prefix: /app\n            path_remove: true\n');
    assert.equal(http.routers['ext-10-0-0-2-8080'].rule, 'Host(`a.example.com`) && PathPrefix(`/app`)');
    assert.deepEqual(http.routers['ext-10-0-0-2-8080'].middlewares, ['ext-10-0-0-2-8080-stripprefix']);
    assert.deepEqual(http.middlewares['ext-10-0-0-2-8080-stripprefix'], { stripPrefix: { prefixes: ['/app'] } });
  });

  it('asks for tls.main + sans as one certificate on file routes', () => {
    const { http } = dynamic('projects:\n  - name: ext\n    services:\n      - host: 10.0.0.2\n        ingress:\n          - tls:\n              main: a.example.com\n              sans: [b.example.com]\n');
    assert.equal(http.routers['ext-10-0-0-2-8080'].rule, 'Host(`a.example.com`) || Host(`b.example.com`)');
    assert.deepEqual(http.routers['ext-10-0-0-2-8080'].tls, { certResolver: 'letsencrypt', domains: [{ main: 'a.example.com', sans: ['b.example.com'] }] });
  });

  it('routes the dashboard behind basic auth when TRAEFIK_DOMAIN and TRAEFIK_ADMIN are set, and not otherwise', () => {
    const text = oneProject('      - host: web\n        image: nginx\n');
    const { http } = dynamic(text);
    assert.deepEqual(http.routers['traefik-secure'], {
      service: 'api@internal', entryPoints: ['web-secure'], rule: 'Host(`traefik.example.com`)', middlewares: ['traefik-auth@file'], tls: { certResolver: 'letsencrypt' },
    });
    assert.deepEqual(dynamic(text, { traefikAdmin: undefined }).http, {});
  });

  it('leaves every route of a container out of the files: passthrough, host port and udp too', () => {
    const ingress = '          - domain: a.example.com\n          - domain: b.example.com\n            port: 443\n            passthrough: true\n            router: tcp\n          - hostport: 5432\n            port: 5432\n            router: tcp\n          - hostport: 1194\n            port: 1194\n            router: udp\n            protocol: udp\n';
    const { http, tcp, udp } = dynamic(oneProject(`      - host: web\n        image: nginx\n        ingress:\n${ingress}`), { traefikDomain: undefined });
    assert.deepEqual([http, tcp, udp], [{}, {}, {}]);
  });
});
