// The validate step reads the clone's db.yml between pulls, never during one:
// a push that checks out a new db.yml while another project's run validates
// must not hand that run a half-written (or not yet checked) file.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Docker from 'dockerode';
import { loadEnv } from '../../config/env.ts';
import { isRailyardError } from '../../core/errors.ts';
import { pull, validate } from '../../steps/index.ts';
import type { ValidateResult } from '../../steps/validate.ts';
import { createTestRepo, type TestRepo } from '../helpers/git-repo.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { gate, tempRoot, until } from '../helpers/runner.ts';
import { runSteps } from './rollout/run-steps.ts';

const TOKEN = 'ghp_test0123456789abcdefTOKEN';
const db = (image: string): string => `projects:\n  - name: alpha\n    services:\n      - host: web\n        image: ${image}\n`;

describe('validate step', () => {
  let server: GitServer;
  let repo: TestRepo;
  let hold: Promise<void> | undefined;

  before(async () => {
    const serverRoot = await tempRoot('railyard-git-');
    repo = await createTestRepo(serverRoot);
    server = await startGitServer({ root: serverRoot, token: TOKEN, beforeRequest: () => hold });
  });
  after(() => server.close());

  const run = async (root: string, steps: Parameters<typeof runSteps>[0]) =>
    runSteps(steps, {
      env: loadEnv({ root, environ: { REPO_URL: server.url(repo.name), GIT_TOKEN: TOKEN } }),
      docker: new Docker({ socketPath: join(root, 'none.sock') }),
      project: 'alpha',
    });
  const imageOf = (result: ValidateResult): string | undefined => result.config.projects[0]?.services[0]?.image;

  it('waits while a pull is checking out, then reads the new db.yml whole', async () => {
    const root = await tempRoot();
    await repo.commit({ 'db.yml': db('nginx:1') });
    await run(root, [pull]);
    await repo.commit({ 'db.yml': db('nginx:2') });

    const fetch = gate();
    hold = fetch.wait();
    const release = (): void => {
      hold = undefined;
      fetch.open();
    };
    try {
      const requestsBefore = server.requests.length;
      const pulling = run(root, [pull]);
      await until(() => server.requests.length > requestsBefore, 5000, 'the pull to reach the git server');
      let validated: ValidateResult | undefined;
      const validating = run(root, [validate]).then((results) => (validated = results.get(validate)));
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(validated, undefined, 'validate read db.yml while the pull held the clone');
      release();
      await pulling;
      await validating;
      assert.equal(validated && imageOf(validated), 'nginx:2');
    } finally {
      release();
    }
  });

  it('without a pull under way, reads at once; a broken db.yml fails with CONFIG_INVALID', async () => {
    const root = await tempRoot();
    await repo.commit({ 'db.yml': db('nginx:3') });
    await run(root, [pull]);
    assert.equal(imageOf((await run(root, [validate])).get(validate)), 'nginx:3');
    await writeFile(join(root, 'data', 'repo', 'db.yml'), 'projects: [\n');
    await assert.rejects(run(root, [validate]), (error) => isRailyardError(error, 'CONFIG_INVALID'));
  });
});
