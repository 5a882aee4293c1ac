import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { RailyardError } from '../core/errors.ts';
import { migrate } from './migrations.ts';
import { statementCache } from './statements.ts';
import {
  toRunRecord, toStepRecord,
  type RunError, type RunFilter, type RunRecord, type RunRow, type StepRecord, type StepRow,
} from './run-record.ts';
import { type DeployHistory } from './types.ts';
import { FINAL_STATUSES, type RunStatus } from '../core/types.ts';

/** A run about to be stored as `queued`. */
export type NewRun = Pick<RunRecord, 'pipeline' | 'project' | 'service' | 'trigger' | 'commit' | 'configHash'> & {
  readonly retryOf?: string;
};

/** SQLITE_BUSY or one of its extended codes: another connection holds the lock. */
export function isBusy(error: unknown): boolean {
  return String((error as { code?: unknown } | null)?.code ?? '').startsWith('SQLITE_BUSY');
}

/** Where the store lives in a stack root. */
export const storePath = (root: string): string => join(root, 'data', 'railyard.db');

const FINAL = FINAL_STATUSES.map((s) => `'${s}'`).join(',');
const DAY_MS = 86_400_000;
/**
 * Every column of `runs`, and `retried_by`: for an interrupted run, the first
 * later run with its retry_of (retries of one run share the first run's id as
 * retry_of, and each is queued when the one before it is interrupted).
 */
const RUN_COLUMNS = `runs.*, CASE WHEN runs.status = 'interrupted' THEN
  (SELECT r.id FROM runs AS r WHERE r.retry_of = COALESCE(runs.retry_of, runs.id) AND r.id > runs.id ORDER BY r.id LIMIT 1) END AS retried_by`;

/**
 * The run history and the durable queue: SQLite in WAL mode with
 * `synchronous = FULL`, so a row is on disk when a call returns. Every method is
 * synchronous; wrap several in `transaction` to commit them together.
 */
export class RunStore implements DeployHistory {
  readonly #db: Database.Database;
  readonly #stmt: (sql: string) => Database.Statement;

  private constructor(readonly file: string, db: Database.Database) {
    this.#db = db;
    this.#stmt = statementCache(db);
  }

  /**
   * @param options.busyTimeoutMs how long a statement waits for another
   *   connection's write lock (SQLite sleeps 1, 2, 5, 10... ms between tries).
   *   0 fails at once with SQLITE_BUSY, for a caller that retries finer itself
   *   (serve's HTTP thread). @default 5000
   */
  static open(file: string, options: { readonly busyTimeoutMs?: number } = {}): RunStore {
    let db: Database.Database | undefined;
    try {
      mkdirSync(dirname(file), { recursive: true });
      db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrate(db, file);
      return new RunStore(file, db);
    } catch (error) {
      db?.close();
      if (error instanceof RailyardError) throw error;
      throw new RailyardError('STORE_FAILED', `Cannot open the run store ${file}: ${(error as Error).message}`, { cause: error });
    }
  }

