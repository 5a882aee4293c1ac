// Issue 12: a deploy and its retry both cut off by SIGKILL mid-rollout (on
// the real dockerd) leave 3 containers of a 1-replica service. The next start
// must converge them: the retry's retry runs to the end, and 1 container with
// the new config is left. (Before, a retry that died was not retried again,
// and the 3 containers stayed with nothing queued to fix them.)
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { RunStore, storePath } from '../../pipeline/run-store.ts';
import { uniqueName } from '../helpers/compose-project.ts';
import { dockerSuiteOptions, TEST_IMAGES } from '../helpers/docker.ts';

const BIN = new URL('../../bin/railyard.js', import.meta.url).pathname;

// CMD form: no drain marker, so the rollout sleeps rollout.drain with the new
// container up and the old one not yet stopped: the window the kills aim at.
const db = (project: string, version: string): string =>
  `projects:\n  - name: ${project}\n    services:\n      - host: web\n        image: ${TEST_IMAGES.web}\n        stateless: true\n` +
  `        env:\n          VERSION: "${version}"\n        healthcheck:\n          test: ["CMD", "/bin/wget", "-q", "-O-", "http://127.0.0.1:8080/"]\n` +
  `          interval: 500ms\n          retries: 3\n        rollout:\n          drain: 6s\n`;

async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('two crashes in a row mid-rollout (real dockerd)', await dockerSuiteOptions(), () => {
  const project = uniqueName('ry-crash2');
  let root = '';
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LOG_LEVEL: 'warn' };
  if (process.env['DOCKER_HOST']) env['DOCKER_HOST'] = process.env['DOCKER_HOST'];
  const railyard = (...args: string[]) => execa(process.execPath, [BIN, '--root', root, ...args], { env, extendEnv: false, reject: false, timeout: 120_000 });
  const list = async (...flags: string[]): Promise<string[]> =>
    (await execa('docker', ['ps', ...flags, '-q', '--filter', `label=com.docker.compose.project=${project}`])).stdout.split('\n').filter(Boolean);
  const containers = (): Promise<string[]> => list('-a');

  after(async () => {
    const ids = root === '' ? [] : await containers();
    if (ids.length > 0) await execa('docker', ['rm', '-f', ...ids], { reject: false });
    await execa('docker', ['network', 'rm', `${project}_default`], { reject: false });
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  /**
   * Starts a worker, waits until the service has `count` running containers (a
   * rollout under way, its new container started), and SIGKILLs it. Running,
   * not created: a container killed between create and start is idle, and the
   * retry removes it instead of keeping it (so the count would never reach 3).
   */
  async function killMidRollout(count: number): Promise<void> {
    const worker = railyard('worker', '--no-schedule');
    try {
      await until(async () => (await list()).length >= count, 60_000, `${count} running containers (the rollout under way)`);
    } finally {
      worker.kill('SIGKILL'); // also when the wait failed: a worker left running would hold this file open
    }
    assert.equal((await worker).signal, 'SIGKILL');
  }

  it('converges 3 containers of a 1-replica service at the next start', { timeout: 180_000 }, async () => {
    root = await mkdtemp(join(tmpdir(), `${project}-`));
    await writeFile(join(root, 'db.yml'), db(project, 'one'));
    const created = await railyard('apply', project);
    assert.equal(created.exitCode, 0, String(created.stderr));
    assert.equal((await containers()).length, 1);

    await writeFile(join(root, 'db.yml'), db(project, 'two'));
    const queued = await railyard('apply', project, '--detach', '--json');
    const first = (JSON.parse(String(queued.stdout)) as { runId: string }).runId;
    await killMidRollout(2); // the deploy: old + new
    await killMidRollout(3); // its retry: both, + one more

    const last = await railyard('worker', '--no-schedule', '--exit-when-idle');
    assert.equal(last.exitCode, 0, String(last.stderr));
    const store = RunStore.open(storePath(root));
    try {
      const retry1 = store.getRun(first)!.retriedBy!;
      const retry2 = store.getRun(retry1)?.retriedBy;
      assert.deepEqual([store.getRun(first)?.status, store.getRun(retry1)?.status], ['interrupted', 'interrupted']);
      assert.ok(retry2 !== undefined, 'the interrupted retry was retried');
      assert.equal(store.getRun(retry2)?.status, 'succeeded');
    } finally {
      store.close();
    }
    const left = await containers();
    assert.equal(left.length, 1, `containers left: ${left.length}`);
    const version = (await execa('docker', ['inspect', '-f', '{{range .Config.Env}}{{println .}}{{end}}', left[0]!])).stdout;
    assert.match(version, /^VERSION=two$/m);
  });
});
