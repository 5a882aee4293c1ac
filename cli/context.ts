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
  const log = lazyLogger(() => createLogger({ level: env.logLevel, secrets: env.secrets }));
  const db = locateDb(env, options.file);
  if (db.warning) log.warn({ file: db.path }, db.warning);
  return { env, log, db };
}

/**
 * A logger made on first use: a command that logs nothing (a render, a plan
 * with nothing to warn about) never loads pino (issue 17 item 4: start-up).
 */
function lazyLogger(make: () => Logger): Logger {
  let real: Logger | undefined;
  const target = (): Logger => (real ??= make());
  return new Proxy({} as Logger, {
    get(_, prop) {
      const value: unknown = Reflect.get(target(), prop);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target()) : value;
    },
    set: (_, prop, value) => Reflect.set(target(), prop, value),
    has: (_, prop) => Reflect.has(target(), prop),
  });
}

/** Masks the secrets of the environment the command read (none before it read one): for its error line. */
export let scrubCli: (text: string) => string = scrubber([]);

/** Prints data for `--json` callers: one JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