  /**
   * Runs `fn` in one transaction. It starts IMMEDIATE (takes the write lock at
   * once, waiting up to the busy timeout): another connection (serve's HTTP
   * thread, `railyard apply --detach`) may commit between a read and a write
   * of `fn`, and a deferred transaction would then fail with SQLITE_BUSY_SNAPSHOT.
   * Nested calls are savepoints.
   */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  insertRun(run: NewRun): string {
    const { kind, meta, parentRunId } = run.trigger;
    const result = this.#run(
      `INSERT INTO runs (pipeline, project, service, trigger_kind, trigger_meta, parent_id, retry_of, commit_sha, config_hash, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)`,
      run.pipeline, run.project, run.service ?? null, kind, meta === undefined ? null : JSON.stringify(meta),
      parentRunId ?? null, run.retryOf ?? null, run.commit ?? null, run.configHash ?? null, Date.now(),
    );
    return String(result.lastInsertRowid);
  }

  /** Records a webhook delivery and the run it created. */
  rememberDelivery(hook: string, id: string, runId: string): void {
    this.#run('INSERT INTO deliveries (hook, delivery_id, run_id, received_at) VALUES (?, ?, ?, ?)', hook, id, runId, Date.now());
  }

  /** A delivery seen before, with the run it created (undefined once that run was pruned). */
  findDelivery(hook: string, id: string): { readonly runId: string | undefined } | undefined {
    const row = this.#get<{ run_id: number | null }>('SELECT run_id FROM deliveries WHERE hook = ? AND delivery_id = ?', hook, id);
    return row && { runId: row.run_id === null ? undefined : String(row.run_id) };
  }

  /** Marks a queued run superseded: `by`, the pending run of its project, absorbed its trigger. */
  supersede(runId: string, by: string): void {
    this.#run(`UPDATE runs SET status = 'superseded', superseded_by = ?, finished_at = ? WHERE id = ?`, by, Date.now(), runId);
  }

  /** Updates what a queued run will do after it absorbed another trigger. */
  updateQueued(runId: string, fields: Pick<NewRun, 'pipeline' | 'service' | 'commit' | 'configHash'>): void {
    this.#run(
      `UPDATE runs SET pipeline = ?, service = ?, commit_sha = ?, config_hash = ? WHERE id = ? AND status = 'queued'`,
      fields.pipeline, fields.service ?? null, fields.commit ?? null, fields.configHash ?? null, runId,
    );
  }

  startRun(runId: string): void {
    this.#run(`UPDATE runs SET status = 'running', started_at = ? WHERE id = ?`, Date.now(), runId);
  }

  finishRun(runId: string, status: RunStatus, error?: RunError): void {
    this.#run(
      'UPDATE runs SET status = ?, error_step = ?, error_code = ?, error_message = ?, finished_at = ? WHERE id = ?',
      status, error?.step ?? null, error?.code ?? null, error?.message ?? null, Date.now(), runId,
    );
    if (status === 'interrupted') {
      this.#run(`UPDATE run_steps SET status = 'interrupted' WHERE run_id = ? AND status = 'running'`, runId);
    }
  }

  setCommit(runId: string, commit: string): void {
    this.#run('UPDATE runs SET commit_sha = ? WHERE id = ?', commit, runId);
  }

  startStep(runId: string, seq: number, name: string): void {
    this.#run(`INSERT INTO run_steps (run_id, seq, name, status, started_at) VALUES (?, ?, ?, 'running', ?)`, runId, seq, name, Date.now());
  }

  finishStep(runId: string, seq: number, status: StepRecord['status'], durationMs: number, error?: StepRecord['error']): void {
    this.#run(
      'UPDATE run_steps SET status = ?, duration_ms = ?, error_code = ?, error_message = ? WHERE run_id = ? AND seq = ?',
      status, Math.round(durationMs), error?.code ?? null, error?.message ?? null, runId, seq,
    );
  }

  appendLog(runId: string, firstSeq: number, lines: readonly string[]): void {
    const insert = this.#stmt('INSERT OR IGNORE INTO run_logs (run_id, seq, line) VALUES (?, ?, ?)');
    this.transaction(() => lines.forEach((line, i) => insert.run(runId, firstSeq + i, line)));
  }

  getRun(runId: string): RunRecord | undefined {
    const row = this.#get<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`, runId);
    return row && toRunRecord(row);
  }

  /** Newest first. */
  listRuns(filter: RunFilter = {}): RunRecord[] {
    const rows = this.#all<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE (@project IS NULL OR project = @project) AND (@status IS NULL OR status = @status) ORDER BY id DESC LIMIT @limit`,
      { project: filter.project ?? null, status: filter.status ?? null, limit: filter.limit ?? 20 },
    );
    return rows.map(toRunRecord);
  }

  /** Runs in flight, oldest first. */
  runsWithStatus(status: 'queued' | 'running'): RunRecord[] {
    // The status is written into the SQL so the partial index on it is used.
    return this.#all<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE status = '${status === 'queued' ? 'queued' : 'running'}' ORDER BY id`).map(toRunRecord);
  }

  /** The newest succeeded run of `pipeline` for `project` (the scheduler's catch-up reads it). */
  lastSucceeded(pipeline: string, project: string): RunRecord | undefined {
    const sql = `SELECT ${RUN_COLUMNS} FROM runs WHERE project = ? AND pipeline = ? AND status = 'succeeded' ORDER BY id DESC LIMIT 1`;
    const row = this.#get<RunRow>(sql, project, pipeline);
    return row && toRunRecord(row);
  }

  /** When the oldest run still stored was accepted; undefined while the store is empty. */
  firstRunAt(): number | undefined {
    return this.#get<{ at: number | null }>('SELECT MIN(created_at) AS at FROM runs')?.at ?? undefined;
  }

  /** How many runs of each pipeline have each status (for /metrics and /healthz). */
  countRuns(): { pipeline: string; status: RunStatus; count: number }[] {
    return this.#all('SELECT pipeline, status, COUNT(*) AS count FROM runs GROUP BY pipeline, status ORDER BY pipeline, status');
  }

  /** How long each finished run that started took, in ms, by pipeline (for /metrics). */
  runDurations(): { pipeline: string; ms: number }[] {
    return this.#all('SELECT pipeline, finished_at - started_at AS ms FROM runs WHERE started_at IS NOT NULL AND finished_at IS NOT NULL');
  }

  /** Runs that ended at or after `at` (ms): /metrics counts each once, so its counters never drop when runs are pruned. */
  finishedSince(at: number): { id: number; pipeline: string; status: RunStatus; ms: number | null; finishedAt: number }[] {
    return this.#all(
      `SELECT id, pipeline, status, finished_at - started_at AS ms, finished_at AS finishedAt FROM runs WHERE status IN (${FINAL}) AND finished_at >= ? ORDER BY finished_at`,
      at,
    );
  }

  /** When each pipeline last succeeded, for any project (for /metrics). */
  lastSuccesses(): { pipeline: string; at: number }[] {
    return this.#all(`SELECT pipeline, MAX(finished_at) AS at FROM runs WHERE status = 'succeeded' GROUP BY pipeline ORDER BY pipeline`);
  }

  /** Runs enqueued by `runId` (a sync's deploys), oldest first. */
  childrenOf(runId: string): RunRecord[] {
    return this.#all<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE parent_id = ? ORDER BY id`, runId).map(toRunRecord);
  }

  /** How many retries the run `rootId` has had (runs whose retry_of is it). */
  retriesOf(rootId: string): number {
    return this.#all<{ n: number }>('SELECT COUNT(*) AS n FROM runs WHERE retry_of = ?', rootId)[0]?.n ?? 0;
  }

  /** The retry queued when `run` was interrupted, if any (its `retriedBy`, read again). */
  retryAfter(run: RunRecord): string | undefined {
    return this.getRun(run.id)?.retriedBy;
  }

  stepsOf(runId: string): StepRecord[] {
    return this.#all<StepRow>('SELECT * FROM run_steps WHERE run_id = ? ORDER BY seq', runId).map(toStepRecord);
  }

  logOf(runId: string): string[] {
    return this.#all<{ line: string }>('SELECT line FROM run_logs WHERE run_id = ? ORDER BY seq', runId).map((r) => r.line);
  }

  /**
   * The config hash last handed to a deploy of `project` that has not failed:
   * the newest run that was not superseded, when it is queued, running or
   * succeeded. Undefined means "deploy it again".
   */
  deployedHash(project: string): string | undefined {
    const row = this.#get<{ status: string; config_hash: string | null }>(
      `SELECT status, config_hash FROM runs WHERE project = ? AND status != 'superseded' ORDER BY id DESC LIMIT 1`,
      project,
    );
    if (row === undefined || row.config_hash === null) return undefined;
    return ['queued', 'running', 'succeeded'].includes(row.status) ? row.config_hash : undefined;
  }

  deployedProjects(): string[] {
    const sql = `SELECT DISTINCT project FROM runs WHERE config_hash IS NOT NULL AND project != '*' ORDER BY project`;
    return this.#all<{ project: string }>(sql).map((r) => r.project);
  }

  /** Deletes finished runs older than `keepDays` or beyond the newest `keep`, and old deliveries. */
  prune(options: { readonly keepDays: number; readonly keep: number; readonly now?: number }): { runs: number; deliveries: number } {
    const cutoff = (options.now ?? Date.now()) - options.keepDays * DAY_MS;
    return this.transaction(() => {
      const byAge = this.#run(`DELETE FROM runs WHERE status IN (${FINAL}) AND finished_at < ?`, cutoff).changes;
      const byCount = this.#run(
        `DELETE FROM runs WHERE status IN (${FINAL}) AND id <= (SELECT id FROM runs WHERE status IN (${FINAL}) ORDER BY id DESC LIMIT 1 OFFSET ?)`,
        options.keep,
      ).changes;
      const deliveries = this.#run('DELETE FROM deliveries WHERE received_at < ?', cutoff).changes;
      return { runs: byAge + byCount, deliveries };
    });
  }

  /** The connection, for stores that keep their tables in the same file (block-store.ts). */
  get database(): Database.Database {
    return this.#db;
  }

  /**
   * Whether a write could start within `waitMs`: false while another
   * connection holds the write lock that long (another process, a frozen
   * filesystem). Takes the lock and gives it back at once.
   */
  writable(waitMs: number): boolean {
    const before = this.#db.pragma('busy_timeout', { simple: true }) as number;
    this.#db.pragma(`busy_timeout = ${Math.max(0, Math.round(waitMs))}`);
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      this.#db.exec('ROLLBACK');
      return true;
    } catch (error) {
      if (isBusy(error)) return false;
      throw error;
    } finally {
      this.#db.pragma(`busy_timeout = ${before}`);
    }
  }

  /** `ok` when SQLite finds the database file intact. */
  integrityCheck(): string {
    return this.#db.pragma('integrity_check', { simple: true }) as string;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.#stmt(sql).run(...params);
  }

  #get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.#stmt(sql).get(...params) as T | undefined;
  }

  #all<T>(sql: string, ...params: unknown[]): T[] {
    return this.#stmt(sql).all(...params) as T[];
  }
}
