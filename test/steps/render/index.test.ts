import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, symlink, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { loadEnv } from '../../../config/env.ts';
import { isRailyardError } from '../../../core/errors.ts';
import { createLogger } from '../../../core/logger.ts';
import { createStepContext } from '../../../pipeline/step-context.ts';
import type { Step } from '../../../pipeline/types.ts';
import { render } from '../../../steps/render/index.ts';
import { validate, type ValidateResult } from '../../../steps/validate.ts';
import { config, oneProject } from './render-helpers.ts';

const DB = oneProject('      - host: web\n        image: nginx\n        stateless: true\n        replicas: 2\n        ingress:\n          - domain: a.example.com\n      - host: db\n        image: postgres\n        volumes: [/data]\n');

/** Runs the render step as the runner would, after a validate that produced `text`. */
async function runRender(root: string, text = DB) {
  const env = loadEnv({ root, environ: { LETSENCRYPT_EMAIL: 'ops@example.com' } });
  const results = new Map<Step, unknown>([[validate, { config: config(text), file: 'db.yml' } satisfies ValidateResult]]);
  const ctx = createStepContext({
    runId: 'run-1',
    pipeline: 'deploy',
    project: 'app',
    service: undefined,
    trigger: { kind: 'cli' },
    env,
    log: createLogger({ level: 'silent' }),
    signal: new AbortController().signal,
    clients: { docker: new Docker({ socketPath: '/nonexistent.sock' }) },
    recordCommit: () => undefined,
  }, render, results);
  return render.run(ctx);
}

describe('render step', () => {
  it('needs validate, writes the stack under the root and reports every service for the diff step', async () => {
    assert.deepEqual(render.needs, [validate]);
    const root = await mkdtemp(join(tmpdir(), 'railyard-step-'));
    const result = await runRender(root);
    assert.equal(result.root, root);
    assert.ok(result.changed.includes('upstream/app/docker-compose.yml'));
    assert.match(await readFile(join(root, 'upstream/app/docker-compose.yml'), 'utf8'), /app-web:/);
    assert.deepEqual(result.services.map((s) => [s.project, s.service, s.name, s.image, s.stateless, s.replicas]), [
      ['app', 'web', 'app-web', 'nginx', true, 2],
      ['app', 'db', 'app-db', 'postgres', false, 1],
      ['proxy', 'dockerproxy', 'dockerproxy', 'wollomatic/socket-proxy:1', false, 1],
      ['proxy', 'traefik', 'traefik', 'traefik:v3', true, 1],
    ]);
    assert.ok(result.services.every((s) => /^[0-9a-f]{64}$/.test(s.configHash)));
    assert.deepEqual((await runRender(root)).changed, [], 'a second run changes nothing');
  });

  it('fails with RENDER_UNSAFE_PATH and writes nothing when upstream/<project> is a symlink', async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-step-'));
    await mkdir(join(root, 'upstream'));
    await symlink(tmpdir(), join(root, 'upstream', 'app'));
    await assert.rejects(runRender(root), (error: unknown) => isRailyardError(error, 'RENDER_UNSAFE_PATH'));
  });
});
