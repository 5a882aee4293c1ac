// Kills a real `railyard worker` with SIGKILL in the middle of a run (its pull
// is held by the git server), restarts it, and checks the store: the run is
// redone exactly once, every trigger accepted before the kill is executed, and
// the database is intact. The deploys it fans out to fail at `diff`, on purpose:
// DOCKER_HOST points at a socket that does not exist, so the test needs no engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execa } from 'execa';
import { RunStore, storePath } from '../../pipeline/run-store.ts';
import type { RunRecord } from '../../pipeline/run-record.ts';
import { waitForRun } from '../../pipeline/wait-for-run.ts';
import { createTestRepo } from '../helpers/git-repo.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { gate, tempRoot, until } from '../helpers/runner.ts';

const BIN = new URL('../../bin/railyard.js', import.meta.url).pathname;
const TOKEN = 'ghp_crash0123456789abcdefTOKEN';
const DB = 'projects:\n  - name: alpha\n    services:\n      - host: web\n        image: nginx:1\n  - name: beta\n    services:\n      - host: web\n        image: redis:7\n';

describe('crash recovery of a real railyard process', () => {
  let server: GitServer;
  let root: string;
  let commit: string;
  let holding = true;
  const held = gate();
  const release = gate();
  let env: Record<string, string>;

  before(async () => {
    const serverRoot = await tempRoot('railyard-crash-git-');
    const repo = await createTestRepo(serverRoot);
    commit = await repo.commit({ 'db.yml': DB });
    server = await startGitServer({
      root: serverRoot,
      token: TOKEN,
      beforeRequest: async () => {
        if (!holding) return;
        held.open();
        await release.wait();
      },
    });
    root = await tempRoot('railyard-crash-');
    env = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: root,
      REPO_URL: server.url(repo.name),
      GIT_TOKEN: TOKEN,
      RAILYARD_CONCURRENCY: '1',
      DOCKER_HOST: `unix://${join(root, 'no-docker.sock')}`,
      LOG_LEVEL: 'info',
    };
  });
  after(() => server.close());

  const railyard = (...args: string[]) =>
    execa(process.execPath, [BIN, '--root', root, ...args], { env, extendEnv: false, reject: false });

  it('redoes the interrupted run once after SIGKILL and runs every accepted trigger', { timeout: 90_000 }, async () => {
    // No scheduler: a reconcile tick (REPO_URL is set) must not add a sync of its own.
    const worker = railyard('worker', '--no-schedule');
    const sync = await railyard('apply', '--detach', '--json');
    assert.equal(sync.exitCode, 0, sync.stderr);
    const first = (JSON.parse(sync.stdout) as { runId: string }).runId;
    const early = await Promise.race([held.wait().then(() => undefined), worker]);
    assert.equal(early, undefined, `the worker exited early: ${early?.stderr ?? ''}`);

    const store = RunStore.open(storePath(root));
    await until(() => store.getRun(first)?.status === 'running', 10_000, 'the sync to be running');
    const beta = await railyard('apply', 'beta', '--detach', '--json');
    const again = await railyard('apply', '--detach', '--json');
    const accepted = [first, ...[beta, again].map((r) => (JSON.parse(r.stdout) as { runId: string }).runId)];
    const busy = await railyard('worker');
    assert.match(busy.stderr, /RUNNER_BUSY/, 'a second runner is refused while the first lives');

    worker.kill('SIGKILL');
    const killed = await worker;
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal(store.getRun(first)?.status, 'running', 'the killed process left the run running');
    holding = false;
    release.open();

    const restart = await railyard('worker', '--exit-when-idle');
    assert.equal(restart.exitCode, 0, restart.stderr);
    await assertRecovered(store, first, accepted);
    store.close();
  });

  async function assertRecovered(store: RunStore, first: string, accepted: readonly string[]): Promise<void> {
    assert.equal(store.integrityCheck(), 'ok');
    const interrupted = store.getRun(first)!;
    assert.deepEqual([interrupted.status, interrupted.error?.code, interrupted.error?.step], ['interrupted', 'RUN_INTERRUPTED', 'pull']);
    const all = store.listRuns({ limit: 100 });
    assert.equal(all.filter((r) => r.status === 'running' || r.status === 'queued').length, 0, 'nothing left in flight');

    const syncs = all.filter((r) => r.pipeline === 'sync' && r.status === 'succeeded');
    assert.equal(syncs.length, 1, 'the interrupted sync completed exactly once');
    const [done] = syncs as [RunRecord];
    // Its retry merged into the sync queued before the kill, which did the work.
    assert.equal((await waitForRun(store, first)).id, done.id);
    assert.equal(store.getRun(store.retryAfter(interrupted)!)?.supersededBy, done.id);
    assert.equal(done.commit, commit, 'the pulled SHA is recorded');

    const children = store.childrenOf(done.id).filter((r) => r.status !== 'superseded');
    assert.deepEqual(children.map((r) => r.project).sort(), ['alpha', 'beta', 'proxy'], 'one deploy per project, none twice');
    for (const child of children) {
      const pulled = store.logOf(child.id).map((l) => JSON.parse(l) as { msg: string; action?: string }).find((l) => l.msg === 'repository pulled');
      assert.equal(pulled?.action, 'reused', 'a push pulls once: its deploys reuse the clone');
    }
    for (const id of accepted) {
      // Follows superseded and retry links to the run that did the work; it is final already.
      const final = await waitForRun(store, id);
      assert.ok(final.status === 'succeeded' || final.error?.code === 'DOCKER_UNREACHABLE', `run ${id} was executed: ${JSON.stringify(final)}`);
    }
  }
});
