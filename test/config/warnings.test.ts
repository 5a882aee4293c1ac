import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDb } from '../../config/load-db.ts';
import { sourceOf } from '../../config/parse-yaml.ts';
import { configWarnings } from '../../config/warnings.ts';

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

  it('warns about a frozen project as about a fresh one: at its new index, under the current top-level runtime', () => {
    const text = 'projects:\n  - name: a\n    services:\n      - host: db\n        image: nginx\n        placement: node.hostname == web-1\n  - name: b\n    services: []\n';
    const checked = checkDb(text, 'db.yml', {});
    assert.ok(checked.ok);
    const [a, b] = checked.config.projects;
    const movedText = 'projects:\n  - name: b\n    services: []\n  - name: a\n    services:\n      - host: db\n        image: nginx\n        placement: node.hostname == web-1\n';
    const movedFresh = checkDb(movedText, 'db.yml', {});
    assert.ok(movedFresh.ok);
    const moved = { ...checked.config, projects: [b!, a!] };
    // Twice: the second time from what the first found for the same objects.
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(configWarnings(checked.config, sourceOf(text), 'db.yml').map((w) => w.path), ['projects[0].services[0].placement']);
      const warnings = configWarnings(moved, sourceOf(movedText), 'db.yml');
      assert.deepEqual(warnings, movedFresh.warnings);
      assert.deepEqual(warnings.map((w) => [w.path, w.line]), [['projects[1].services[0].placement', 8]]);
      // The same project objects under runtime: swarm: placement acts, nothing to warn about.
      assert.deepEqual(configWarnings({ ...checked.config, runtime: 'swarm' }, sourceOf(text), 'db.yml'), []);
    }
  });
});
