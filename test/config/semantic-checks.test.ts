import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DbConfig } from '../../config/db-types.ts';
import { deepFreeze } from '../../config/env.ts';
import { checkDb } from '../../config/load-db.ts';
import { sourceOf } from '../../config/parse-yaml.ts';
import { semanticChecks } from '../../config/semantic-checks.ts';

const project = (name: string, domain: string, hostport: number) =>
  `  - name: ${name}\n    services:\n      - host: web\n        image: nginx\n        ingress:\n          - domain: ${domain}\n            port: 8080\n            router: tcp\n            hostport: ${hostport}\n`;

const frozen = (text: string): DbConfig => {
  const checked = checkDb(text, 'db.yml', {});
  assert.ok(checked.ok, JSON.stringify(checked.problems));
  return checked.config;
};

describe('config/semantic-checks', () => {
  it('checks frozen projects it has seen against every other project, as it checks fresh ones', () => {
    const first = frozen(`projects:\n${project('a', 'x.example.com', 9000)}${project('b', 'y.example.com', 9001)}`);
    const later = frozen(`projects:\n${project('c', 'X.example.com', 9000)}`);
    const text = `projects:\n${project('a', 'x.example.com', 9000)}${project('c', 'X.example.com', 9000)}`;
    const both = { ...first, projects: [first.projects[0]!, later.projects[0]!] };
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(semanticChecks(first, sourceOf(text), 'db.yml'), []);
      const problems = semanticChecks(both, sourceOf(text), 'db.yml');
      // A copy is not frozen: checked afresh.
      assert.deepEqual(problems, semanticChecks(structuredClone(both), sourceOf(text), 'db.yml'));
      assert.deepEqual(problems.map((p) => [p.code, p.path, p.line]), [
        ['DUPLICATE_ROUTE', 'projects[1].services[0].ingress[0]', 16],
        ['DUPLICATE_HOSTPORT', 'projects[1].services[0].ingress[0].hostport', 19],
      ]);
      assert.match(problems[0]!.message, /tcp route for X\.example\.com \(c\/web\) is already claimed at line 7/);
    }
  });

  it('reports the problems of a frozen project each time it is checked', () => {
    const config = frozen(`projects:\n${project('a', 'x.example.com', 9000)}`);
    const service = config.projects[0]!.services[0]!;
    const broken = deepFreeze({ ...config, projects: [{ ...config.projects[0]!, services: [service, service] }] });
    const text = `projects:\n${project('a', 'x.example.com', 9000)}`;
    const once = semanticChecks(broken, sourceOf(text), 'db.yml');
    assert.deepEqual(once.map((p) => p.code), ['DUPLICATE_SERVICE', 'DUPLICATE_ROUTE', 'DUPLICATE_HOSTPORT']);
    assert.deepEqual(semanticChecks(broken, sourceOf(text), 'db.yml'), once);
  });
});
