import type { NotificationEvent } from '../config/db-types.ts';
import { STACK } from '../core/types.ts';
import type { RunOutcome } from '../pipeline/run-pipeline.ts';
import type { RunRecord } from '../pipeline/run-record.ts';
import { drift, type DriftResult } from '../steps/drift.ts';
import type { NotifyEventName } from '../steps/notify/body.ts';

/** Something to tell: what the notifier turns into one row and one request per matching target. */
export interface NotifyEvent {
  readonly event: NotifyEventName;
  /** The db.yml event names that receive it: `rolled-back` also goes to targets that asked for `failed`. */
  readonly matches: readonly NotificationEvent[];
  readonly run: RunRecord | undefined;
  readonly project: string;
  readonly service: string | undefined;
  readonly step: string | undefined;
  readonly code: string | undefined;
  readonly message: string | undefined;
  /** Reset by a recovery of the same scope: `<pipeline family>|<project>`. */
  readonly scope: string;
  /** Repeats of it are suppressed within a target's repeat_interval. */
  readonly suppressible: boolean;
}

/** deploy and update runs are one family: an update that succeeds after a failed deploy is a recovery. */
export const familyOf = (pipeline: string): string => (pipeline === 'update' ? 'deploy' : pipeline);
export const familyPipelines = (family: string): string[] => (family === 'deploy' ? ['deploy', 'update'] : [family]);

/** What a finished run is worth telling: its failure or success (a recovery when the one before failed), and drift a reconcile found. */
export function runEvents(run: RunRecord, outcome: RunOutcome, previous: 'succeeded' | 'failed' | undefined): NotifyEvent[] {
  const scope = `${familyOf(run.pipeline)}|${run.project}`;
  const base = { run, project: run.project, service: run.service, scope };
  const events: NotifyEvent[] = [];
  if (run.status === 'failed') {
    const code = run.error?.code;
    const event: NotificationEvent = code === 'ROLLOUT_UNHEALTHY' ? 'rolled-back' : run.pipeline === 'backup' ? 'backup-failed' : 'failed';
    events.push({
      ...base, event, matches: event === 'failed' ? ['failed'] : [event, 'failed'],
      step: run.error?.step, code, message: run.error?.message, suppressible: true,
    });
  } else if (run.status === 'succeeded') {
    const recovered = previous === 'failed';
    events.push({
      ...base, event: recovered ? 'recovered' : 'succeeded', matches: recovered ? ['recovered', 'succeeded'] : ['succeeded'],
      step: undefined, code: undefined, message: undefined, suppressible: false,
    });
    const found = outcome.results.get(drift) as DriftResult | undefined;
    if (found?.projects !== undefined && found.projects.length > 0) {
      events.push({
        ...base, event: 'drift', matches: ['drift'], step: 'drift', code: undefined,
        message: `the host differs from db.yml in ${driftText(found)}; deploy runs were queued`, suppressible: true,
      });
    }
  }
  return events;
}

/** A schedule whose last success is older than two of its periods (itsUP's dead-man alert). */
export function scheduleMissedEvent(name: string, pattern: string, since: number | undefined): NotifyEvent {
  const when = since === undefined ? 'never succeeded' : `has not succeeded since ${new Date(since).toISOString()}`;
  return {
    event: 'schedule-missed', matches: ['schedule-missed'], run: undefined, project: STACK, service: undefined,
    step: undefined, code: 'SCHEDULE_MISSED', message: `schedule ${name} (${pattern}) ${when}`,
    scope: `schedule|${name}`, suppressible: true,
  };
}

/** `p1 (web: swarm node w2 is down...), p2`: each drifted project with its services' reasons (a node named). */
function driftText(found: DriftResult): string {
  return (found.projects ?? []).map((project) => {
    const why = found.reasons[project] ?? [];
    return why.length === 0 ? project : `${project} (${why.join('; ')})`;
  }).join(', ');
}
