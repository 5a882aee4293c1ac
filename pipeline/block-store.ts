import type Database from 'better-sqlite3';
import type { RunStore } from './run-store.ts';

/** What is blocked: an address or network, optionally only one port of one protocol. */
export interface BlockKey {
  /** Canonical address or CIDR (`192.0.2.1`, `2001:db8::/48`). */
  readonly target: string;
  readonly family: 4 | 6;
  /** `''` with port 0: every port and protocol. */
  readonly proto: '' | 'tcp' | 'udp';
  readonly port: number;
}

/** One reporter's block of a key (a PUT). */
export interface BlockReport extends BlockKey {
  /** Who reported it: the caller's address (web-ipt-d's "a container or host that detects an attacker"). */
  readonly reporter: string;
  readonly reason: string | undefined;
  /** ms since the epoch; undefined: until lifted. */
  readonly expiresAt: number | undefined;
}

export interface Reporter {
  readonly reporter: string;
  readonly reason: string | undefined;
  readonly createdAt: number;
  readonly expiresAt: number | undefined;
}

/** A block: one key, held by every reporter whose report has not expired. */
export interface Block extends BlockKey {
  readonly reporters: readonly Reporter[];
  readonly createdAt: number;
  /** When the last report ends; undefined while any report is permanent. */
  readonly expiresAt: number | undefined;
}

export interface BlockCounters {
  /** Blocks that started (a key with no live report got one). */
  readonly added: number;
  /** Blocks lifted because their last report's TTL ended. */
  readonly expired: number;
  /** Blocks lifted by a DELETE. */
  readonly lifted: number;
}

interface Row {
  target: string;
  family: 4 | 6;
  proto: '' | 'tcp' | 'udp';
  port: number;
  reporter: string;
  reason: string | null;
  created_at: number;
  expires_at: number | null;
}

const LIVE = '(expires_at IS NULL OR expires_at > ?)';
const SAME_KEY = 'target = ? AND proto = ? AND port = ?';

/**
 * The blocks table of the run store (its migration in pipeline/migrations.ts). Every method is one
 * transaction. Expired reports are swept before each change, so "is this key
 * blocked" never depends on when the last sweep ran.
 */
export class BlockStore {
  readonly #db: Database.Database;

  constructor(readonly store: RunStore) {
    this.#db = store.database;
  }

  /** Stores a report (a repeat by the same reporter replaces its reason and expiry); `added` when the key was not blocked before. */
  report(report: BlockReport, now = Date.now()): { readonly added: boolean } {
    return this.store.transaction(() => {
      this.#sweep(now);
      const key = [report.target, report.proto, report.port];
      const live = this.#db.prepare(`SELECT COUNT(*) AS n FROM blocks WHERE ${SAME_KEY}`).get(...key) as { n: number };
      this.#db.prepare(
        `INSERT INTO blocks (target, family, proto, port, reporter, reason, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (target, proto, port, reporter) DO UPDATE SET reason = excluded.reason, expires_at = excluded.expires_at`,
      ).run(report.target, report.family, report.proto, report.port, report.reporter, report.reason ?? null, now, report.expiresAt ?? null);
      if (live.n === 0) this.#count('added', 1);
      return { added: live.n === 0 };
    });
  }

  /**
   * Withdraws a reporter's report of a key (every report when `reporter` is
   * undefined). Undefined when the key is not blocked; `lifted` when no report is left.
   */
  lift(key: BlockKey, reporter: string | undefined, now = Date.now()): { readonly lifted: boolean; readonly remaining: readonly string[] } | undefined {
    return this.store.transaction(() => {
      this.#sweep(now);
      const params = [key.target, key.proto, key.port];
      const before = (this.#db.prepare(`SELECT reporter FROM blocks WHERE ${SAME_KEY}`).all(...params) as { reporter: string }[]).map((r) => r.reporter);
      if (before.length === 0) return undefined;
      if (reporter === undefined) this.#db.prepare(`DELETE FROM blocks WHERE ${SAME_KEY}`).run(...params);
      else this.#db.prepare(`DELETE FROM blocks WHERE ${SAME_KEY} AND reporter = ?`).run(...params, reporter);
      const remaining = reporter === undefined ? [] : before.filter((r) => r !== reporter);
      if (remaining.length === 0) this.#count('lifted', 1);
      return { lifted: remaining.length === 0, remaining };
    });
  }

  /** Every live block, with its reporters. */
  active(now = Date.now()): Block[] {
    const rows = this.#db.prepare(`SELECT * FROM blocks WHERE ${LIVE} ORDER BY target, proto, port, created_at`).all(now) as Row[];
    const blocks = new Map<string, { key: BlockKey; reporters: Reporter[] }>();
    for (const row of rows) {
      const id = `${row.target} ${row.proto} ${row.port}`;
      const entry = blocks.get(id) ?? { key: { target: row.target, family: row.family, proto: row.proto, port: row.port }, reporters: [] };
      entry.reporters.push({ reporter: row.reporter, reason: row.reason ?? undefined, createdAt: row.created_at, expiresAt: row.expires_at ?? undefined });
      blocks.set(id, entry);
    }
    return [...blocks.values()].map(({ key, reporters }) => {
      let createdAt = Infinity;
      let expiresAt: number | undefined = 0;
      for (const r of reporters) {
        createdAt = Math.min(createdAt, r.createdAt);
        expiresAt = expiresAt === undefined || r.expiresAt === undefined ? undefined : Math.max(expiresAt, r.expiresAt);
      }
      return { ...key, reporters, createdAt, expiresAt };
    });
  }

  /** Deletes expired reports; returns how many blocks that lifted. */
  sweep(now = Date.now()): number {
    return this.store.transaction(() => this.#sweep(now));
  }

  /** When the next report expires (ms since the epoch). */
  nextExpiry(now = Date.now()): number | undefined {
    const row = this.#db.prepare('SELECT MIN(expires_at) AS at FROM blocks WHERE expires_at > ?').get(now) as { at: number | null };
    return row.at ?? undefined;
  }

  /** True when any report is stored, live or not yet swept. */
  any(): boolean {
    return this.#db.prepare('SELECT 1 FROM blocks LIMIT 1').get() !== undefined;
  }

  counters(): BlockCounters {
    const rows = this.#db.prepare('SELECT name, value FROM block_counters').all() as { name: keyof BlockCounters; value: number }[];
    const counters = { added: 0, expired: 0, lifted: 0 };
    for (const row of rows) counters[row.name] = row.value;
    return counters;
  }

  #sweep(now: number): number {
    const expired = this.#db.prepare(
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM blocks GROUP BY target, proto, port HAVING MAX(COALESCE(expires_at, 9e18)) <= ?)`,
    ).get(now) as { n: number };
    this.#db.prepare('DELETE FROM blocks WHERE expires_at <= ?').run(now);
    if (expired.n > 0) this.#count('expired', expired.n);
    return expired.n;
  }

  #count(name: keyof BlockCounters, by: number): void {
    this.#db.prepare('UPDATE block_counters SET value = value + ? WHERE name = ?').run(by, name);
  }
}
