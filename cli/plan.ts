import type { Command } from 'commander';
import { cachedCheck } from '../config/db-cache.ts';
import { loadDb } from '../config/load-db.ts';
import { formatProblem } from '../config/problem.ts';
import { RailyardError } from '../core/errors.ts';
import { createDocker } from '../runtime/docker.ts';
import { readSourceFor } from '../runtime/engine-read.ts';
import { formatNodeTasks } from '../runtime/swarm-tasks.ts';
import { computeDiff, desiredFromRender, type DiffResult } from '../steps/diff/index.ts';
import { isSwarmEntry } from '../steps/diff/swarm-plan.ts';
import { renderPreview } from '../steps/render/render-to-disk.ts';
import { routeReport } from '../app/route-report.ts';
import { colourDiff, useColour } from './colour.ts';
import { cliContext, printJson } from './context.ts';
import { failOnDead, formatRoutes } from './routes.ts';

export interface PlanOptions {
  readonly service?: string;
  readonly json?: boolean;
  readonly detailedExitcode?: boolean;
  /** false with --no-color. */
  readonly color?: boolean;
}

/** `railyard plan [project]`: what apply would do, without touching the host or the files. */
export function planCommand(program: Command): void {
  program
    .command('plan')
    .description('show, per service, what apply would do (create, rollout, recreate, remove, unchanged) and why, then the diffs')
    .argument('[project]', 'plan one project only')
    .option('--service <name>', 'plan one compose service only')
    .option('--json', 'print the plan as JSON')
    .option('--detailed-exitcode', 'exit 2 when there are changes (0: none, 1: error)')
    .option('--no-color', 'never colour the diffs (also NO_COLOR); they are coloured on a terminal')
    .action(runPlan);
}

/** What `plan` does, and `apply --dry-run` (DESIGN.md §3), its alias. */
export async function runPlan(project: string | undefined, options: PlanOptions, command: Command): Promise<void> {
  const { env, db } = cliContext(command);
  // The projects validated by the last render are reused; a plan writes nothing, the cache included.
  const loaded = await loadDb(db.path, env.vars, db.label, cachedCheck(env.root, { save: false }));
  if (!loaded.ok) {
    throw new RailyardError('CONFIG_INVALID', `${db.label}: ${loaded.problems.length} problem(s), first: ${formatProblem(loaded.problems[0]!)}`);
  }
  // Plain HTTP reads: a plan never loads dockerode (issue 17 item 4), except for https:// engines.
  const docker = readSourceFor(env.dockerHost, () => createDocker(env.dockerHost));
  // Rendered as apply would (the kept subnets, the last render's memo: unchanged projects are lookups), writing nothing;
  // the planned project alone when it is in db.yml (its routes are the ones reported).
  const stack = await renderPreview(loaded.config, env, { root: env.root, networkPool: env.networkPool, docker, ...(project !== undefined && { only: project }) });
  const desired = desiredFromRender(stack, loaded.config, env.root, env);
  const result = await computeDiff(docker, desired, { project, service: options.service }, env.root);
  // Route truth: what each router Traefik is given dials, as `railyard routes` prints it.
  const routes = await routeReport(docker, stack.routes, { traefikApiUrl: env.traefikApiUrl });
  // Warnings of db.yml, host-takeover settings among them (config/host-access.ts): a plan is where a reviewer looks.
  if (options.json) printJson({ changes: result.changes, plan: result.plan.map(summary), diffs: result.diffs, routes, configWarnings: loaded.warnings });
  else process.stdout.write(`${loaded.warnings.map((w) => `${formatProblem(w)}
`).join('')}${formatPlan(result, useColour({ isTTY: process.stdout.isTTY, noColor: env.noColor, flag: options.color }))}
routes:
${formatRoutes(routes)}`);
  failOnDead(routes, false);
  if (options.detailedExitcode && result.changes > 0) process.exitCode = 2;
}

function summary(entry: DiffResult['plan'][number]) {
  const tasks = isSwarmEntry(entry) && entry.tasks !== undefined
    ? { tasks: { desired: entry.tasks.desired, running: entry.tasks.running, nodes: entry.tasks.nodes } }
    : {};
  return { project: entry.project, service: entry.service, action: entry.action, reason: entry.reason, containers: entry.containers.length, warnings: entry.warnings, ...tasks };
}

/**
 * One line per service, the warnings, then the diffs. A swarm service that
 * has tasks gets a second line: its tasks per node, running against desired
 * (the status view of a swarm: there is no `status` command).
 */
export function formatPlan(result: DiffResult, colour = false): string {
  const width = Math.max(0, ...result.plan.map((p) => `${p.project}/${p.service}`.length));
  const lines = result.plan.flatMap((p) => [
    `${`${p.project}/${p.service}`.padEnd(width)}  ${p.action.padEnd(9)}  ${p.reason}`,
    ...(isSwarmEntry(p) && p.tasks !== undefined ? [`${''.padEnd(width)}  ${'tasks'.padEnd(9)}  ${formatNodeTasks(p.tasks.nodes)}`] : []),
  ]);
  const warnings = result.plan.flatMap((p) => p.warnings.map((w) => `warning: ${w}`));
  const diffs = Object.values(result.diffs).map((d) => (colour ? colourDiff(d) : d));
  const total = `${result.changes} change(s), ${result.plan.length - result.changes} unchanged`;
  return [...lines, ...warnings, '', ...diffs, total, ''].join('\n');
}
