import type { ErrorCode } from '../core/errors.ts';
import type { RunStatus, Trigger, TriggerKind } from '../core/types.ts';

/** One run as stored: what started it, what it deployed, how it ended. Times are epoch milliseconds. */
export interface RunRecord {
  readonly id: string;
  readonly pipeline: string;
  readonly project: string;
  readonly service: string | undefined;
  readonly trigger: Trigger;
  /** The commit the trigger asked for, replaced by the commit the pull step checked out. */
  readonly commit: string | undefined;
  readonly configHash: string | undefined;
  readonly status: RunStatus;
  /** For a superseded run: the run that absorbed its trigger and ran instead. */
  readonly supersededBy: string | undefined;
  /** For a retry after an interruption: the interrupted run. */
  readonly retryOf: string | undefined;
  /** For an interrupted run: the retry queued to do its work (absent when it was not retried). */
  readonly retriedBy: string | undefined;
  readonly error: RunError | undefined;
  readonly createdAt: number;
  readonly startedAt: number | undefined;
  readonly finishedAt: number | undefined;
}

export interface RunError {
  /** The step that failed, when a step failed. */
  readonly step: string | undefined;
  readonly code: ErrorCode;
  /** One line, no secrets. */
  readonly message: string;
}

export interface StepRecord {
  readonly name: string;
  readonly status: 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
  readonly startedAt: number;
  readonly durationMs: number | undefined;
  readonly error: { readonly code: ErrorCode; readonly message: string } | undefined;
}

export interface RunFilter {
  readonly project?: string | undefined;
  readonly status?: RunStatus | undefined;
  /** @default 20 */
  readonly limit?: number | undefined;
}

/** A `runs` row as better-sqlite3 returns it. */
export interface RunRow {
  id: number;
  pipeline: string;
  project: string;
  service: string | null;
  trigger_kind: string;
  trigger_meta: string | null;
  parent_id: number | null;
  retry_of: number | null;
  commit_sha: string | null;
  config_hash: string | null;
  status: string;
  superseded_by: number | null;
  /** Computed by the store's queries (RUN_COLUMNS), not a column. */
  retried_by?: number | null;
  error_step: string | null;
  error_code: string | null;
  error_message: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface StepRow {
  name: string;
  status: string;
  started_at: number;
  duration_ms: number | null;
  error_code: string | null;
  error_message: string | null;
}

const str = (value: number | string | null): string | undefined => (value === null ? undefined : String(value));
const num = (value: number | null): number | undefined => (value === null ? undefined : value);

export function toRunRecord(row: RunRow): RunRecord {
  const meta = row.trigger_meta === null ? undefined : (JSON.parse(row.trigger_meta) as Record<string, unknown>);
  const trigger: Trigger = {
    kind: row.trigger_kind as TriggerKind,
    ...(row.commit_sha !== null && { commit: row.commit_sha }),
    ...(meta !== undefined && { meta }),
    ...(row.parent_id !== null && { parentRunId: String(row.parent_id) }),
  };
  return {
    id: String(row.id),
    pipeline: row.pipeline,
    project: row.project,
    service: str(row.service),
    trigger,
    commit: str(row.commit_sha),
    configHash: str(row.config_hash),
    status: row.status as RunStatus,
    supersededBy: str(row.superseded_by),
    retryOf: str(row.retry_of),
    retriedBy: str(row.retried_by ?? null),
    error: row.error_code === null
      ? undefined
      : { step: str(row.error_step), code: row.error_code as ErrorCode, message: row.error_message ?? '' },
    createdAt: row.created_at,
    startedAt: num(row.started_at),
    finishedAt: num(row.finished_at),
  };
}

export function toStepRecord(row: StepRow): StepRecord {
  return {
    name: row.name,
    status: row.status as StepRecord['status'],
    startedAt: row.started_at,
    durationMs: num(row.duration_ms),
    error: row.error_code === null ? undefined : { code: row.error_code as ErrorCode, message: row.error_message ?? '' },
  };
}
