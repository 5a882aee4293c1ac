import Database from 'better-sqlite3';
import { RailyardError } from '../core/errors.ts';
import { migrate } from './migrations.ts';
import { statementCache } from './statements.ts';

export type NotificationStatus = 'pending' | 'sent' | 'failed' | 'suppressed';

/** One notification as stored: one event for one target. `target` is the masked URL, never the real one. */
export interface NotificationRecord {
  readonly id: string;
  readonly event: string;
  readonly runId: string | undefined;
  readonly project: string;
  readonly service: string | undefined;
  /** What a recovery resets: `<pipeline family>|<project>`. */
  readonly scope: string;
  /** What repeat suppression compares: the same event, scope, service and error code. */
  readonly dedupeKey: string;
  /** A hash of the real URL (the row never holds it), to find the target again after a restart. */
  readonly targetId: string;
  readonly target: string;
  readonly type: string;
  readonly status: NotificationStatus;
  readonly attempts: number;
  readonly lastError: string | undefined;
  readonly body: unknown;
  readonly createdAt: number;
  readonly finishedAt: number | undefined;
}

export type NewNotification = Pick<NotificationRecord, 'event' | 'runId' | 'project' | 'service' | 'scope' | 'dedupeKey' | 'targetId' | 'target' | 'type' | 'body'> & {
  readonly status: 'pending' | 'suppressed';
};

interface Row {
  id: number; event: string; run_id: number | null; project: string; service: string | null; scope: string; dedupe_key: string;
  target_id: string; target: string; type: string; status: NotificationStatus; attempts: number; last_error: string | null;
  body: string; created_at: number; finished_at: number | null;
}

/**
 * The notifications table of the run store, on a connection of its own: the
 * runner's connection stays the runner's, and a write here waits (busy
 * timeout) rather than failing when the runner holds the lock.
 */
export class NotificationStore {
  readonly #db: Database.Database;
  readonly #stmt: (sql: string) => Database.Statement;

  private constructor(db: Database.Database) {
    this.#db = db;
    this.#stmt = statementCache(db);
  }

  static open(file: string): NotificationStore {
    try {
      const db = new Database(file, { timeout: 5000 });
      db.pragma('journal_mode = WAL');
      migrate(db, file);
      return new NotificationStore(db);
    } catch (error) {
      if (error instanceof RailyardError) throw error;
      throw new RailyardError('STORE_FAILED', `Cannot open the run store ${file}: ${(error as Error).message}`, { cause: error });
    }
  }

  insert(n: NewNotification, now = Date.now()): string {
    const result = this.#stmt(
      `INSERT INTO notifications (event, run_id, project, service, scope, dedupe_key, target_id, target, type, status, body, created_at, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      n.event, n.runId ?? null, n.project, n.service ?? null, n.scope, n.dedupeKey, n.targetId, n.target, n.type, n.status,
      JSON.stringify(n.body), now, n.status === 'suppressed' ? now : null,
    );
    return String(result.lastInsertRowid);
  }

  /** Records one more attempt; a final status closes the row. */
  attempted(id: string, status: NotificationStatus, error: string | undefined): void {
    this.#stmt(
      `UPDATE notifications SET attempts = attempts + 1, status = ?, last_error = ?, finished_at = CASE WHEN ? = 'pending' THEN NULL ELSE ? END WHERE id = ?`,
    ).run(status, error ?? null, status, Date.now(), id);
  }

  /** Closes a row without an attempt (its target left db.yml, railyard stopped...). */
  giveUp(id: string, error: string): void {
    this.#stmt(`UPDATE notifications SET status = 'failed', last_error = ?, finished_at = ? WHERE id = ?`).run(error, Date.now(), id);
  }

  /**
   * Whether an event like this one was already sent to this target within
   * `intervalMs` and no recovery of its scope went to the target since.
   */
  isRepeat(targetId: string, dedupeKey: string, scope: string, intervalMs: number, now = Date.now()): boolean {
    const last = this.#stmt(
      `SELECT id, created_at FROM notifications WHERE target_id = ? AND dedupe_key = ? AND status != 'suppressed' ORDER BY id DESC LIMIT 1`,
    ).get(targetId, dedupeKey) as { id: number; created_at: number } | undefined;
    if (last === undefined || now - last.created_at >= intervalMs) return false;
    const recovered = this.#stmt(
      `SELECT 1 FROM notifications WHERE target_id = ? AND scope = ? AND event = 'recovered' AND status != 'suppressed' AND id > ? LIMIT 1`,
    ).get(targetId, scope, last.id);
    return recovered === undefined;
  }

  /** The status of the newest finished (succeeded or failed) run of `project` among `pipelines` before run `beforeId`. */
  previousOutcome(project: string, pipelines: readonly string[], beforeId: string): 'succeeded' | 'failed' | undefined {
    const marks = pipelines.map(() => '?').join(',');
    const row = this.#db
      .prepare(`SELECT status FROM runs WHERE project = ? AND pipeline IN (${marks}) AND id < ? AND status IN ('succeeded','failed') ORDER BY id DESC LIMIT 1`)
      .get(project, ...pipelines, Number(beforeId)) as { status: 'succeeded' | 'failed' } | undefined;
    return row?.status;
  }

  pending(): NotificationRecord[] {
    return (this.#stmt(`SELECT * FROM notifications WHERE status = 'pending' ORDER BY id`).all() as Row[]).map(toRecord);
  }

  get(id: string): NotificationRecord | undefined {
    const row = this.#stmt('SELECT * FROM notifications WHERE id = ?').get(id) as Row | undefined;
    return row && toRecord(row);
  }

  /** Newest first. */
  list(limit = 50): NotificationRecord[] {
    return (this.#stmt('SELECT * FROM notifications ORDER BY id DESC LIMIT ?').all(limit) as Row[]).map(toRecord);
  }

  /** How many rows have each final status (for /metrics: rows are pruned, so this is a gauge, not a counter). */
  counts(): { status: NotificationStatus; count: number }[] {
    return this.#stmt('SELECT status, COUNT(*) AS count FROM notifications GROUP BY status ORDER BY status').all() as { status: NotificationStatus; count: number }[];
  }

  /** Rows that reached sent or failed at or after `at` (ms), for /metrics' counters. */
  finishedSince(at: number): { id: number; status: 'sent' | 'failed'; finishedAt: number }[] {
    return this.#stmt(`SELECT id, status, finished_at AS finishedAt FROM notifications WHERE status IN ('sent','failed') AND finished_at >= ? ORDER BY finished_at`).all(at) as { id: number; status: 'sent' | 'failed'; finishedAt: number }[];
  }

  prune(before: number): number {
    return this.#stmt(`DELETE FROM notifications WHERE status != 'pending' AND created_at < ?`).run(before).changes;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

function toRecord(row: Row): NotificationRecord {
  return {
    id: String(row.id), event: row.event, runId: row.run_id === null ? undefined : String(row.run_id), project: row.project,
    service: row.service ?? undefined, scope: row.scope, dedupeKey: row.dedupe_key, targetId: row.target_id, target: row.target,
    type: row.type, status: row.status, attempts: row.attempts, lastError: row.last_error ?? undefined,
    body: JSON.parse(row.body) as unknown, createdAt: row.created_at, finishedAt: row.finished_at ?? undefined,
  };
}
