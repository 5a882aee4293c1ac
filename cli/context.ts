import type { Command } from 'commander';
import { loadEnv, type Env } from '../config/env.ts';
import { locateDb, type DbLocation } from '../config/stack.ts';
import { createLogger, scrubber, type Logger } from '../core/logger.ts';

export interface GlobalOptions {
  readonly root?: string;
  readonly file?: string;
}

export interface CliContext {
  readonly env: Env;
  readonly log: Logger;
  readonly db: DbLocation;
}

/** Reads the global options, the environment (once) and where db.yml is, for one command. */
export function cliContext(command: Command): CliContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  const env = loadEnv({ root: options.root });
  scrubCli = scrubber(env.secrets);
  const log = createLogger({ level: env.logLevel, secrets: env.secrets });
  const db = locateDb(env, options.file);
  if (db.warning) log.warn({ file: db.path }, db.warning);
  return { env, log, db };
}

/** Masks the secrets of the environment the command read (none before it read one): for its error line. */
export let scrubCli: (text: string) => string = scrubber([]);

/** Prints data for `--json` callers: one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
