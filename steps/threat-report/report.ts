import { readFile } from 'node:fs/promises';
import { RailyardError } from '../../core/errors.ts';
import { COLUMNS, emptyRow, parseCsv, type Row } from './csv.ts';
import { groupOf, parseTarget, type Target } from './ip.ts';
import type { GeoColumns } from './geoip.ts';
import type { LookupColumns } from './lookup-targets.ts';
import type { ThreatTarget } from './sources.ts';

/** `abuse_score` of a row whose lookups have not been made yet (quota used up); the next run makes them. */
export const PENDING = 'pending';

const NO_GEO: GeoColumns = { geo_country: '', geo_city: '', geo_latitude: '', geo_longitude: '' };

export interface ExistingReport {
  /** Rows by target key. */
  readonly rows: ReadonlyMap<string, Row>;
  /** Rows whose `ip` is not an address or network (dropped). */
  readonly skipped: number;
}

/** Reads the current report (itsUP's or railyard's); a missing file is an empty report. */
export async function readReport(file: string): Promise<ExistingReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { rows: new Map(), skipped: 0 };
    throw new RailyardError('THREAT_SOURCE_UNREADABLE', `Cannot read the report ${file}`, { cause: error, data: { file } });
  }
  const [header = [], ...records] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (header.some((cell) => cell !== '') && !header.includes('ip')) {
    // Rewriting it would lose whatever it is: refuse instead.
    throw new RailyardError('THREAT_SOURCE_UNREADABLE', `${file} is not a threat report (no "ip" column); move it away or set THREAT_REPORT_FILE`);
  }
  const rows = new Map<string, Row>();
  let skipped = 0;
  for (const record of records) {
    if (record.length === 1 && record[0] === '') continue;
    const row = emptyRow();
    for (const column of COLUMNS) row[column] = record[header.indexOf(column)] ?? '';
    const target = parseTarget(row.ip);
    if (target === undefined) skipped++;
    else rows.set(target.key, { ...row, ip: target.key });
  }
  return { rows, skipped };
}

/** Targets to look up: those without a row, and those left pending by an earlier run. */
export function needsLookup(targets: readonly ThreatTarget[], existing: ExistingReport): Target[] {
  return targets.filter(({ target }) => (existing.rows.get(target.key)?.abuse_score ?? PENDING) === PENDING).map((t) => t.target);
}

export interface ReportInput {
  readonly targets: readonly ThreatTarget[];
  readonly existing: ExistingReport;
  readonly found: ReadonlyMap<string, LookupColumns>;
  /** GeoIP columns of this run (empty geo columns for targets not in it). */
  readonly geo: ReadonlyMap<string, GeoColumns>;
  /** ISO time of this run: `last_updated` of every row, `first_seen` of new ones. */
  readonly now: string;
}

/**
 * The new report: one row per current target, in target order. Rows of
 * addresses no longer blacklisted (or now whitelisted) are dropped; the
 * subnet, source and jail columns are recomputed for every row.
 */
export function buildRows(input: ReportInput): { rows: Row[]; dropped: number } {
  const groups = new Map<string, number>();
  for (const { target } of input.targets) {
    const group = groupOf(target);
    if (group !== undefined) groups.set(group, (groups.get(group) ?? 0) + 1);
  }
  const rows = input.targets.map(({ target, sources, jails }): Row => {
    const old = input.existing.rows.get(target.key);
    const looked = input.found.get(target.key);
    const group = groupOf(target);
    const base = looked === undefined && old !== undefined ? old : { ...emptyRow(), abuse_score: PENDING };
    return {
      ...base,
      ...looked,
      ip: target.key,
      subnet: group !== undefined && (groups.get(group) ?? 0) >= 2 ? group : '',
      first_seen: old?.first_seen || input.now,
      last_updated: input.now,
      reported_to_abuseipdb: old?.reported_to_abuseipdb ?? '',
      source: sources.join(' '),
      jail: jails.join(' '),
      ...(input.geo.get(target.key) ?? NO_GEO),
    };
  });
  const current = new Set(input.targets.map(({ target }) => target.key));
  const dropped = [...input.existing.rows.keys()].filter((key) => !current.has(key)).length;
  return { rows, dropped };
}
