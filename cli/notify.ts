import type { Command } from 'commander';
import { loadDb } from '../config/load-db.ts';
import { formatProblem } from '../config/problem.ts';
import { RailyardError } from '../core/errors.ts';
import { NotificationStore } from '../pipeline/notification-store.ts';
import { RunStore, storePath } from '../pipeline/run-store.ts';
import { Notifier } from '../app/notifier.ts';
import { cliContext, printJson } from './context.ts';

/** `railyard notify test [--json]`: one test notification to every db.yml target, each recorded in the store. */
export function notifyCommand(program: Command): void {
  const notify = program.command('notify').description("db.yml's notifications (failed, recovered, rolled back... runs; missed schedules)");
  notify
    .command('test')
    .description('send one test notification to every target in db.yml `notifications:` and report each result')
    .option('--json', 'print the results as JSON')
    .action(async (_options: unknown, command: Command) => {
      const { json } = command.optsWithGlobals<{ json?: boolean }>();
      const { env, log, db } = cliContext(command);
      const loaded = await loadDb(db.path, env.vars, db.label);
      if (!loaded.ok) {
        throw new RailyardError('CONFIG_INVALID', `${db.label} is invalid: ${formatProblem(loaded.problems[0]!)}`);
      }
      const { notifications, schedules } = loaded.config;
      if (notifications.length === 0) throw new RailyardError('USAGE', `${db.label} has no notifications: add entries under notifications:`);
      const runs = RunStore.open(storePath(env.root));
      const store = NotificationStore.open(storePath(env.root));
      const notifier = new Notifier({ env, log, store, runs, config: async () => ({ notifications, schedules }), scheduleCheckMs: 0 });
      try {
        const results = await notifier.test(notifications);
        if (json) printJson(results.map(({ target, type, result }) => ({ target, type, ...result })));
        else {
          for (const { target, type, result } of results) {
            process.stdout.write(`${result.ok ? 'sent  ' : 'FAILED'} ${type.padEnd(5)} ${target}${result.ok ? ` (HTTP ${result.status})` : `: ${result.error}`}\n`);
          }
        }
        if (results.some((r) => !r.result.ok)) process.exitCode = 1;
      } finally {
        await notifier.close();
        store.close();
        runs.close();
      }
    });
}
