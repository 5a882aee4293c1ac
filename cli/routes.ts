import type { Command } from 'commander';
import { loadDb } from '../config/load-db.ts';
import { formatProblem } from '../config/problem.ts';
import { RailyardError } from '../core/errors.ts';
import { routeReport, type RouteLine, type RouteReport } from '../app/route-report.ts';
import { createDocker } from '../runtime/docker.ts';
import { readSourceFor } from '../runtime/engine-read.ts';
import { renderStack } from '../steps/render/index.ts';
import { cliContext, printJson } from './context.ts';

interface RoutesOptions {
  readonly json?: boolean;
  readonly strict?: boolean;
}

/** `railyard routes`: every router Traefik is given, what it dials, and whether that answers. */
export function routesCommand(program: Command): void {
  program
    .command('routes')
    .description(
      'one line per Traefik router: entrypoint, rule, the backend address Traefik dials, and whether it resolves and accepts a connection ' +
        "from the host's network namespace (where Traefik runs); with TRAEFIK_API_URL, also what Traefik has loaded",
    )
    .option('--json', 'print the routes as JSON')
    .option('--strict', 'exit 1 when a route is dead (a warning otherwise)')
    .action(async (options: RoutesOptions, command: Command) => {
      const { env, db } = cliContext(command);
      const loaded = await loadDb(db.path, env.vars, db.label);
      if (!loaded.ok) {
        throw new RailyardError('CONFIG_INVALID', `${db.label}: ${loaded.problems.length} problem(s), first: ${formatProblem(loaded.problems[0]!)}`);
      }
      const { routes } = renderStack(loaded.config, env);
      const report = await routeReport(readSourceFor(env.dockerHost, () => createDocker(env.dockerHost)), routes, { traefikApiUrl: env.traefikApiUrl });
      if (options.json) printJson(report);
      else process.stdout.write(formatRoutes(report));
      failOnDead(report, options.strict === true);
    });
}

/** Dead routes: a warning on stderr, or with `strict` a ROUTES_DEAD error. */
export function failOnDead(report: RouteReport, strict: boolean): void {
  const dead = report.lines.filter((line) => line.status === 'dead');
  if (report.traefikError !== undefined) process.stderr.write(`warning: ${report.traefikError}\n`);
  if (dead.length === 0) return;
  const names = dead.map((line) => line.router).join(', ');
  if (strict) throw new RailyardError('ROUTES_DEAD', `${dead.length} dead route(s): ${names}`, { data: { routers: dead.map((line) => line.router) } });
  process.stderr.write(`warning: ${dead.length} dead route(s): ${names}\n`);
}

/** One line per router (status, entrypoint, rule, priority, backends, detail), then the redirect. */
export function formatRoutes(report: RouteReport): string {
  const lines = report.lines.map(formatLine);
  lines.push(`redirect  ${report.redirect.entryPoint}  HTTP→HTTPS  priority ${report.redirect.priority}: every router on ${report.redirect.entryPoint} above is matched first`);
  const counts = ['alive', 'pending', 'dead'].map((status) => `${report.lines.filter((l) => l.status === status).length} ${status}`).join(', ');
  return `${[...lines, `${report.lines.length} route(s): ${counts}`].join('\n')}\n`;
}

function formatLine(line: RouteLine): string {
  const priority = line.priority !== undefined ? `  priority ${line.priority}` : '';
  const backends = line.backends.length > 0 ? line.backends.join(',') : '-';
  const traefik = line.traefik ? `  traefik: ${line.traefik.join('; ')}` : '';
  return `${line.status.padEnd(7)}  ${line.kind} ${line.router}  ${line.entryPoint}  ${line.rule ?? '(no rule: udp)'}${priority}  → ${backends}  ${line.detail}${traefik}`;
}
