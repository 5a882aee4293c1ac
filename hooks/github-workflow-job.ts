import type { DbConfig } from '../config/db-types.ts';
import { RailyardError } from '../core/errors.ts';
import type { Decision } from './github-push.ts';
import { checkName, findTarget } from './targets.ts';

interface WorkflowJob {
  readonly name?: unknown;
  readonly conclusion?: unknown;
  readonly workflow_name?: unknown;
  readonly run_id?: unknown;
  readonly head_sha?: unknown;
}

/**
 * A workflow job of an app repository, as itsUP handles it: only a job that
 * completed with success acts. It updates `?project=` (required), and
 * `?service=`, or else the service named like the job when the project has
 * one, or else the whole project. Queued and running jobs are ignored before
 * the query is looked at: GitHub sends them to the same URL, and a 400 shows
 * there as a failed delivery.
 */
export async function workflowJobDecision(
  payload: Readonly<Record<string, unknown>>,
  query: URLSearchParams,
  db: { current(): Promise<DbConfig> },
): Promise<Decision> {
  const { action, repository } = payload as { action?: unknown; repository?: unknown };
  const job = payload['workflow_job'] ?? {};
  if (typeof action !== 'string') throw new RailyardError('PAYLOAD_INVALID', `A workflow_job delivery needs a string "action", not ${describe(action)}`);
  if (job === null || typeof job !== 'object' || Array.isArray(job)) {
    throw new RailyardError('PAYLOAD_INVALID', `A workflow_job delivery needs a "workflow_job" object, not ${describe(job)}`);
  }
  const { conclusion, name, workflow_name: workflow, run_id: runId, head_sha: headSha } = job as WorkflowJob;
  if (action !== 'completed') return { ignored: `workflow_job ${shown(action)}` };
  if (conclusion !== 'success') return { ignored: `workflow_job concluded ${typeof conclusion === 'string' ? shown(conclusion) : describe(conclusion)}` };
  const wanted = query.get('project') ?? '';
  if (wanted === '') throw new RailyardError('USAGE', '?project= is required for workflow_job deliveries: set the webhook URL to /hook?project=<name>[&service=<name>]');
  const project = checkName('project', wanted);
  const explicit = query.get('service') || undefined;
  if (explicit !== undefined) checkName('service', explicit);
  const config = await db.current();
  const jobName = typeof name === 'string' ? name : undefined;
  const named = config.projects.find((p) => p.name === project)?.services.some((s) => s.host === jobName) ? jobName : undefined;
  const target = findTarget(config, project, explicit ?? named);
  const repo = repository !== null && typeof repository === 'object' ? (repository as { full_name?: unknown }).full_name : undefined;
  const meta = {
    ...(jobName !== undefined && { job: jobName }),
    ...(typeof workflow === 'string' && { workflow }),
    ...(typeof runId === 'number' && { workflowRunId: runId }),
    ...(typeof repo === 'string' && { repository: repo }),
    // The app's commit, not the config repo's: kept out of the run's `commit`.
    ...(typeof headSha === 'string' && /^[0-9a-f]{40}$/.test(headSha) && { headSha }),
  };
  return {
    request: {
      pipeline: 'update',
      project: target.project,
      service: target.service,
      trigger: { kind: 'workflow_job', meta },
    },
  };
}

/** What a JSON value is, for a message: never its content. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value === 'undefined' ? 'nothing' : `a ${typeof value}`;
}

function shown(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
