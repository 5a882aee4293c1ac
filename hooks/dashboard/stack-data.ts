import { readFile, stat } from 'node:fs/promises';
import type { Env } from '../../config/env.ts';
import { RailyardError } from '../../core/errors.ts';
import { STACK } from '../../core/types.ts';
import type { RunRecord } from '../../pipeline/run-record.ts';
import type { RunStore } from '../../pipeline/run-store.ts';
import { cronOf, planSchedules } from '../../pipeline/schedule-plan.ts';
import type { Schedules } from '../../config/db-types.ts';

export interface ScheduleView {
  readonly name: string;
  readonly pipeline: string;
  readonly pattern: string;
  readonly next: number | undefined;
  readonly lastRun: RunRecord | undefined;
}

/** Each enabled schedule (as the scheduler plans them) with its next tick and its pipeline's newest stack run. */
export function scheduleViews(schedules: Schedules, env: Pick<Env, 'repoUrl'>, store: RunStore, now: number): ScheduleView[] {
  // One read of the newest stack runs; a schedule's last run is the newest of its pipeline.
  const recent = store.listRuns({ project: STACK, limit: 500 });
  return planSchedules(schedules, env).map((plan) => ({
    name: plan.name,
    pipeline: plan.pipeline,
    pattern: plan.pattern,
    next: cronOf(plan.pattern).nextRun(new Date(now))?.getTime(),
    lastRun: recent.find((r) => r.pipeline === plan.pipeline),
  }));
}

export interface BackupRow {
  readonly key: string;
  readonly size: number;
  readonly date: number;
  readonly validated: boolean;
  readonly sha256: string | undefined;
}

/** What the backups page shows: the rows, or why there are none. */
export type BackupListing = { readonly target: string; readonly rows: readonly BackupRow[] } | { readonly target: string; readonly error: RailyardError };

/** How long the HTTP thread waits for a backup listing: an S3 endpoint that does not answer must not hold a page for the SDK's retries. */
export const BACKUP_LIST_TIMEOUT_MS = 5000;

/** The generations, as `railyard backup list` reads them, bounded by `timeoutMs`. Never throws. */
export async function backupListing(env: Env, timeoutMs = BACKUP_LIST_TIMEOUT_MS): Promise<BackupListing> {
  let description = '–';
  const work = (async () => {
    // Loaded at the first listing (the threat table's CSV reader too): pages need them, deliveries never do.
    const [{ checkGenerations, listBackups }, { onTarget, openTarget }] = await Promise.all([import('../../steps/backup/generations.ts'), import('../../steps/backup/target.ts')]);
    const target = await openTarget(env);
    description = target.description;
    const { generations } = await onTarget(target, 'list backups', () => listBackups(target, env.backupPrefix));
    const checked = await onTarget(target, 'read backups', () => checkGenerations(target, generations));
    return checked.map((g) => ({ key: g.key, size: g.size, date: g.date.getTime(), validated: g.validated, sha256: g.digest?.sha256 }));
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new RailyardError('BACKUP_TARGET_FAILED', `${description} did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  // The listing may still settle after the timeout: its late failure is dropped, not unhandled.
  work.catch(() => undefined);
  try {
    const rows = await Promise.race([work, timeout]);
    return { target: description, rows };
  } catch (error) {
    const failure = error instanceof RailyardError ? error : new RailyardError('BACKUP_TARGET_FAILED', String(error));
    return { target: description, error: failure };
  } finally {
    clearTimeout(timer);
  }
}

export interface ThreatTable {
  readonly file: string;
  /** The report's header (the step's COLUMNS, or an older report's). */
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, string>>[];
  /** Rows in the file; only the first `limit` are in `rows`. */
  readonly total: number;
  readonly modified: number | undefined;
}

/** A report larger than this is refused, not parsed in the HTTP thread. */
const MAX_REPORT_BYTES = 32 * 1024 * 1024;

/** The threat report the threat-report step wrote (THREAT_REPORT_FILE); undefined when there is none yet. */
export async function threatTable(file: string, limit: number): Promise<ThreatTable | undefined> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (info === undefined) return undefined;
  if (info.size > MAX_REPORT_BYTES) throw new RailyardError('USAGE', `${file} is ${info.size} bytes: larger than the dashboard reads (${MAX_REPORT_BYTES})`);
  const { COLUMNS, parseCsv } = await import('../../steps/threat-report/csv.ts');
  const [header = [...COLUMNS], ...records] = parseCsv(await readFile(file, 'utf8')).filter((r) => r.some((cell) => cell !== ''));
  const rows = records.slice(0, limit).map((record) => Object.fromEntries(header.map((column, i) => [column, unguard(record[i] ?? '')])));
  return { file, columns: header, rows, total: records.length, modified: info.mtimeMs };
}

/**
 * A cell without the `'` the step puts before a leading `=`, `+`, `-`, `@`
 * (csv.ts, against spreadsheet formulas): a negative longitude is a number
 * again. The page escapes every cell, so nothing is run either way.
 */
const unguard = (cell: string): string => cell.replace(/^'(?=[=+\-@\t\r])/, '');
