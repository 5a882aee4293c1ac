import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { isRailyardError } from '../../core/errors.ts';
import { MIGRATIONS, migrate } from '../../pipeline/migrations.ts';
import { RunLog } from '../../pipeline/run-log.ts';
import { RunStore, storePath, type NewRun } from '../../pipeline/run-store.ts';
import { tempRoot } from '../helpers/runner.ts';

const newRun = (project: string, extra: Partial<NewRun> = {}): NewRun => ({
  pipeline: 'deploy', project, service: undefined, trigger: { kind: 'cli' }, commit: undefined, configHash: undefined, ...extra,
});

async function openTemp(): Promise<RunStore> {
  return RunStore.open(storePath(await tempRoot('railyard-store-')));
}

describe('run store', () => {
  it('is SQLite in WAL mode at data/railyard.db, with a versioned schema', async () => {
    const store = await openTemp();
    store.close();
    const db = new Database(store.file);
    assert.match(store.file, /data\/railyard\.db$/);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    // Re-running migrations is a no-op; a newer migration applies on top.
    assert.equal(migrate(db, store.file), MIGRATIONS.length);
    assert.equal(migrate(db, store.file, [...MIGRATIONS, 'CREATE TABLE later (x INTEGER)']), MIGRATIONS.length + 1);
    db.close();
    assert.throws(() => RunStore.open(store.file), (e: unknown) => isRailyardError(e, 'STORE_FAILED'));
  });

  it('keeps a delivery (hook, id) unique', async () => {
    const store = await openTemp();
    const runId = store.insertRun(newRun('alpha'));
    store.rememberDelivery('github', 'd1', runId);
    assert.throws(() => store.rememberDelivery('github', 'd1', runId));
    assert.deepEqual(store.findDelivery('github', 'd1'), { runId });
    assert.equal(store.findDelivery('github', 'd2'), undefined);
    store.close();
  });

  it('prunes finished runs by age and by count, never queued or running ones', async () => {
    const store = await openTemp();
    const ids = Array.from({ length: 6 }, (_, i) => store.insertRun(newRun(`p${i}`)));
    for (const id of ids.slice(0, 5)) store.finishRun(id, 'succeeded');
    store.startRun(ids[5]!);
    const queued = store.insertRun(newRun('q'));
    assert.deepEqual(store.prune({ keepDays: 30, keep: 3 }), { runs: 2, deliveries: 0 });
    assert.deepEqual(store.listRuns({ limit: 10 }).map((r) => r.id), [queued, ids[5], ids[4], ids[3], ids[2]]);
    const later = Date.now() + 31 * 86_400_000;
    assert.equal(store.prune({ keepDays: 30, keep: 100, now: later }).runs, 3);
    assert.deepEqual(store.listRuns({ limit: 10 }).map((r) => r.status), ['queued', 'running']);
    store.close();
  });

  it('caps the stored log of a run and marks the cut', async () => {
    const store = await openTemp();
    const runId = store.insertRun(newRun('alpha'));
    const log = new RunLog(store, runId, 3);
    for (let i = 0; i < 10; i += 1) log.write(`${JSON.stringify({ msg: `line ${i}` })}\n`);
    log.flush();
    const lines = store.logOf(runId).map((l) => (JSON.parse(l) as { msg: string }).msg);
    assert.deepEqual(lines, ['line 0', 'line 1', 'line 2', 'run log truncated']);
    store.close();
  });

  it('reports the config hash last handed to a deploy, unless that deploy failed', async () => {
    const store = await openTemp();
    const ok = store.insertRun(newRun('alpha', { configHash: 'h1' }));
    store.finishRun(ok, 'succeeded');
    assert.equal(store.deployedHash('alpha'), 'h1');
    const failed = store.insertRun(newRun('alpha', { configHash: 'h2' }));
    store.finishRun(failed, 'failed', { step: 'diff', code: 'DOCKER_UNREACHABLE', message: 'no engine' });
    assert.equal(store.deployedHash('alpha'), undefined);
    assert.deepEqual(store.deployedProjects(), ['alpha']);
    store.close();
  });
});
