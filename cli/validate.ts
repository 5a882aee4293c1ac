import type { Command } from 'commander';
import { cachedCheck } from '../config/db-cache.ts';
import { loadDb } from '../config/load-db.ts';
import { formatProblem, type ConfigProblem } from '../config/problem.ts';
import { scrubber } from '../core/logger.ts';
import { poolCapacity } from '../steps/render/subnets.ts';
import { cliContext, printJson } from './context.ts';

/** `railyard validate`: exit 0 with a summary, or 1 with one line per problem. */
export function validateCommand(program: Command): void {
  program
    .command('validate')
    .description('check db.yml (YAML, schema, names, routes, ports, ${VAR} references) without touching anything')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const { env, db } = cliContext(command);
      // The projects validated by the last render are reused (the same results); validate writes nothing.
      const result = await loadDb(db.path, env.vars, db.label, cachedCheck(env.root, { save: false }));
      // A problem may quote a value of db.yml: railyard's secrets are masked as in its logs (issue 12).
      const scrub = scrubber(env.secrets);
      const mask = (problems: readonly ConfigProblem[]): ConfigProblem[] => problems.map((p) => ({ ...p, message: scrub(p.message) }));
      if (!result.ok) {
        const problems = mask(result.problems);
        if (options.json) printJson({ ok: false, file: db.label, problems });
        else for (const problem of problems) process.stdout.write(`${formatProblem(problem)}\n`);
        if (!options.json) process.stderr.write(`${db.label}: ${result.problems.length} problem(s) found; nothing was changed\n`);
        process.exitCode = 1;
        return;
      }
      const projects = result.config.projects;
      const services = projects.flatMap((p) => p.services);
      const summary = {
        ok: true,
        file: db.label,
        projects: projects.length,
        enabled: projects.filter((p) => p.enabled).length,
        services: services.length,
        ingresses: services.reduce((n, s) => n + s.ingress.length, 0),
      };
      const warnings = mask(result.warnings);
      // Each enabled project's compose network takes one subnet: say early when the pool is too small.
      const capacity = poolCapacity(env.networkPool);
      const networkPool = { ...env.networkPool, capacity, projects: summary.enabled };
      if (options.json) printJson({ ...summary, networkPool, problems: [], warnings });
      else {
        for (const warning of warnings) process.stderr.write(`${formatProblem(warning)}\n`);
        process.stdout.write(
          `${summary.file}: valid: ${summary.projects} projects (${summary.enabled} enabled), ${summary.services} services, ${summary.ingresses} ingresses` +
            `${result.warnings.length > 0 ? `, ${result.warnings.length} warning(s)` : ''}\n`,
        );
        process.stdout.write(`network pool ${networkPool.cidr}: room for ${capacity} project networks (/${networkPool.prefix} each), ${summary.enabled} enabled project(s)\n`);
        if (summary.enabled > capacity) {
          process.stderr.write(`warning: ${summary.enabled - capacity} project(s) will find no subnet: widen RAILYARD_NETWORK_POOL or use smaller subnets (RAILYARD_NETWORK_SUBNET)\n`);
        }
      }
    });
}
