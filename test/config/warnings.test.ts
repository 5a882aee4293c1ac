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

  it('runtime: swarm and notifications are accepted, each with a placed warning that says they do nothing yet', () => {
    const text = `runtime: swarm\nnotifications:\n  - url: https://hooks.example/x\n${BASE}`;
    const result = checkDb(text, 'db.yml', {});
    assert.ok(result.ok);
    assert.deepEqual(result.warnings.map((w) => [w.code, w.line, w.path, w.severity]), [
      ['NOT_YET_EFFECTIVE', 1, 'runtime', 'warning'],
      ['NOT_YET_EFFECTIVE', 2, 'notifications', 'warning'],
    ]);
    assert.match(formatProblem(result.warnings[0]!), /^db\.yml:1:10 runtime: warning: runtime: swarm has no effect yet/);
  });
});
