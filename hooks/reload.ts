import { loadEnv, type Env } from '../config/env.ts';
import { locateDb } from '../config/stack.ts';
import { isRailyardError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { createAllowlist } from './cidr.ts';
import type { ServerConfig } from './context.ts';
import { DbSource } from './db-source.ts';

/**
 * SIGHUP, main thread: reads `.env` (and the environment) again. The new
 * environment is taken only when it is valid and the runner accepts it;
 * otherwise it is logged and the old one stays. HOST and PORT changes need a
 * restart (the listening socket is not touched, so no connection drops).
 */
export function reloadEnv(old: Env, log: Logger, apply: (env: Env) => void): Env {
  let env: Env;
  try {
    env = loadEnv({ root: old.root });
    apply(env);
  } catch (error) {
    const problems = isRailyardError(error) ? (error.data as { problems?: unknown } | undefined)?.problems : undefined;
    log.error({ code: isRailyardError(error) ? error.code : 'UNEXPECTED', problems }, 'the new environment is invalid: the old one is kept');
    return old;
  }
  if (env.host !== old.host || env.port !== old.port || env.listenFd !== old.listenFd) {
    log.warn({ host: env.host, port: env.port }, 'HOST and PORT changes take effect at the next start');
  }
  return env;
}

export interface ReloadedConfig {
  readonly config: ServerConfig;
  /** The new db.yml was taken. */
  readonly db: boolean;
}

/**
 * SIGHUP, HTTP thread: the server's configuration for `env`, with db.yml read
 * again. A broken new db.yml is logged and the last valid one keeps serving.
 */
export async function reloadServerConfig(old: ServerConfig, env: Env, options: { readonly file: string | undefined; readonly logger: (env: Env) => Logger }): Promise<ReloadedConfig> {
  const log = env === old.env ? old.log : options.logger(env);
  const location = locateDb(env, options.file);
  const same = location.path === old.db.location.path && JSON.stringify(env.vars) === JSON.stringify(old.env.vars);
  const db = same ? old.db : new DbSource(location, env.vars, log);
  const failure = await db.refresh();
  const keepOld = failure !== undefined && db !== old.db && old.db.loaded !== undefined;
  return { config: { env, log, allowlist: createAllowlist(env.hookAllowedCidrs), db: keepOld ? old.db : db }, db: failure === undefined };
}
