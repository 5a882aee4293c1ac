import type Database from 'better-sqlite3';
import { RailyardError } from '../core/errors.ts';

/**
 * The run store's schema, one entry per version (`PRAGMA user_version`).
 * Append only: a released migration is never edited, a change is a new entry.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: runs, their steps and log lines, webhook deliveries
  `
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pipeline TEXT NOT NULL,
    project TEXT NOT NULL,
    service TEXT,
    trigger_kind TEXT NOT NULL,
    trigger_meta TEXT,
    parent_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    retry_of INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    commit_sha TEXT,
    config_hash TEXT,
    status TEXT NOT NULL CHECK (status IN ('queued','running','succeeded','failed','superseded','cancelled','interrupted')),
    superseded_by INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    error_step TEXT,
    error_code TEXT,
    error_message TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
  );
  -- Partial indexes: most runs are final with these columns NULL, so a trigger updates few b-trees.
  CREATE INDEX runs_queued ON runs(id) WHERE status = 'queued';
  CREATE INDEX runs_running ON runs(id) WHERE status = 'running';
  CREATE INDEX runs_by_project ON runs(project, id);
  CREATE INDEX runs_by_parent ON runs(parent_id) WHERE parent_id IS NOT NULL;
  CREATE INDEX runs_by_superseded_by ON runs(superseded_by) WHERE superseded_by IS NOT NULL;
  CREATE INDEX runs_by_retry_of ON runs(retry_of) WHERE retry_of IS NOT NULL;
  CREATE TABLE run_steps (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running','succeeded','failed','cancelled','interrupted')),
    started_at INTEGER NOT NULL,
    duration_ms INTEGER,
    error_code TEXT,
    error_message TEXT,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE run_logs (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE deliveries (
    hook TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (hook, delivery_id)
  ) WITHOUT ROWID;
  CREATE INDEX deliveries_by_time ON deliveries(received_at);
  `,
  // blocks (issue 15): one row per blocked target, port/proto and reporter; a block lasts while any reporter's row does
  `
  CREATE TABLE blocks (
    target TEXT NOT NULL,
    family INTEGER NOT NULL CHECK (family IN (4, 6)),
    proto TEXT NOT NULL CHECK (proto IN ('', 'tcp', 'udp')),
    port INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),
    reporter TEXT NOT NULL,
    reason TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    PRIMARY KEY (target, proto, port, reporter)
  ) WITHOUT ROWID;
  CREATE INDEX blocks_by_expiry ON blocks(expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE block_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO block_counters (name, value) VALUES ('added', 0), ('expired', 0), ('lifted', 0);
  `,
  // notifications (issue 14): one row per event and target. IF NOT EXISTS so
  // that its place in the list (other branches append theirs) cannot matter.
  `
  CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event TEXT NOT NULL,
    run_id INTEGER,
    project TEXT NOT NULL,
    service TEXT,
    scope TEXT NOT NULL,
    dedupe_key TEXT NOT NULL,
    target_id TEXT NOT NULL,
    target TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending','sent','failed','suppressed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS notifications_by_key ON notifications(target_id, dedupe_key, id);
  CREATE INDEX IF NOT EXISTS notifications_pending ON notifications(id) WHERE status = 'pending';
  `,
];

/**
 * Brings the schema up to the latest version, one transaction per migration.
 * Each starts IMMEDIATE and reads the version again under the write lock: two
 * processes opening a fresh store at once (`apply` and `serve`) would both
 * see version 0 otherwise, and the second fail with "table runs already exists".
 */
export function migrate(db: Database.Database, file: string, migrations: readonly string[] = MIGRATIONS): number {
  if (schemaVersion(db, file, migrations) === migrations.length) return migrations.length; // no write lock when current
  const step = db.transaction((): boolean => {
    const current = schemaVersion(db, file, migrations);
    if (current === migrations.length) return false;
    db.exec(migrations[current]!);
    db.pragma(`user_version = ${current + 1}`);
    return true;
  });
  while (step.immediate()) {
    // one migration per transaction, until current
  }
  return migrations.length;
}

function schemaVersion(db: Database.Database, file: string, migrations: readonly string[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new RailyardError(
      'STORE_FAILED',
      `${file} has schema version ${current}, newer than this railyard knows (${migrations.length}); upgrade railyard`,
    );
  }
  return current;
}
