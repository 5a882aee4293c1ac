import type { NotificationEvent } from '../../config/db-types.ts';

/** Events a `railyard notify test` sends besides the db.yml ones. */
export type NotifyEventName = NotificationEvent | 'test';

/**
 * The generic JSON webhook's body (`type: json`), documented in the README.
 * Fields that do not apply are null, never missing, so receivers can rely on
 * the shape.
 */
export interface NotificationBody {
  readonly event: NotifyEventName;
  /** One line for a human: what happened, where. */
  readonly text: string;
  readonly runId: string | null;
  readonly pipeline: string | null;
  readonly project: string;
  readonly service: string | null;
  readonly commit: string | null;
  /** The failed step. */
  readonly step: string | null;
  /** The error code (`ROLLOUT_UNHEALTHY`...). */
  readonly code: string | null;
  /** The one-line error message, or what the event is about. */
  readonly message: string | null;
  /** The run's dashboard page. */
  readonly url: string | null;
  /** When the event happened (ISO 8601). */
  readonly at: string;
}

const HEADLINES: Readonly<Record<NotifyEventName, string>> = {
  failed: 'failed',
  'rolled-back': 'rolled back',
  'backup-failed': 'backup failed',
  succeeded: 'succeeded',
  recovered: 'recovered',
  drift: 'drift found',
  'schedule-missed': 'schedule missed',
  test: 'test notification',
};

/** Builds a body; `text` is derived from the rest. */
export function notificationBody(fields: Omit<NotificationBody, 'text' | 'at'> & { readonly at?: Date }): NotificationBody {
  const where = [fields.project === '*' ? 'stack' : fields.project, fields.service].filter((p) => p !== null).join('/');
  const run = fields.runId === null ? '' : ` (${fields.pipeline ?? 'run'} #${fields.runId})`;
  const detail = [fields.step, fields.code, fields.message].filter((p) => p !== null && p !== '').join(': ');
  const text = `railyard: ${where} ${HEADLINES[fields.event]}${run}${detail === '' ? '' : ` — ${detail}`}`;
  const { at, ...rest } = fields;
  return { ...rest, text, at: (at ?? new Date()).toISOString() };
}

/** Whether an event is bad news (ntfy priority, Slack colour). */
export const isFailure = (event: NotifyEventName): boolean =>
  event === 'failed' || event === 'rolled-back' || event === 'backup-failed' || event === 'schedule-missed' || event === 'drift';
