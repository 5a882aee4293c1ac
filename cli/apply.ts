import type { Command } from 'commander';
import { RailyardError } from '../core/errors.ts';
import type { RunRecord } from '../pipeline/run-record.ts';
import type { RunStore } from '../pipeline/run-store.ts';
import { STACK, type TriggerRequest } from '../core/types.ts';
import { waitForRun, type WaitOptions } from '../pipeline/wait-for-run.ts';
import { cliContext, printJson } from './context.ts';
import { triggerRun } from './trigger-run.ts';
import { runJson, runLine } from '../app/run-format.ts';
import { runPlan } from './plan.ts';

interface ApplyOptions {
  readonly service?: string;
  readonly pull?: boolean;
  readonly detach?: boolean;
  readonly json?: boolean;
  readonly dryRun?: boolean;
  readonly detailedExitcode?: boolean;
}

/**
 * `railyard apply [project]`: goes through the runner like every other trigger,
 * so the run is in the history. When `railyard worker` (or `serve`) already
 * runs this stack, the run is queued through the store and that process runs
 * it; otherwise this process runs it, and anything left queued, then exits.
 */
export function applyCommand(program: Command): void {
  program
    .command('apply')
    .description('deploy one project (pull, validate, render, diff, rollout), or every project that differs, through the runner')
    .argument('[project]', 'deploy this project only')
    .option('--service <name>', 'deploy one service of the project only')
    .option('--pull', 'pull images before the diff, so a tag that moved is deployed')
    .option('--detach', 'queue the run and return; a running `railyard worker` or `serve` runs it')
    .option('--json', 'print the runs as JSON (with --dry-run: the plan)')
    .option('--dry-run', 'show what apply would do and change nothing: the same as `railyard plan`')
    .option('--detailed-exitcode', 'with --dry-run: exit 2 when there are changes (0: none, 1: error)')
    .action(async (project: string | undefined, options: ApplyOptions, command: Command) => {
      if (options.dryRun) return dryRun(project, options, command);
      if (options.detailedExitcode) throw new RailyardError('USAGE', '--detailed-exitcode goes with --dry-run (or railyard plan)');
      const { env, log } = cliContext(command);
      const runs = await triggerRun(env, log, applyRequest(project, options), { ...options, wait: waitWithChildren });
      if (runs === undefined) return;
      if (options.json) printJson({ runs: runs.map(runJson) });
      else process.stdout.write(`${runs.map(runLine).join('\n')}\n`);
    });
}

/** `apply --dry-run`: plan. Options that only mean something to a real apply are refused, not ignored. */
async function dryRun(project: string | undefined, options: ApplyOptions, command: Command): Promise<void> {
  if (options.pull) throw new RailyardError('USAGE', '--dry-run does not pull images: drop --pull (plan compares with the images already on the host)');
  if (options.detach) throw new RailyardError('USAGE', '--dry-run queues no run: drop --detach');
  await runPlan(project, options, command);
}

function applyRequest(project: string | undefined, options: ApplyOptions): TriggerRequest {
  const meta = options.pull ? { pull: true } : undefined;
  if (project !== undefined) {
    return { pipeline: 'deploy', project, service: options.service, trigger: { kind: 'cli', ...(meta && { meta }) } };
  }
  if (options.service !== undefined) throw new RailyardError('USAGE', '--service needs a project: railyard apply PROJECT --service NAME');
  // Every project: one pull and render, then a deploy per project (see pipeline/fan-out.ts).
  return { pipeline: 'sync', project: STACK, trigger: { kind: 'cli', meta: { ...meta, all: true } } };
}

/**
 * Waits for the run and, when it fanned out (a sync), for the runs it queued;
 * each is followed to the run that did its work (a retry after a restart of
 * railyard, or the run that absorbed it).
 */
async function waitWithChildren(store: RunStore, runId: string, options: WaitOptions): Promise<RunRecord[]> {
  const run = await waitForRun(store, runId, options);
  const children = store.childrenOf(run.id);
  const done = await Promise.all(children.map((child) => waitForRun(store, child.id, options)));
  const unique = new Map([run, ...done].map((r) => [r.id, r]));
  return [...unique.values()];
}
