import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { oneProject, renderText, yamlOf } from './render-helpers.ts';

const APP = oneProject('      - host: web\n        image: nginx\n');
const middlewaresOf = (text: string, env = {}) => yamlOf(renderText(text, env), 'proxy/traefik/dynamic/middlewares.yml')['http'].middlewares;

describe('traefik middlewares', () => {
  it('defines the default security headers and a rate limit', () => {
    const m = middlewaresOf(APP);
    assert.equal(m['default-headers'].headers.contentTypeNosniff, true);
    assert.equal(m['default-headers'].headers.stsSeconds, 31536000);
    assert.deepEqual(m['rate-limit'], { rateLimit: { average: 100, burst: 200, period: '1s' } });
  });

  it('defines basic auth for the dashboard from TRAEFIK_ADMIN (comma-separated users)', () => {
    assert.deepEqual(middlewaresOf(APP, { traefikAdmin: 'a:$apr1$x,b:$apr1$y' })['traefik-auth'], { basicAuth: { users: ['a:$apr1$x', 'b:$apr1$y'] } });
    assert.equal(middlewaresOf(APP, { traefikAdmin: undefined })['traefik-auth'], undefined);
  });

  it('defines the CrowdSec bouncer only when the plugin is enabled; db.yml options win', () => {
    assert.equal(middlewaresOf(APP)['crowdsec'], undefined);
    const off = 'plugins:\n  crowdsec:\n    enabled: false\n    version: v1.3.0\n';
    assert.equal(middlewaresOf(off + APP)['crowdsec'], undefined);
    const on = 'plugins:\n  crowdsec:\n    enabled: true\n    version: v1.3.0\n    apikey: key\n    options:\n      logLevel: DEBUG\n      crowdsecMode: stream\n';
    const bouncer = middlewaresOf(on + APP)['crowdsec'].plugin.bouncer;
    assert.equal(bouncer.enabled, true);
    assert.equal(bouncer.crowdsecLapiKey, 'key');
    assert.equal(bouncer.crowdsecLapiHost, '127.0.0.1:18080');
    assert.equal(bouncer.crowdsecMode, 'stream');
    assert.equal(bouncer.logLevel, 'DEBUG');
    assert.deepEqual(bouncer.forwardedHeadersTrustedIPs, ['10.0.0.0/8', '192.168.0.0/16']);
  });
});
