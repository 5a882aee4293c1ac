import { once } from 'node:events';
import type { Command } from 'commander';
import { RailyardError } from '../core/errors.ts';
import { startLiveSchedules } from '../pipeline/live-schedules.ts';
import { startRunner } from '../app/start-runner.ts';
import { cliContext } from './context.ts';
import { exitWhenStuck } from './exit-when-stuck.ts';
import { onStopSignals } from './stop-signals.ts';

/**
 * `railyard worker`: the runner without the HTTP endpoint. Recovers what a
 * previous process left (interrupted runs are retried, twice at most; queued runs run),
 * then runs every trigger queued through the store, and db.yml's `schedules`
 * (not with --no-schedule or --exit-when-idle), taken again whenever db.yml changes. SIGTERM/SIGINT stop it:
 * running jobs are interrupted and queued again for the next start.
 */
export function workerCommand(program: Command): void {
  program
    .command('worker')
    .description('run queued pipelines (recovering interrupted ones) until stopped; `serve` does this too')
    .option('--exit-when-idle', 'exit once nothing is queued or running (schedules are not run)')
    .option('--no-schedule', 'do not run the schedules of db.yml (backup, threat-report, reconcile)')
    .action(async (options: { exitWhenIdle?: boolean; schedule: boolean }, command: Command) => {
      const { env, log, db } = cliContext(command);
      const started = startRunner({ env, log });
      if (started === undefined) {
        throw new RailyardError('RUNNER_BUSY', `Another railyard process already runs the stack in ${env.root}`);
      }
      log.info({ root: env.root, concurrency: env.concurrency }, 'runner started');
      const scheduler = options.schedule && !options.exitWhenIdle
        ? await startLiveSchedules({ env, log, db, runner: started.runner, store: started.store })
        : undefined;
      const stop = new AbortController();
      const signals = onStopSignals(() => stop.abort());
      // The runner's own timers do not hold the process open; this does, until stopped.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      const idle = options.exitWhenIdle ? started.runner.onIdle() : new Promise<never>(() => undefined);
      const stopped = once(stop.signal, 'abort').then(() => true);
      const bySignal = await Promise.race([idle.then(() => false), stopped]);
      clearInterval(keepAlive);
      scheduler?.stop();
      await started.close({ drain: !bySignal });
      signals.dispose();
      log.info({ bySignal }, 'runner stopped');
      exitWhenStuck();
    });
}
