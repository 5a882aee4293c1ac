import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDb } from '../../config/load-db.ts';

const BASE = 'projects:\n  - name: app\n    services:\n      - host: web\n        image: nginx\n';

describe('config warnings', () => {
  it('a valid file has none', () => {
    const result = checkDb(BASE, 'db.yml', {});
    assert.ok(result.ok);
    assert.deepEqual(result.warnings, []);
  });

  it('runtime: swarm and notifications are accepted without a warning', () => {
    const text = `runtime: swarm\nnotifications:\n  - url: https://hooks.example/x\n${BASE}`;
    const result = checkDb(text, 'db.yml', {});
    assert.ok(result.ok);
    assert.deepEqual(result.warnings, []);
  });

  it('placement on a compose project is warned about; on a swarm project it is not', () => {
    const service = 'projects:\n  - name: app\n    runtime: RT\n    services:\n      - host: db\n        image: nginx\n        placement: node.hostname == web-1\n';
    const compose = checkDb(service.replace('RT', 'compose'), 'db.yml', {});
    assert.ok(compose.ok);
    assert.deepEqual(compose.warnings.map((w) => [w.code, w.path]), [['SWARM_ONLY', 'projects[0].services[0].placement']]);
    const swarm = checkDb(service.replace('RT', 'swarm'), 'db.yml', {});
    assert.ok(swarm.ok);
    assert.deepEqual(swarm.warnings, []);
  });

  it('ntfy headers on another type of target are warned about at their key', () => {
    const text = `notifications:\n  - url: https://hooks.example/x\n    priority: 5\n  - url: https://ntfy.example/t\n    type: ntfy\n    priority: 5\n${BASE}`;
    const result = checkDb(text, 'db.yml', {});
    assert.ok(result.ok);
    assert.deepEqual(result.warnings.map((w) => [w.line, w.path]), [[3, 'notifications[0].priority']]);
    assert.match(result.warnings[0]!.message, /only applies to type: ntfy/);
  });
});
