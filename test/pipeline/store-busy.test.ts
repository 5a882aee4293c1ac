// Issue 12 item 2: another process holds the run store's write lock for longer
// than the busy timeout (5 s). serve used to die of an uncaught SQLITE_BUSY
// from the runner's poll; it must stay up, say so on /healthz, and pick the
// queued run up once the lock is given back.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { RunStore, storePath } from '../../pipeline/run-store.ts';
import { request } from '../helpers/http.ts';
import { tempRoot } from '../helpers/runner.ts';
import { spawnServe } from '../helpers/serve-process.ts';

const KEY = 'ry-store-busy-key-81aa';

describe('a run store locked by another process (a real second SQLite connection)', () => {
  it('serve stays up past the busy timeout, /healthz says busy, and the queued run runs once the lock is back', async () => {
    const root = await tempRoot('railyard-busy-');
    const p = spawnServe({ root, environ: { API_KEY: KEY } });
    try {
      const url = await p.url;
      const store = RunStore.open(storePath(root));
      const locker = new Database(storePath(root));
      // A run queued by another process, then the lock taken before the runner adopts it.
      const runId = store.insertRun({ pipeline: 'deploy', project: 'whoami', service: undefined, trigger: { kind: 'cli' }, commit: undefined, configHash: undefined });
      locker.exec('BEGIN IMMEDIATE');
      const lockedAt = Date.now();
      let health: { status: string; store: string } | undefined;
      try {
        for (let i = 0; i < 20 && health?.store !== 'busy'; i += 1) health = (await request(url, '/healthz')).json();
        assert.deepEqual([health?.status, health?.store], ['degraded', 'busy']);
        assert.equal(store.getRun(runId)?.status, 'queued');
        await sleep(Math.max(0, 8000 - (Date.now() - lockedAt)));
        assert.equal(p.child.exitCode, null, 'serve is still running 8 s into the lock');
      } finally {
        locker.exec('ROLLBACK');
        locker.close();
      }
      let status = 'queued';
      for (let i = 0; i < 200 && ['queued', 'running'].includes(status); i += 1) {
        await sleep(100);
        status = store.getRun(runId)?.status ?? 'gone';
      }
      assert.equal(status, 'failed', 'adopted and run (it fails at diff: there is no engine)');
      assert.equal(store.getRun(runId)?.error?.code, 'DOCKER_UNREACHABLE');
      assert.equal((await request(url, '/healthz')).json<{ store: string }>().store, 'ok');
      store.close();
      assert.ok(p.lines.some((l) => l.includes('run store writable again')));
    } finally {
      assert.equal(await p.stop(), 0);
    }
  });

  it('serve started while another process holds the lock comes up, says busy, then recovers the interrupted run and runs the queued one', async () => {
    const root = await tempRoot('railyard-busy-start-');
    const store = RunStore.open(storePath(root));
    const trigger = { kind: 'cli' } as const;
    const crashed = store.insertRun({ pipeline: 'deploy', project: 'whoami', service: undefined, trigger, commit: undefined, configHash: undefined });
    store.startRun(crashed); // a run the last process died in
    const queued = store.insertRun({ pipeline: 'deploy', project: 'web', service: undefined, trigger, commit: undefined, configHash: undefined });
    const locker = new Database(storePath(root));
    locker.exec('BEGIN IMMEDIATE');
    const p = spawnServe({ root, environ: { API_KEY: KEY } });
    try {
      let url: string;
      try {
        url = await p.url;
        const health = (await request(url, '/healthz')).json<{ status: string; store: string }>();
        assert.deepEqual([health.status, health.store], ['degraded', 'busy']);
        await sleep(5500); // past the 5 s busy timeout
        assert.equal(p.child.exitCode, null, 'serve is still running past the busy timeout');
        assert.deepEqual([store.getRun(crashed)?.status, store.getRun(queued)?.status], ['running', 'queued']);
      } finally {
        locker.exec('ROLLBACK');
        locker.close();
      }
      let done = false;
      for (let i = 0; i < 200 && !done; i += 1) {
        await sleep(100);
        done = store.getRun(crashed)?.status === 'interrupted' && store.getRun(queued)?.status === 'failed';
      }
      assert.equal(store.getRun(crashed)?.status, 'interrupted');
      assert.ok(store.getRun(crashed)?.retriedBy !== undefined, 'the interrupted run has its retry');
      assert.equal(store.getRun(queued)?.error?.code, 'DOCKER_UNREACHABLE', `adopted and run (it fails at diff: there is no engine): ${JSON.stringify(store.getRun(queued)?.error)}`);
      assert.equal((await request(url, '/healthz')).json<{ store: string }>().store, 'ok');
    } finally {
      store.close();
      assert.equal(await p.stop(), 0, p.lines.slice(-5).join('\n'));
    }
  });
});
