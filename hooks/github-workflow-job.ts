import type { DbConfig } from '../config/db-types.ts';
import type { Decision } from './github-push.ts';
import { checkName, findTarget } from './targets.ts';

interface WorkflowJobPayload {
  readonly action?: unknown;
  readonly workflow_job?: {
    readonly name?: unknown;
    readonly conclusion?: unknown;
    readonly workflow_name?: unknown;
    readonly run_id?: unknown;
    readonly head_sha?: unknown;
  };
  readonly repository?: { readonly full_name?: unknown };
}

/**
 * A workflow job of an app repository, as itsUP handles it: only a job that
 * completed with success acts. It updates `?project=` (required), and
 * `?service=`, or else the service named like the job when the project has
 * one, or else the whole project.
 */
export async function workflowJobDecision(
  payload: Readonly<Record<string, unknown>>,
  query: URLSearchParams,
  db: { current(): Promise<DbConfig> },
): Promise<Decision> {
  const project = checkName('project', query.get('project') ?? '');
  const explicit = query.get('service') || undefined;
  if (explicit !== undefined) checkName('service', explicit);
  const { action, workflow_job: job = {}, repository } = payload as WorkflowJobPayload;
  if (action !== 'completed') return { ignored: `workflow_job ${String(action)}` };
  if (job.conclusion !== 'success') return { ignored: `workflow_job concluded ${String(job.conclusion)}` };
  const config = await db.current();
  const jobName = typeof job.name === 'string' ? job.name : undefined;
  const named = config.projects.find((p) => p.name === project)?.services.some((s) => s.host === jobName) ? jobName : undefined;
  const target = findTarget(config, project, explicit ?? named);
  const meta = {
    ...(jobName !== undefined && { job: jobName }),
    ...(typeof job.workflow_name === 'string' && { workflow: job.workflow_name }),
    ...(typeof job.run_id === 'number' && { workflowRunId: job.run_id }),
    ...(typeof repository?.full_name === 'string' && { repository: repository.full_name }),
    // The app's commit, not the config repo's: kept out of the run's `commit`.
    ...(typeof job.head_sha === 'string' && /^[0-9a-f]{40}$/.test(job.head_sha) && { headSha: job.head_sha }),
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
