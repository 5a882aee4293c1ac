import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import { loadEnv } from '../../config/env.ts';
import { isRailyardError, RailyardError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { createStepContext } from '../../pipeline/step-context.ts';
import type { Trigger } from '../../core/types.ts';
import { cloneDir } from '../../config/stack.ts';
import { pull, type PullResult } from '../../steps/pull/index.ts';
import { createTestRepo, type TestRepo } from '../helpers/git-repo.ts';
import { startGitServer, type GitServer, type Trickle } from '../helpers/git-server.ts';
import { gate, lineSink, tempRoot } from '../helpers/runner.ts';

const TOKEN = 'ghp_test0123456789abcdefTOKEN';
const DB = 'projects:\n  - name: alpha\n    services:\n      - host: web\n        image: nginx:1\n';

interface Pulled {
  readonly result: PullResult | undefined;
  readonly error: RailyardError | undefined;
  readonly commits: string[];
  /** Everything logged, as written (JSON lines). */
  readonly log: string;
}

/** Runs the pull step once for a stack root, with a context as the runner builds it. */
async function runPull(root: string, environ: Record<string, string>, trigger: Trigger = { kind: 'cli' }): Promise<Pulled> {
  const env = loadEnv({ root, environ: { LOG_LEVEL: 'debug', ...environ } });
  const sink = lineSink();
  const commits: string[] = [];
  const log = createLogger({ level: 'debug', secrets: env.secrets, destination: sink.stream, pretty: false });
  const ctx = createStepContext({
    runId: '1', pipeline: 'deploy', project: 'alpha', service: undefined, trigger, env, log,
    signal: new AbortController().signal,
    clients: { docker: new Docker({ socketPath: join(root, 'none.sock') }) },
    recordCommit: (sha) => commits.push(sha),
  }, pull, new Map());
  try {
    return { result: await pull.run(ctx), error: undefined, commits, log: sink.lines.join('\n') };
  } catch (error) {
    assert.ok(error instanceof RailyardError, `not a RailyardError: ${String(error)}`);
    return { result: undefined, error, commits, log: sink.lines.join('\n') };
  }
}

describe('pull step', () => {
  let server: GitServer;
  let repo: TestRepo;
  let hold: Promise<void> | undefined;
  /** Which requests trickle, and how fast. */
  let trickle: ((url: string) => Trickle | undefined) | undefined;
  let env: Record<string, string>;

  before(async () => {
    const serverRoot = await tempRoot('railyard-git-');
    repo = await createTestRepo(serverRoot);
    server = await startGitServer({ root: serverRoot, token: TOKEN, beforeRequest: () => hold, trickle: (r) => trickle?.(r.url) });
    env = { REPO_URL: server.url(repo.name), GIT_TOKEN: TOKEN };
  });
  after(() => server.close());

  it('clones, then pulls new commits and force-pushes, recording each SHA; the token never lands in .git/config', async () => {
    const root = await tempRoot();
    const first = await repo.commit({ 'db.yml': DB, 'notes.txt': 'x' });
    const cloned = await runPull(root, env);
    assert.equal(cloned.error, undefined);
    assert.deepEqual([cloned.result?.action, cloned.result?.commit, cloned.commits], ['cloned', first, [first]]);
    assert.equal(readFileSync(join(cloneDir(root), 'db.yml'), 'utf8'), DB);

    const second = await repo.commit({ 'db.yml': DB.replace('nginx:1', 'nginx:2'), 'notes.txt': null });
    const fetched = await runPull(root, env);
    assert.deepEqual([fetched.result?.action, fetched.result?.previous, fetched.result?.commit], ['fetched', first, second]);
    assert.match(readFileSync(join(cloneDir(root), 'db.yml'), 'utf8'), /nginx:2/);
    assert.equal(existsSync(join(cloneDir(root), 'notes.txt')), false, 'a deleted file is removed');

    const rewritten = await repo.forcePush({ 'db.yml': DB.replace('nginx:1', 'nginx:3') });
    const forced = await runPull(root, env);
    assert.deepEqual([forced.result?.action, forced.result?.commit], ['fetched', rewritten]);
    assert.match(readFileSync(join(cloneDir(root), 'db.yml'), 'utf8'), /nginx:3/);

    const config = readFileSync(join(cloneDir(root), '.git', 'config'), 'utf8');
    assert.ok(!config.includes(TOKEN) && !config.includes(Buffer.from(TOKEN).toString('base64').slice(0, 12)));
    assert.ok(!readdirSync(join(root, 'data')).some((name) => name.includes('.tmp-')), 'no temporary clone left');
  });

  it('fails with GIT_AUTH_FAILED for a wrong or missing token, and the token appears nowhere', async () => {
    await repo.commit({ 'db.yml': DB });
    const wrong = 'ghp_wrong0123456789abcdefWRONG';
    const pulled = await runPull(await tempRoot(), { ...env, GIT_TOKEN: wrong });
    assert.ok(isRailyardError(pulled.error, 'GIT_AUTH_FAILED'));
    const serialised = `${pulled.error.message} ${pulled.error.userMessage} ${JSON.stringify(pulled.error)} ${String(pulled.error.stack)} ${pulled.log}`;
    for (const secret of [wrong, Buffer.from(`x-access-token:${wrong}`).toString('base64')]) {
      assert.ok(!serialised.includes(secret), 'the token leaked');
    }
    const none = await runPull(await tempRoot(), { REPO_URL: env['REPO_URL']! });
    assert.ok(isRailyardError(none.error, 'GIT_AUTH_FAILED'));
    assert.match(none.error.userMessage, /GIT_TOKEN/);
  });

  it('refuses a db.yml that is a symlink out of the repository, and removes it', async () => {
    const root = await tempRoot();
    await repo.commit({ 'db.yml': { symlink: '/etc/passwd' } });
    const outside = await runPull(root, env);
    assert.ok(isRailyardError(outside.error, 'GIT_UNSAFE_CHECKOUT'));
    assert.equal(existsSync(join(cloneDir(root), 'db.yml')), false);
    assert.deepEqual(outside.commits, [], 'a refused checkout records no commit');
    await repo.commit({ 'db.yml': { symlink: '../../../secret.yml' } });
    assert.ok(isRailyardError((await runPull(root, env)).error, 'GIT_UNSAFE_CHECKOUT'));
    await repo.commit({ 'db.yml': DB });
    assert.equal((await runPull(root, env)).error, undefined);
    assert.ok(lstatSync(join(cloneDir(root), 'db.yml')).isFile());
  });

  it('clones a corrupted clone again into a temporary folder and swaps it in', async () => {
    const root = await tempRoot();
    const commit = await repo.commit({ 'db.yml': DB });
    assert.equal((await runPull(root, env)).result?.action, 'cloned');
    rmSync(join(cloneDir(root), '.git', 'objects'), { recursive: true });
    const again = await runPull(root, env);
    assert.deepEqual([again.result?.action, again.result?.commit], ['recloned', commit]);
    assert.ok(!readdirSync(join(root, 'data')).some((name) => name.includes('.old-') || name.includes('.tmp-')));
  });

  it('reuses the clone without fetching when a parent run just pulled', async () => {
    const root = await tempRoot();
    const commit = await repo.commit({ 'db.yml': DB });
    await runPull(root, env);
    const before = server.requests.length;
    const reused = await runPull(root, env, { kind: 'push', parentRunId: '7' });
    assert.deepEqual([reused.result?.action, reused.result?.commit, server.requests.length], ['reused', commit, before]);
  });

  // Issue 12 item 4: GIT_TIMEOUT bounds the whole pull. It used to bound idle
  // time only: a trickle never timed out, and a fetch of an existing clone that
  // got no answer was taken for a broken clone and cloned again (2x the wait).
  const timedPull = async (root: string): Promise<Pulled & { ms: number }> => {
    const started = Date.now();
    const pulled = await runPull(root, { ...env, GIT_TIMEOUT: '1' });
    return { ...pulled, ms: Date.now() - started };
  };
  const assertTimedOut = (pulled: Pulled & { ms: number }, what: string): void => {
    assert.ok(isRailyardError(pulled.error, 'GIT_TIMEOUT'), `${what}: ${pulled.error?.code} ${pulled.error?.message}`);
    assert.match(pulled.error!.message, /did not finish within 1 s \(GIT_TIMEOUT\)/);
    assert.ok(pulled.ms >= 950 && pulled.ms < 1900, `${what}: GIT_TIMEOUT after ${pulled.ms} ms, for GIT_TIMEOUT=1`);
    assert.doesNotMatch(pulled.log, /cloning again/, `${what}: a timeout is not a broken clone`);
  };

  it('a server that never answers: GIT_TIMEOUT after GIT_TIMEOUT, for a first clone and for a fetch, the clone kept', { timeout: 20_000 }, async () => {
    const commit = await repo.commit({ 'db.yml': DB });
    const root = await tempRoot();
    assert.equal((await runPull(root, env)).result?.commit, commit);
    const stuck = gate();
    hold = stuck.wait();
    try {
      assertTimedOut(await timedPull(await tempRoot()), 'first clone');
      const before = server.requests.length;
      assertTimedOut(await timedPull(root), 'fetch');
      assert.equal(server.requests.length, before + 1, 'one request, no second clone');
    } finally {
      hold = undefined;
      stuck.open();
    }
    assert.equal(readFileSync(join(cloneDir(root), 'db.yml'), 'utf8'), DB, 'the clone is still there');
  });

  for (const [what, path] of [['the ref list', /info\/refs/], ['the pack', /git-upload-pack$/]] as const) {
    it(`a server trickling ${what} (1 byte every 200 ms, never idle for GIT_TIMEOUT): GIT_TIMEOUT after GIT_TIMEOUT`, { timeout: 20_000 }, async () => {
      await repo.commit({ 'db.yml': DB, 'filler.txt': 'x'.repeat(200) });
      trickle = (url) => (path.test(url) ? { bytes: 1, everyMs: 200 } : undefined);
      try {
        assertTimedOut(await timedPull(await tempRoot()), `trickled ${what}`);
      } finally {
        trickle = undefined;
      }
    });
  }

  it('names a missing branch, an unreachable host and an unsupported URL by code', async () => {
    const branch = await runPull(await tempRoot(), { ...env, REPO_BRANCH: 'nope' });
    assert.ok(isRailyardError(branch.error, 'GIT_BRANCH_NOT_FOUND'));
    const closed = await runPull(await tempRoot(), { ...env, REPO_URL: 'http://127.0.0.1:9/config.git' });
    assert.ok(isRailyardError(closed.error, 'GIT_UNREACHABLE'));
    for (const url of ['git@github.com:me/config.git', 'ssh://git@github.com/me/config.git', `https://me:${TOKEN}@github.com/me/config.git`]) {
      assert.throws(() => pull.check?.(loadEnv({ root: '/tmp', environ: { REPO_URL: url } })), (e: unknown) =>
        isRailyardError(e, 'GIT_URL_UNSUPPORTED') && !e.userMessage.includes(TOKEN));
    }
  });

  it('sends GIT_USERNAME with the token to a server that checks both (Bitbucket)', async () => {
    const serverRoot = await tempRoot('railyard-git-');
    const strict = await createTestRepo(serverRoot);
    const bitbucket = await startGitServer({ root: serverRoot, token: TOKEN, username: 'x-token-auth' });
    try {
      const commit = await strict.commit({ 'db.yml': DB });
      const strictEnv = { REPO_URL: bitbucket.url(strict.name), GIT_TOKEN: TOKEN };
      assert.ok(isRailyardError((await runPull(await tempRoot(), strictEnv)).error, 'GIT_AUTH_FAILED'), 'the default username is refused');
      const pulled = await runPull(await tempRoot(), { ...strictEnv, GIT_USERNAME: 'x-token-auth' });
      assert.deepEqual([pulled.error, pulled.result?.commit], [undefined, commit]);
    } finally {
      await bitbucket.close();
    }
  });

  it('without REPO_URL uses the stack root: "no remote configured", and its HEAD when it is a git repo', async () => {
    const plain = await runPull(await tempRoot(), {});
    assert.deepEqual([plain.result?.remote, plain.result?.commit, plain.commits], [false, undefined, []]);
    assert.match(plain.log, /no remote configured/);
    const root = await tempRoot();
    const git = (...args: string[]) => execa('git', args, { cwd: root, env: { GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    await git('init', '--quiet');
    await git('commit', '--quiet', '--allow-empty', '-m', 'local');
    const head = (await git('rev-parse', 'HEAD')).stdout.trim();
    const local = await runPull(root, {});
    assert.deepEqual([local.result?.commit, local.commits], [head, [head]]);
  });
});
