// middleware.yml: the values that take effect in itsUP v1 (its tpl/proxy/middleware.yml.j2 is read by
// Traefik's file provider before routers-http.yml, whose duplicate definitions Traefik skips).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { oneProject, renderText, yamlOf } from './render-helpers.ts';

const APP = oneProject('      - host: web\n        image: nginx\n');
const middlewaresOf = (text: string, env = {}) => yamlOf(renderText(text, env), 'proxy/traefik/dynamic/middleware.yml')['http'].middlewares;

describe('traefik middlewares', () => {
  it("defines itsUP's security headers (frameDeny, HSTS with subdomains and preload) and rate limit (100, burst 50)", () => {
    const m = middlewaresOf(APP);
    assert.deepEqual(m['default-headers'].headers, {
      browserXssFilter: true, contentTypeNosniff: true, forceSTSHeader: true, frameDeny: true, stsIncludeSubdomains: true, stsPreload: true, stsSeconds: 31536000,
    });
    assert.deepEqual(m['rate-limit'], { rateLimit: { average: 100, burst: 50 } });
  });

  it("has itsUP's default TLS options in routers-http.yml: TLS 1.2+, sniStrict, its ciphers and curves", () => {
    const tls = yamlOf(renderText(APP), 'proxy/traefik/dynamic/routers-http.yml')['tls'].options.default;
    assert.equal(tls.minVersion, 'VersionTLS12');
    assert.equal(tls.sniStrict, true);
    assert.equal(tls.cipherSuites.length, 9);
    assert.ok(tls.cipherSuites.includes('TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256'));
    assert.deepEqual(tls.curvePreferences, ['CurveP521', 'CurveP384']);
  });

  it('defines basic auth for the dashboard from TRAEFIK_ADMIN (comma-separated users)', () => {
    assert.deepEqual(middlewaresOf(APP, { traefikAdmin: 'a:$apr1$x,b:$apr1$y' })['traefik-auth'], { basicAuth: { users: ['a:$apr1$x', 'b:$apr1$y'] } });
    assert.equal(middlewaresOf(APP, { traefikAdmin: undefined })['traefik-auth'], undefined);
  });

  it('defines the CrowdSec bouncer with AppSec on only when the plugin is enabled; db.yml options win', () => {
    assert.equal(middlewaresOf(APP)['crowdsec'], undefined);
    const off = 'plugins:\n  crowdsec:\n    enabled: false\n    version: v1.3.0\n';
    assert.equal(middlewaresOf(off + APP)['crowdsec'], undefined);
    const on = 'plugins:\n  crowdsec:\n    enabled: true\n    version: v1.3.0\n    apikey: key\n    options:\n      logLevel: DEBUG\n      crowdsecMode: stream\n';
    const bouncer = middlewaresOf(on + APP)['crowdsec'].plugin.bouncer;
    assert.equal(bouncer.enabled, true);
    assert.equal(bouncer.crowdsecAppsecEnabled, true);
    assert.equal(bouncer.crowdsecAppsecHost, '127.0.0.1:7422');
    assert.equal(bouncer.crowdsecLapiKey, 'key');
    assert.equal(bouncer.crowdsecLapiHost, '127.0.0.1:18080');
    assert.equal(bouncer.crowdsecMode, 'stream');
    assert.equal(bouncer.logLevel, 'DEBUG');
    assert.equal(bouncer.forwardedHeadersCustomName, 'X-Custom-Header');
    const appsecOff = on.replace('crowdsecMode: stream', 'crowdsecAppsecEnabled: false');
    assert.equal(middlewaresOf(appsecOff + APP)['crowdsec'].plugin.bouncer.crowdsecAppsecEnabled, false);
  });
});
