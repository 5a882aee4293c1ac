import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { oneProject, renderText, yamlOf } from './render-helpers.ts';

const PLAIN = oneProject('      - host: web\n        image: nginx\n        ingress:\n          - domain: a.example.com\n');
const CROWDSEC = 'plugins:\n  crowdsec:\n    enabled: true\n    version: v1.3.0\n    apikey: key\n';
const staticOf = (text: string, env = {}) => yamlOf(renderText(text, env), 'proxy/traefik/traefik.yml');

describe('traefik static config', () => {
  it('has web (:80) and web-secure (:443) with reusePort and trusted IPs for forwarded headers and proxy protocol', () => {
    const { entryPoints } = staticOf(PLAIN);
    for (const [name, address] of [['web', ':80'], ['web-secure', ':443']] as const) {
      assert.equal(entryPoints[name].address, address);
      assert.equal(entryPoints[name].reusePort, true);
      assert.deepEqual(entryPoints[name].forwardedHeaders.trustedIPs, ['10.0.0.0/8', '192.168.0.0/16']);
      assert.deepEqual(entryPoints[name].proxyProtocol.trustedIPs, ['10.0.0.0/8', '192.168.0.0/16']);
    }
    assert.deepEqual(entryPoints['web'].http.redirections.entryPoint, { to: 'web-secure', scheme: 'https', permanent: true, priority: 1 });
    assert.deepEqual(entryPoints['web-secure'].http.middlewares, ['default-headers@file', 'rate-limit@file']);
    const bare = staticOf(PLAIN, { trustedIpsCidrs: [] }).entryPoints;
    assert.equal(bare['web'].forwardedHeaders, undefined);
  });

  it('opens one <router>-<hostport> entrypoint per host port, at :<port>/<protocol>', () => {
    const { entryPoints } = staticOf(oneProject([
      '      - host: web',
      '        image: nginx',
      '        ingress:',
      '          - hostport: 8443',
      '            domain: a.example.com',
      '          - hostport: 5432',
      '            router: tcp',
      '          - hostport: 1194',
      '            router: udp',
      '            protocol: udp',
      '',
    ].join('\n')));
    assert.deepEqual(Object.keys(entryPoints), ['ping', 'web', 'web-secure', 'udp-1194', 'tcp-5432', 'http-8443']);
    assert.equal(entryPoints['tcp-5432'].address, ':5432/tcp');
    assert.equal(entryPoints['udp-1194'].address, ':1194/udp');
    assert.equal(entryPoints['http-8443'].address, ':8443/tcp');
  });

  it('has a Let’s Encrypt resolver with the e-mail, and the staging CA when LETSENCRYPT_STAGING', () => {
    const live = staticOf(PLAIN).certificatesResolvers.letsencrypt.acme;
    assert.equal(live.email, 'ops@example.com');
    assert.equal(live.caServer, undefined);
    assert.deepEqual(live.httpChallenge, { entryPoint: 'web' });
    const staging = staticOf(PLAIN, { letsencryptStaging: true, letsencryptEmail: undefined }).certificatesResolvers.letsencrypt.acme;
    assert.equal(staging.caServer, 'https://acme-staging-v02.api.letsencrypt.org/directory');
    assert.equal(staging.email, undefined);
  });

  it('uses the docker provider through the socket proxy, the file provider, api/dashboard and ping', () => {
    const config = staticOf(PLAIN);
    assert.deepEqual(config.providers.docker, { endpoint: 'tcp://127.0.0.1:2375', exposedByDefault: false, network: 'proxynet', watch: true });
    assert.deepEqual(config.providers.file, { directory: '/etc/traefik/dynamic', watch: true });
    assert.equal(config.api.dashboard, true);
    assert.equal(config.ping.entryPoint, 'ping');
  });

  it('loads the CrowdSec bouncer plugin and its middleware only when the plugin is enabled', () => {
    const off = staticOf(PLAIN);
    assert.equal(off.experimental, undefined);
    const on = staticOf(CROWDSEC + PLAIN);
    assert.deepEqual(on.experimental.plugins.bouncer, { moduleName: 'github.com/maxlerebourg/crowdsec-bouncer-traefik-plugin', version: 'v1.3.0' });
    assert.deepEqual(on.entryPoints['web-secure'].http.middlewares, ['default-headers@file', 'rate-limit@file', 'crowdsec@file']);
    assert.deepEqual(on.entryPoints['web'].http.middlewares, ['crowdsec@file']);
  });

  it('lets an ACME-challenge passthrough route answer on web', () => {
    const acme = staticOf('projects:\n  - name: ha\n    services:\n      - host: 10.0.0.5\n        ingress:\n          - domain: home.example.com\n            passthrough: true\n            path_prefix: /.well-known/acme-challenge/\n            port: 80\n');
    assert.equal(acme.entryPoints['web'].allowACMEByPass, true);
    assert.equal(staticOf(PLAIN).entryPoints['web'].allowACMEByPass, undefined);
  });
});
