import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDb } from '../../config/load-db.ts';
import { formatProblem } from '../../config/problem.ts';

const BASE = 'projects:\n  - name: app\n    services:\n      - host: web\n        image: nginx\n';

describe('config warnings', () => {
  it('a valid file has none', () => {
    const result = checkDb(BASE, 'db.yml', {});
    assert.ok(result.ok);
    assert.deepEqual(result.warnings, []);
  });

  it('runtime: swarm is accepted with a placed warning that says it does nothing yet; notifications are not', () => {
    const text = `runtime: swarm\nnotifications:\n  - url: https://hooks.example/x\n${BASE}`;
    const result = checkDb(text, 'db.yml', {});
    assert.ok(result.ok);
    assert.deepEqual(result.warnings.map((w) => [w.code, w.line, w.path, w.severity]), [['NOT_YET_EFFECTIVE', 1, 'runtime', 'warning']]);
    assert.match(formatProblem(result.warnings[0]!), /^db\.yml:1:10 runtime: warning: runtime: swarm has no effect yet/);
  });

  it('ntfy headers on another type of target are warned about at their key', () => {
    const text = `notifications:\n  - url: https://hooks.example/x\n    priority: 5\n  - url: https://ntfy.example/t\n    type: ntfy\n    priority: 5\n${BASE}`;
    const result = checkDb(text, 'db.yml', {});
    assert.ok(result.ok);
    assert.deepEqual(result.warnings.map((w) => [w.line, w.path]), [[3, 'notifications[0].priority']]);
    assert.match(result.warnings[0]!.message, /only applies to type: ntfy/);
  });
});
