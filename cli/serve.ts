import type { Command } from 'commander';
import { serve, type Serving } from '../hooks/serve.ts';
import { cliContext, type GlobalOptions } from './context.ts';
import { exitWhenStuck } from './exit-when-stuck.ts';
import { onStopSignals } from './stop-signals.ts';

/**
 * `railyard serve`: what `npm start` runs. The runner (recovering what a
 * previous process left), db.yml's schedules and the HTTP endpoint. SIGHUP
 * reloads `.env` and db.yml; SIGTERM (or SIGINT) stops accepting, lets
 * running jobs finish within SHUTDOWN_GRACE and exits 0. A second signal
 * during shutdown kills the process the default way.
 */
export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('serve GitHub webhooks, /update-upstream, the runs/projects API, /metrics and /healthz; run the queue and the schedules')
    .option('--no-schedule', 'do not run the schedules of db.yml (backup, threat-report, reconcile)')
    .action(async (options: { schedule: boolean }, command: Command) => {
      const { env, log } = cliContext(command);
      // The handlers come first: a signal during start-up (the endpoint may
      // already answer) would otherwise kill the process by signal (exit 143)
      // and lose its log lines. A stop then waits for the start to finish.
      let serving: Serving | undefined;
      let hungUp = false;
      const onHangUp = (): void => {
        log.debug({}, 'SIGHUP received');
        if (serving === undefined) hungUp = true;
        else serving.reload().catch((error: unknown) => serving?.current().log.error({ err: error }, 'reload failed: the old configuration is kept'));
      };
      let onStop!: () => void;
      const stopped = new Promise<void>((resolve) => {
        onStop = resolve;
      });
      process.on('SIGHUP', onHangUp);
      const signals = onStopSignals(onStop);
      try {
        serving = await serve({ env, log, schedule: options.schedule, file: command.optsWithGlobals<GlobalOptions>().file });
      } catch (error) {
        process.off('SIGHUP', onHangUp);
        signals.dispose();
        throw error;
      }
      if (hungUp) serving.reload().catch((error: unknown) => serving?.current().log.error({ err: error }, 'reload failed: the old configuration is kept'));
      const failed = await Promise.race([stopped.then(() => undefined), serving.failure.catch((error: unknown) => error)]);
      process.off('SIGHUP', onHangUp);
      await serving.shutdown();
      signals.dispose();
      exitWhenStuck();
      if (failed !== undefined) process.exitCode = 1;
    });
}
