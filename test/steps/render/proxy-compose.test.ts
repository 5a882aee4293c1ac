import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileOf, oneProject, renderText, yamlOf } from './render-helpers.ts';

const APP = oneProject('      - host: web\n        image: nginx\n        ingress:\n          - domain: a.example.com\n');
const CROWDSEC = 'versions:\n  traefik: v3.3\n  crowdsec: v1.6.8\nplugins:\n  crowdsec:\n    enabled: true\n    version: v1.3.0\n    apikey: key\n';
const proxyOf = (text: string) => yamlOf(renderText(text), 'proxy/docker-compose.yml')['services'];

describe('proxy compose file', () => {
  it('runs traefik:<versions.traefik> on the host network, with a healthcheck that fails while the drain file exists', () => {
    const traefik = proxyOf(APP)['traefik'];
    assert.equal(traefik.image, 'traefik:v3');
    assert.equal(traefik.network_mode, 'host');
    assert.deepEqual(traefik.healthcheck.test, ['CMD-SHELL', 'test ! -f /tmp/drain && traefik healthcheck']);
    assert.ok(traefik.volumes.includes('./traefik/traefik.yml:/etc/traefik/traefik.yml:ro'));
    assert.ok(traefik.volumes.includes('./traefik/dynamic:/etc/traefik/dynamic:ro'));
    assert.equal(proxyOf(CROWDSEC + APP)['traefik'].image, 'traefik:v3.3');
  });

  it('gives Traefik a read-only socket proxy on loopback instead of the Docker socket', () => {
    const services = proxyOf(APP);
    const proxy = services['dockerproxy'];
    assert.deepEqual(proxy.volumes, ['/var/run/docker.sock:/var/run/docker.sock:ro']);
    assert.equal(proxy.read_only, true);
    assert.ok(proxy.command.includes('-listenip=127.0.0.1'));
    assert.ok(!proxy.command.some((arg: string) => /^-allow(POST|PUT|DELETE)/.test(arg)));
    assert.ok(!services['traefik'].volumes.some((v: string) => v.includes('docker.sock')));
    assert.equal(services['traefik'].depends_on.dockerproxy.condition, 'service_started');
  });

  it("runs the socket proxy as itsUP's user 0:1, so it can open the engine socket (root:docker 0660)", () => {
    assert.equal(proxyOf(APP)['dockerproxy'].user, '0:1');
  });

  it("mounts DOCKER_HOST's unix socket; a tcp:// DOCKER_HOST keeps the default socket, with a warning saying so", () => {
    const rootless = renderText(APP, { dockerHost: 'unix:///run/user/1000/docker.sock' });
    assert.deepEqual(yamlOf(rootless, 'proxy/docker-compose.yml')['services']['dockerproxy'].volumes, ['/run/user/1000/docker.sock:/var/run/docker.sock:ro']);
    assert.deepEqual(rootless.warnings, []);
    const remote = renderText(APP, { dockerHost: 'tcp://10.0.0.9:2375' });
    assert.deepEqual(yamlOf(remote, 'proxy/docker-compose.yml')['services']['dockerproxy'].volumes, ['/var/run/docker.sock:/var/run/docker.sock:ro']);
    assert.equal(remote.warnings.length, 1);
    assert.match(remote.warnings[0]!, /DOCKER_HOST=tcp:\/\/10\.0\.0\.9:2375 is not a unix socket: the socket proxy runs on that engine's host and mounts \/var\/run\/docker\.sock there/);
  });

  it('turns on AppSec when the plugin is enabled: its collections and its acquisition listener', () => {
    const stack = renderText(CROWDSEC + APP);
    const crowdsec = yamlOf(stack, 'proxy/docker-compose.yml')['services']['crowdsec'];
    assert.match(crowdsec.environment.COLLECTIONS, /crowdsecurity\/appsec-virtual-patching crowdsecurity\/appsec-generic-rules/);
    assert.equal(crowdsec.environment.GID, '1000');
    assert.match(fileOf(stack, 'proxy/crowdsec/acquis.yaml'), /source: appsec\n[\s\S]*listen_addr: 0\.0\.0\.0:7422/);
  });

  it('adds CrowdSec (and makes Traefik wait for it) only when the plugin is enabled', () => {
    const off = proxyOf(APP);
    assert.deepEqual(Object.keys(off), ['dockerproxy', 'traefik']);
    assert.equal(off['traefik'].depends_on.crowdsec, undefined);
    const on = proxyOf(CROWDSEC + APP);
    assert.equal(on['crowdsec'].image, 'crowdsecurity/crowdsec:v1.6.8');
    assert.equal(on['crowdsec'].environment.BOUNCER_KEY_TRAEFIK, 'key');
    assert.deepEqual(on['crowdsec'].ports, ['127.0.0.1:18080:8080', '127.0.0.1:7422:7422']);
    assert.equal(on['traefik'].depends_on.crowdsec.condition, 'service_healthy');
    assert.match(fileOf(renderText(CROWDSEC + APP), 'proxy/crowdsec/acquis.yaml'), /access\.log/);
  });

  it("changes Traefik's hash when its static config changes, not when only dynamic routes do", () => {
    const hash = (text: string) => renderText(text).projects.find((p) => p.name === 'proxy')?.services.find((s) => s.name === 'traefik')?.configHash;
    const base = hash(APP);
    assert.match(base ?? '', /^[0-9a-f]{64}$/);
    assert.equal(hash(APP.replace('a.example.com', 'b.example.com')), base);
    assert.notEqual(hash(`${APP}          - hostport: 5432\n            router: tcp\n`), base);
  });

  it('lists the proxy services in the result: traefik is the stateless one', () => {
    const proxy = renderText(APP).projects.at(-1);
    assert.equal(proxy?.name, 'proxy');
    assert.equal(proxy?.composeFile, 'proxy/docker-compose.yml');
    assert.deepEqual(proxy?.services.map((s) => [s.name, s.stateless]), [['dockerproxy', false], ['traefik', true]]);
  });
});
