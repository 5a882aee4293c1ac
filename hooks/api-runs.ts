import { runJson } from '../app/run-format.ts';
import { NAME_PATTERN } from '../config/semantic-checks.ts';
import { RailyardError } from '../core/errors.ts';
import type { RunRecord } from '../pipeline/run-record.ts';
import { FINAL_STATUSES, STACK, type RunStatus } from '../core/types.ts';
import type { RequestContext } from './context.ts';
import type { Reply } from './respond.ts';

const STATUSES: readonly RunStatus[] = ['queued', 'running', ...FINAL_STATUSES];
const MAX_LIMIT = 1000;

/** `GET /api/runs?project=&status=&limit=`: runs, newest first (the shape of `railyard runs --json`). */
export async function listRuns(ctx: RequestContext): Promise<Reply> {
  const { query } = ctx.url;
  const project = query.get('project') || undefined;
  if (project !== undefined && project !== STACK && !NAME_PATTERN.test(project)) {
    throw new RailyardError('NAME_INVALID', 'project must be a project name, or "*" for whole-stack runs');
  }
  const status = query.get('status') || undefined;
  if (status !== undefined && !STATUSES.includes(status as RunStatus)) {
    throw new RailyardError('USAGE', `status must be one of ${STATUSES.join(', ')}`);
  }
  const limit = Number(query.get('limit') ?? 20);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new RailyardError('USAGE', `limit must be a whole number from 1 to ${MAX_LIMIT}`);
  const runs = ctx.deps.store.listRuns({ project, status: status as RunStatus | undefined, limit });
  return { status: 200, body: { runs: runs.map(runJson) } };
}

/** `GET /api/runs/:id`: the run, its steps with their durations, and its error. */
export async function getRun(ctx: RequestContext): Promise<Reply> {
  const run = findRun(ctx);
  return { status: 200, body: { ...runJson(run), steps: ctx.deps.store.stepsOf(run.id) } };
}

/** The run named by `:id`; 404 when there is none (or the id is not a run id). */
export function findRun(ctx: RequestContext): RunRecord {
  const id = ctx.params['id'] ?? '';
  const run = /^\d{1,15}$/.test(id) ? ctx.deps.store.getRun(id) : undefined;
  if (run === undefined) throw new RailyardError('RUN_NOT_FOUND', 'There is no such run');
  return run;
}
