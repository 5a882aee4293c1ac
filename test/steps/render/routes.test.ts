import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { routeName, routesOf, ruleOf, traefikServicesOf } from '../../../steps/render/routes.ts';
import { config, oneProject } from './render-helpers.ts';

const routes = (services: string, extra = '') => routesOf(config(oneProject(services, extra)));

describe('ruleOf', () => {
  it('matches one host, or several joined by ||', () => {
    assert.equal(ruleOf('http', ['a.example.com'], undefined), 'Host(`a.example.com`)');
    assert.equal(ruleOf('http', ['a.example.com', 'b.example.com'], undefined), 'Host(`a.example.com`) || Host(`b.example.com`)');
  });

  it('adds && PathPrefix, parenthesising several hosts since && binds tighter than ||', () => {
    assert.equal(ruleOf('http', ['a.example.com'], '/api'), 'Host(`a.example.com`) && PathPrefix(`/api`)');
    assert.equal(ruleOf('http', ['a.example.com', 'b.example.com'], '/api'), '(Host(`a.example.com`) || Host(`b.example.com`)) && PathPrefix(`/api`)');
  });

  it('uses HostSNI for tcp, HostSNI(`*`) without a domain, and no path for tcp', () => {
    assert.equal(ruleOf('tcp', ['a.example.com', 'b.example.com'], undefined), 'HostSNI(`a.example.com`) || HostSNI(`b.example.com`)');
    assert.equal(ruleOf('tcp', [], undefined), 'HostSNI(`*`)');
  });
});

describe('routesOf', () => {
  it('names routes <project>-<host with dashes>-<port> and suffixes a second ingress on the same port', () => {
    assert.equal(routeName('my.app', '10.0.0.1', 80), 'my-app-10-0-0-1-80');
    const { routes: list } = routes('      - host: web\n        image: nginx\n        ingress:\n          - domain: a.example.com\n            port: 80\n          - domain: b.example.com\n            port: 80\n');
    assert.deepEqual(list.map((r) => r.name), ['app-web-80', 'app-web-80-2']);
  });

  it('puts every route of an image service on labels (passthrough, host ports, udp too) and image-less services in files', () => {
    const { routes: list } = routes([
      '      - host: web',
      '        image: nginx',
      '        ingress:',
      '          - domain: a.example.com',
      '            port: 80',
      '          - domain: b.example.com',
      '            port: 443',
      '            passthrough: true',
      '            router: tcp',
      '          - hostport: 5432',
      '            port: 5432',
      '            router: tcp',
      '          - hostport: 53',
      '            port: 53',
      '            router: udp',
      '            protocol: udp',
      '      - host: 192.168.1.2',
      '        ingress:',
      '          - domain: nas.example.com',
      '            port: 5000',
      '',
    ].join('\n'));
    assert.deepEqual(list.map((r) => [r.name, r.kind, r.via, r.entryPoint, r.target]), [
      ['app-web-80', 'http', 'labels', 'web-secure', 'app-web'],
      ['app-web-443', 'tcp', 'labels', 'web-secure', 'app-web'],
      ['app-web-5432', 'tcp', 'labels', 'tcp-5432', 'app-web'],
      ['app-web-53', 'udp', 'labels', 'udp-53', 'app-web'],
      ['app-192-168-1-2-5000', 'http', 'file', 'web-secure', '192.168.1.2'],
    ]);
    assert.deepEqual(list[2]?.hostport, { name: 'tcp-5432', port: 5432, protocol: 'tcp' });
    assert.deepEqual(list[3]?.hostport, { name: 'udp-53', port: 53, protocol: 'udp' });
  });

  it('routes http passthrough as a tcp passthrough, except ACME on port 80, which stays plain http on web', () => {
    const { routes: list } = routes([
      '      - host: 10.0.0.5',
      '        ingress:',
      '          - domain: home.example.com',
      '            passthrough: true',
      '            port: 443',
      '          - domain: home.example.com',
      '            passthrough: true',
      '            path_prefix: /.well-known/acme-challenge/',
      '            port: 80',
      '',
    ].join('\n'));
    assert.deepEqual(list.map((r) => [r.kind, r.entryPoint, r.tls.mode]), [['tcp', 'web-secure', 'passthrough'], ['http', 'web', 'none']]);
  });

  it('does not route exposed ports, and warns about udp without hostport or routes without domain', () => {
    const set = routes('      - host: web\n        image: nginx\n        ingress:\n          - port: 9000\n            expose: true\n          - port: 9001\n          - port: 53\n            router: udp\n');
    assert.deepEqual(set.routes, []);
    assert.equal(set.warnings.length, 2);
  });

  it('skips disabled projects', () => {
    const set = routes('      - host: web\n        image: nginx\n        ingress:\n          - domain: a.example.com\n', '    enabled: false\n');
    assert.deepEqual(set.routes, []);
  });

  it('keeps proxy protocol for tcp routes only', () => {
    const { routes: list } = routes('      - host: web\n        image: nginx\n        ingress:\n          - domain: a.example.com\n            router: tcp\n            proxyprotocol: 1\n          - domain: b.example.com\n');
    assert.deepEqual(list.map((r) => r.proxyProtocol), [1, null]);
  });

  it('routes a frozen project it has routed before as afresh, and hands out frozen routes', () => {
    const text = oneProject('      - host: web\n        image: nginx\n        ingress:\n          - domain: a.example.com\n            path_prefix: /x\n            path_remove: true\n');
    const frozen = config(text);
    const first = routesOf(frozen);
    assert.ok(first.routes.length > 0 && first.routes.every((route) => Object.isFrozen(route)));
    assert.deepEqual(routesOf(frozen), first);
    assert.deepEqual(routesOf(structuredClone(frozen)), first, 'a copy (not frozen) gives the same routes');
    assert.deepEqual(routesOf({ ...frozen, projects: [{ ...frozen.projects[0]!, enabled: false }] }).routes, []);
  });
});

describe('traefikServicesOf', () => {
  it("names the docker-provider services of one service's containers, for waitForServers", () => {
    const { routes: list } = routes('      - host: web\n        image: nginx\n        ingress:\n          - domain: a.example.com\n            port: 3000\n          - hostport: 1194\n            port: 1194\n            router: udp\n            protocol: udp\n      - host: 10.0.0.1\n        ingress:\n          - domain: b.example.com\n');
    assert.deepEqual(traefikServicesOf(list, 'app', 'web'), [
      { name: 'app-web-3000@docker', kind: 'http', port: 3000 },
      { name: 'app-web-1194@docker', kind: 'udp', port: 1194 },
    ]);
    assert.deepEqual(traefikServicesOf(list, 'app', '10.0.0.1'), []);
  });
});
