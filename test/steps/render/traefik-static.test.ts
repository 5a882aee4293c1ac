// traefik.yml against itsUP v1's tpl/proxy/traefik.yml.j2 (d04e761); each deliberate difference is a README row.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { oneProject, renderText, yamlOf } from './render-helpers.ts';

const PLAIN = oneProject('      - host: web\n        image: nginx\n        ingress:\n          - domain: a.example.com\n');
const CROWDSEC = 'plugins:\n  crowdsec:\n    enabled: true\n    version: v1.3.0\n    apikey: key\n';
const staticOf = (text: string, env = {}) => yamlOf(renderText(text, env), 'proxy/traefik/traefik.yml');

describe('traefik static config', () => {
  it("keeps itsUP's entrypoints: web :8080 and web-secure :8443 (asDefault, http3), trusted IPs as itsUP's", () => {
    const { entryPoints } = staticOf(PLAIN);
    for (const [name, address] of [['web', ':8080'], ['web-secure', ':8443']] as const) {
      assert.equal(entryPoints[name].address, address);
      assert.equal(entryPoints[name].reusePort, true);
      assert.deepEqual(entryPoints[name].forwardedHeaders.trustedIPs, ['172.0.0.0/8', '10.0.0.0/8', '192.168.0.0/16']);
      assert.deepEqual(entryPoints[name].proxyProtocol.trustedIPs, ['127.0.0.1/32', '10.0.0.0/8', '192.168.0.0/16']);
    }
    assert.equal(entryPoints['web-secure'].asDefault, true);
    assert.deepEqual(entryPoints['web-secure'].http3, { advertisedPort: 8443 });
    assert.deepEqual(entryPoints['web-secure'].http.middlewares, ['default-headers@file', 'rate-limit@file']);
    const bare = staticOf(PLAIN, { trustedIpsCidrs: [] }).entryPoints;
    assert.deepEqual(bare['web'].forwardedHeaders.trustedIPs, ['172.0.0.0/8']);
  });

  it('moves web and web-secure only when TRAEFIK_WEB_ADDRESS / TRAEFIK_WEB_SECURE_ADDRESS say so', () => {
    const { entryPoints } = staticOf(PLAIN, { traefikWebAddress: ':80', traefikWebSecureAddress: '0.0.0.0:443' });
    assert.equal(entryPoints['web'].address, ':80');
    assert.equal(entryPoints['web-secure'].address, '0.0.0.0:443');
    assert.deepEqual(entryPoints['web-secure'].http3, { advertisedPort: 443 });
  });

  it('redirects HTTP to HTTPS on :443 at priority 1, below every router on web (ACME passthrough included)', () => {
    const { entryPoints } = staticOf(PLAIN);
    assert.deepEqual(entryPoints['web'].http.redirections.entryPoint, { to: ':443', scheme: 'https', permanent: true, priority: 1 });
    const acme = renderText('projects:\n  - name: ha\n    services:\n      - host: 10.0.0.5\n        ingress:\n          - domain: home.example.com\n            passthrough: true\n            path_prefix: /.well-known/acme-challenge/\n            port: 80\n');
    const router = yamlOf(acme, 'proxy/traefik/dynamic/routers-http.yml')['http'].routers['ha-10-0-0-5-80'];
    assert.deepEqual(router.entryPoints, ['web']);
    assert.equal(router.tls, undefined);
    // Traefik's default router priority is the rule's length: always above the redirect's 1.
    assert.ok(router.rule.length > entryPoints['web'].http.redirections.entryPoint.priority);
  });

  it('opens one <router>-<hostport> entrypoint per host port, at :<port>/<protocol>, with itsUP trusted IPs', () => {
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
    assert.deepEqual(Object.keys(entryPoints), ['web', 'web-secure', 'ping', 'udp-1194', 'tcp-5432', 'http-8443']);
    assert.equal(entryPoints['tcp-5432'].address, ':5432/tcp');
    assert.equal(entryPoints['udp-1194'].address, ':1194/udp');
    assert.equal(entryPoints['http-8443'].address, ':8443/tcp');
    assert.deepEqual(entryPoints['tcp-5432'].forwardedHeaders.trustedIPs, ['127.0.0.1/32', '10.0.0.0/8', '192.168.0.0/16']);
  });

  it("uses itsUP's TLS-ALPN challenge, the e-mail, and the staging CA when LETSENCRYPT_STAGING", () => {
    const live = staticOf(PLAIN).certificatesResolvers.letsencrypt.acme;
    assert.deepEqual(live, { email: 'ops@example.com', storage: '/etc/acme/acme.json', tlsChallenge: {} });
    const staging = staticOf(PLAIN, { letsencryptStaging: true, letsencryptEmail: undefined }).certificatesResolvers.letsencrypt.acme;
    assert.equal(staging.caServer, 'https://acme-staging-v02.api.letsencrypt.org/directory');
    assert.equal(staging.email, undefined);
  });

  it('uses the docker provider through the socket proxy, the file provider, api/dashboard and a loopback ping', () => {
    const config = staticOf(PLAIN);
    assert.deepEqual(config.providers.docker, { exposedByDefault: false, endpoint: 'tcp://127.0.0.1:2375', network: 'proxynet' });
    assert.deepEqual(config.providers.file, { directory: '/etc/traefik/dynamic', watch: true });
    assert.deepEqual(config.api, { insecure: false, dashboard: true, debug: true });
    assert.equal(config.ping.entryPoint, 'ping');
    assert.equal(config.entryPoints.ping.address, '127.0.0.1:8082');
  });

  it('loads the CrowdSec bouncer plugin and its middleware on web-secure only when the plugin is enabled', () => {
    const off = staticOf(PLAIN);
    assert.equal(off.experimental, undefined);
    const on = staticOf(CROWDSEC + PLAIN);
    assert.deepEqual(on.experimental.plugins.bouncer, { moduleName: 'github.com/maxlerebourg/crowdsec-bouncer-traefik-plugin', version: 'v1.3.0' });
    assert.deepEqual(on.entryPoints['web-secure'].http.middlewares, ['default-headers@file', 'rate-limit@file', 'crowdsec@file']);
    assert.equal(on.entryPoints['web'].http.middlewares, undefined);
  });
});
