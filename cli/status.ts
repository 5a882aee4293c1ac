import type { Command } from 'commander';
import { projectHistory, projectView, readEngine, type EngineState, type ServiceStatus } from '../app/project-status.ts';
import { cachedCheck } from '../config/db-cache.ts';
import { loadDb } from '../config/load-db.ts';
import { formatProblem } from '../config/problem.ts';
import { RailyardError } from '../core/errors.ts';
import { RunStore, storePath } from '../pipeline/run-store.ts';
import { createDocker } from '../runtime/docker.ts';
import { formatNodeTasks } from '../runtime/swarm-tasks.ts';
import { cliContext, printJson } from './context.ts';

interface StatusOptions {
  readonly json?: boolean;
}

/** `railyard status [project]`: what runs, against db.yml; the dashboard's projects page (GET /api/projects) in a terminal. */
export function statusCommand(program: Command): void {
  program
    .command('status')
    .description('show each project\'s services: desired against running replicas and health (swarm: tasks per node), drift, and the last run')
    .argument('[project]', 'one project only')
    .option('--json', 'print the status as JSON (the shape of GET /api/projects)')
    .action(runStatus);
}

async function runStatus(name: string | undefined, options: StatusOptions, command: Command): Promise<void> {
  const { env, db } = cliContext(command);
  const loaded = await loadDb(db.path, env.vars, db.label, cachedCheck(env.root, { save: false }));
  if (!loaded.ok) throw new RailyardError('CONFIG_INVALID', `${db.label}: ${loaded.problems.length} problem(s), first: ${formatProblem(loaded.problems[0]!)}`);
  const { config } = loaded;
  const projects = config.projects.filter((p) => name === undefined || p.name.toLowerCase() === name.toLowerCase());
  if (name !== undefined && projects.length === 0) throw new RailyardError('PROJECT_NOT_FOUND', `${db.label} has no project ${JSON.stringify(name)}`);
  const engine = await readEngine(createDocker(env.dockerHost), config, name === undefined ? undefined : projects[0]);
  const store = RunStore.open(storePath(env.root));
  try {
    const views = projects.map((project) => ({ ...projectView(config, project, engine), ...projectHistory(store, project.name) }));
    if (options.json) printJson({ docker: { reachable: engine.containers !== undefined }, projects: views });
    else process.stdout.write(formatStatus(views, engine));
    if (engine.containers === undefined) process.exitCode = 1;
  } finally {
    store.close();
  }
}

type View = ReturnType<typeof projectView> & ReturnType<typeof projectHistory>;

/** The text of `status`: a line per project (runtime, last run, deployed commit), a line per service. Pure. */
export function formatStatus(views: readonly View[], engine: EngineState): string {
  const lines: string[] = [];
  if (engine.containers === undefined) lines.push('the Docker engine could not be read: running state unknown');
  for (const view of views) {
    const last = view.lastRun as { id: string; pipeline: string; status: string } | null;
    const run = last === null ? 'no run yet' : `last run #${last.id} ${last.pipeline} ${last.status}`;
    const commit = view.deployedCommit === null ? '' : `, deployed ${view.deployedCommit.slice(0, 12)}`;
    lines.push(`${view.name} (${view.runtime}${view.enabled ? '' : ', disabled'}): ${run}${commit}`);
    if ('swarmError' in view && view.swarmError !== undefined) lines.push(`  swarm: ${view.swarmError}`);
    const width = Math.max(...view.services.map((s) => s.name.length), 4);
    for (const service of view.services) lines.push(`  ${service.name.padEnd(width)}  ${serviceLine(service)}`);
  }
  return `${lines.join('\n')}\n`;
}

function serviceLine(service: ServiceStatus): string {
  const want = service.desired.replicas;
  const { running } = service;
  if (running === null) return `${want} wanted, running unknown`;
  const tasks = running.tasks;
  const counts = tasks !== undefined
    ? `${tasks.running}/${want} tasks running; ${formatNodeTasks(tasks.nodes)}`
    : `${running.containers}/${want} running, ${running.healthy} healthy`;
  // As the dashboard marks it: running differs from db.yml.
  return `${counts}${running.containers !== want ? '  drift' : ''}  ${service.image ?? ''}`.trimEnd();
}
