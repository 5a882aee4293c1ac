import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SECRET_SETTINGS } from '../../config/env.ts';
import { checkDb } from '../../config/load-db.ts';

const VARS = {
  API_KEY: 'k-api-123456', GITHUB_WEBHOOK_SECRET: 'k-hook-123456', GIT_TOKEN: 'k-git-123456', AWS_ACCESS_KEY_ID: 'AKIA123456',
  AWS_SECRET_ACCESS_KEY: 'k-aws-123456', ABUSEIPDB_API_KEY: 'k-abuse-123456', APP_SECRET: 'mine',
};

const project = (env: string, serviceEnv = ''): string =>
  `projects:\n  - name: app\n    env:\n${env}    services:\n      - host: web\n        image: nginx\n${serviceEnv ? `        env:\n${serviceEnv}` : ''}`;

describe("railyard's own secrets in db.yml ${...}", () => {
  for (const name of SECRET_SETTINGS) {
    for (const form of [`\${${name}}`, `\${${name}:-x}`, `\${${name}-x}`, `\${${name}:?needed}`]) {
      it(`refuses ${form} in a project's and a service's env, placed, with the value never resolved`, () => {
        const result = checkDb(project(`      A: "${form}"\n`, `          B: "pre-${form}"\n`), 'db.yml', VARS);
        assert.ok(!result.ok);
        assert.deepEqual(result.problems.map((p) => [p.code, p.line]), [['SECRET_VARIABLE', 4], ['SECRET_VARIABLE', 9]]);
        assert.ok(!JSON.stringify(result.problems).includes(VARS[name as keyof typeof VARS]));
      });
    }
  }

  it('still resolves other variables, and a secret name the project defines itself', () => {
    const result = checkDb(project('      API_KEY: its-own\n      A: "${APP_SECRET}"\n', '          B: "${API_KEY}"\n'), 'db.yml', VARS);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    const [app] = result.config.projects;
    assert.deepEqual([app!.env['A'], app!.services[0]!.env['B']], ['mine', 'its-own']);
  });
});
