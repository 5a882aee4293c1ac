import type { Command } from 'commander';
import { loadEnv } from '../config/env.ts';
import { createLogger } from '../core/logger.ts';
import { restoreBackup } from '../steps/restore/index.ts';
import { checkKeyArgument } from '../steps/restore/resolve-generation.ts';
import { printJson, type GlobalOptions } from './context.ts';

interface RestoreOptions {
  readonly to?: string;
  readonly allowUnvalidated?: boolean;
  readonly json?: boolean;
}

/**
 * `railyard restore KEY|latest [--to DIR]`: download, check, extract into a
 * staging folder, then swap it in for upstream/ (keeping the old tree as
 * upstream.prev-<timestamp>) or move it to DIR. Not a pipeline: it refuses to
 * replace upstream/ while a runner (serve, worker, apply) holds the stack.
 */
export function restoreCommand(program: Command): void {
  program
    .command('restore')
    .description('restore a backup into upstream/ (the old tree is kept as upstream.prev-<timestamp>) or into --to DIR')
    .argument('<key>', 'a key from `railyard backup list`, or "latest" (the newest validated backup)')
    .option('--to <dir>', 'extract into this new or empty folder; upstream/ is not touched')
    .option('--allow-unvalidated', 'restore a backup without a recorded sha256 (made by itsUP), checking its size only')
    .option('--json', 'print the result as JSON')
    .action(async (key: string, options: RestoreOptions, command: Command) => {
      const env = loadEnv({ root: command.optsWithGlobals<GlobalOptions>().root });
      checkKeyArgument(key, env.backupPrefix);
      const log = createLogger({ level: env.logLevel, secrets: env.secrets });
      const abort = new AbortController();
      const onSignal = (): void => abort.abort();
      process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
      try {
        const result = await restoreBackup({
          env, log, key, to: options.to, allowUnvalidated: options.allowUnvalidated === true, signal: abort.signal,
        });
        if (options.json) printJson(result);
        else {
          process.stdout.write(`restored ${result.key} (${result.entries} entries) into ${result.into}\n`);
          if (result.previous !== undefined) process.stdout.write(`the previous tree is kept in ${result.previous}\n`);
          // Bind mounts follow the moved folder: running containers keep using the old tree until recreated.
          if (options.to === undefined) process.stdout.write('running containers still use the previous tree until they are recreated (railyard apply)\n');
        }
      } finally {
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      }
    });
}
