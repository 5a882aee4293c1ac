import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { createTestRepo } from '../helpers/git-repo.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { tempRoot } from '../helpers/runner.ts';

const BIN = new URL('../../bin/railyard.js', import.meta.url).pathname;
const TOKEN = 'ghp_cli0123456789abcdefTOKEN';
const DB = 'projects:\n  - name: alpha\n    services:\n      - host: web\n        image: nginx:1\n';

async function railyard(root: string, args: string[], environ: Record<string, string> = {}) {
  return execa(process.execPath, [BIN, '--root', root, ...args], {
    reject: false,
    extendEnv: false,
    // A socket that does not exist: runs reach `diff` and stop there, engine or not.
    env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'info', DOCKER_HOST: `unix://${join(root, 'none.sock')}`, ...environ },
  });
}

describe('railyard apply and runs', () => {
  let server: GitServer;
  let url: string;

  before(async () => {
    const serverRoot = await tempRoot('railyard-cli-git-');
    const repo = await createTestRepo(serverRoot);
    await repo.commit({ 'db.yml': DB });
    server = await startGitServer({ root: serverRoot, token: TOKEN });
    url = server.url(repo.name);
  });
  after(() => server.close());

  it('runs apply through the runner, so the run is in the history with its steps, error and log', async () => {
    const root = await tempRoot('railyard-cli-');
    await writeFile(join(root, 'db.yml'), DB);
    const apply = await railyard(root, ['apply', 'alpha']);
    assert.equal(apply.exitCode, 1, 'diff fails: there is no engine at DOCKER_HOST');
    assert.match(apply.stdout, /^#1 {2}deploy {2}alpha {2}failed .*at diff \[DOCKER_UNREACHABLE\]/);

    const list = await railyard(root, ['runs', '--project', 'alpha', '--status', 'failed', '--json']);
    assert.equal(list.exitCode, 0, list.stderr);
    const runs = JSON.parse(list.stdout) as { id: string; trigger: { kind: string }; error: { step: string; code: string } }[];
    assert.deepEqual(runs.map((r) => [r.id, r.trigger.kind, r.error.step, r.error.code]), [['1', 'cli', 'diff', 'DOCKER_UNREACHABLE']]);
    assert.equal((await railyard(root, ['runs', '--status', 'succeeded'])).stdout, 'no runs');

    const show = await railyard(root, ['runs', 'show', '1']);
    assert.equal(show.exitCode, 0, show.stderr);
    assert.match(show.stdout, /^ {2}pull {9}succeeded +\d+\.\d+ s$/m);
    assert.match(show.stdout, /^ {2}diff {9}failed +\d+\.\d+ s {2}\[DOCKER_UNREACHABLE\]/m);
    assert.match(show.stdout, /INFO {2}\[pull\] no remote configured/);

    const missing = await railyard(root, ['runs', 'show', '42']);
    assert.deepEqual([missing.exitCode, /RUN_NOT_FOUND/.test(missing.stderr)], [1, true]);
    const usage = await railyard(root, ['apply', '--service', 'web']);
    assert.deepEqual([usage.exitCode, /USAGE/.test(usage.stderr)], [1, true]);
  });

  it('fails with GIT_AUTH_FAILED for a wrong token, which appears in no output, log line or stored error', async () => {
    const root = await tempRoot('railyard-cli-');
    const wrong = 'ghp_wrongcli0123456789abcdefX';
    const apply = await railyard(root, ['apply', 'alpha'], { REPO_URL: url, GIT_TOKEN: wrong });
    assert.equal(apply.exitCode, 1);
    assert.match(apply.stdout, /at pull \[GIT_AUTH_FAILED\]/);
    const show = await railyard(root, ['runs', 'show', '1', '--json']);
    const base64 = Buffer.from(`x-access-token:${wrong}`).toString('base64');
    for (const text of [apply.stdout, apply.stderr, show.stdout]) {
      assert.ok(!text.includes(wrong) && !text.includes(base64), 'the token leaked');
    }
    assert.match(show.stdout, /"code": "GIT_AUTH_FAILED"/);
  });

  it('records the pulled commit, and refuses an SSH REPO_URL at start-up', async () => {
    const root = await tempRoot('railyard-cli-');
    const apply = await railyard(root, ['apply', 'alpha'], { REPO_URL: url, GIT_TOKEN: TOKEN });
    assert.match(apply.stdout, /commit [0-9a-f]{7} .*at diff/);
    const ssh = await railyard(root, ['apply', 'alpha'], { REPO_URL: 'git@github.com:me/config.git' });
    assert.equal(ssh.exitCode, 1);
    assert.match(ssh.stderr, /GIT_URL_UNSUPPORTED.*HTTPS.*GIT_TOKEN/);
    assert.equal((await railyard(root, ['runs', '--json'])).stdout.match(/"id"/g)?.length, 1, 'no run was created');
  });
});
