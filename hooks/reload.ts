import { loadEnv, type Env } from '../config/env.ts';
import { locateDb } from '../config/stack.ts';
import { isRailyardError } from '../pipeline/errors.ts';
import type { Logger } from '../pipeline/logger.ts';
import { createAllowlist } from './cidr.ts';
import type { ServerConfig } from './context.ts';
import { DbSource } from './db-source.ts';

export interface ReloadOptions {
  /** `--file`, when given: db.yml is located again with it. */
  readonly file: string | undefined;
  readonly logger: (env: Env) => Logger;
  /** Hands a new environment to the runner; throws when its steps refuse it. */
  readonly applyEnv: (env: Env) => void;
}

export interface Reloaded {
  readonly config: ServerConfig;
  /** The new `.env` was taken. */
  readonly env: boolean;
  /** The new db.yml was taken. */
  readonly db: boolean;
}

/**
 * SIGHUP: reads `.env` and db.yml again. Each is taken only when valid; an
 * invalid one is logged and the old one keeps serving. The listening socket
 * is not touched, so no connection is dropped (HOST and PORT changes need a
 * restart, and say so).
 */
export async function reloadConfig(old: ServerConfig, options: ReloadOptions): Promise<Reloaded> {
  const env = nextEnv(old, options);
  const log = env === old.env ? old.log : options.logger(env);
  const location = locateDb(env, options.file);
  const same = location.path === old.db.location.path && JSON.stringify(env.vars) === JSON.stringify(old.env.vars);
  const db = same ? old.db : new DbSource(location, env.vars, log);
  const failure = await db.refresh();
  const keepOldDb = failure !== undefined && db !== old.db && old.db.loaded !== undefined;
  const config: ServerConfig = { env, log, allowlist: createAllowlist(env.hookAllowedCidrs), db: keepOldDb ? old.db : db };
  log.info({ env: env !== old.env, db: failure === undefined, file: config.db.location.label }, 'configuration reloaded');
  return { config, env: env !== old.env, db: failure === undefined };
}

function nextEnv(old: ServerConfig, options: ReloadOptions): Env {
  let env: Env;
  try {
    env = loadEnv({ root: old.env.root });
    options.applyEnv(env);
  } catch (error) {
    const problems = isRailyardError(error) ? (error.data as { problems?: unknown } | undefined)?.problems : undefined;
    old.log.error({ code: isRailyardError(error) ? error.code : 'UNEXPECTED', problems }, 'the new environment is invalid: the old one is kept');
    return old.env;
  }
  if (env.host !== old.env.host || env.port !== old.env.port || env.listenFd !== old.env.listenFd) {
    old.log.warn({ host: env.host, port: env.port }, 'HOST and PORT changes take effect at the next start');
  }
  return env;
}
