import type { Env } from '../config/env.ts';
import { locateDb } from '../config/stack.ts';
import { RailyardError } from '../pipeline/errors.ts';
import type { Logger } from '../pipeline/logger.ts';
import type { PipelineRegistry } from '../pipeline/registry.ts';
import type { RunStore } from '../pipeline/run-store.ts';
import type { Runner } from '../pipeline/runner.ts';
import { startRunner, type StartedRunner } from '../pipeline/start-runner.ts';
import type { Clients } from '../pipeline/types.ts';
import { createDocker, dockerEndpoint } from '../runtime/docker.ts';
import { createAllowlist } from './cidr.ts';
import type { ServerConfig } from './context.ts';
import { DbSource } from './db-source.ts';
import { dockerProbe } from './docker-probe.ts';
import { Metrics } from './metrics.ts';
import { AuthLimiter, type RateLimitOptions } from './rate-limit.ts';
import { reloadConfig, type Reloaded } from './reload.ts';
import { startSchedules, type Schedules } from './schedules.ts';
import { startServer, type HookServer, type Listen } from './server.ts';

export interface ServeOptions {
  readonly env: Env;
  /** `--file`: db.yml to read instead of the located one. */
  readonly file?: string | undefined;
  /** Builds the root logger of an environment (scrubbing its secrets); called again after a reload. */
  readonly logger: (env: Env) => Logger;
  /** Run db.yml's schedules. @default true */
  readonly schedule?: boolean;
  /** @default PIPELINES */
  readonly pipelines?: PipelineRegistry;
  /** @default a dockerode client for DOCKER_HOST */
  readonly clients?: Clients;
  /** @default 10 failures a minute per source */
  readonly rateLimit?: RateLimitOptions;
  /** Where run loggers write. @default process.stderr */
  readonly logDestination?: NodeJS.WritableStream;
  /** @default fd 3 under socket activation, else HOST:PORT */
  readonly listen?: Listen;
}

export interface Serving {
  readonly url: string;
  readonly runner: Runner;
  readonly store: RunStore;
  /** The configuration requests are answered with now. */
  config(): ServerConfig;
  /** SIGHUP: `.env` and db.yml again; an invalid one is logged and the old one kept. */
  reload(): Promise<Reloaded>;
  /**
   * SIGTERM: stop accepting, stop the schedules, let running jobs finish
   * within SHUTDOWN_GRACE (then interrupt them: they are retried at the next
   * start). Queued runs stay in the store.
   */
  shutdown(): Promise<void>;
}

/** `railyard serve`: the runner, the scheduler and the HTTP endpoint, started in that order. */
export async function serve(options: ServeOptions): Promise<Serving> {
  const { env } = options;
  const log = options.logger(env);
  const clients = options.clients ?? { docker: createDocker(env.dockerHost) };
  const started = startRunner({
    env, log, clients,
    ...(options.pipelines !== undefined && { pipelines: options.pipelines }),
    ...(options.logDestination !== undefined && { logDestination: options.logDestination }),
  });
  if (started === undefined) throw new RailyardError('RUNNER_BUSY', `Another railyard process already runs the stack in ${env.root}`);
  try {
    return await startServing(options, log, clients, started);
  } catch (error) {
    await started.close({ drain: false });
    throw error;
  }
}

async function startServing(options: ServeOptions, log: Logger, clients: Clients, started: StartedRunner): Promise<Serving> {
  const { env } = options;
  const db = new DbSource(locateDb(env, options.file), env.vars, log);
  await db.refresh();
  let config: ServerConfig = { env, log, allowlist: createAllowlist(env.hookAllowedCidrs), db };
  const schedules: Schedules = startSchedules(options.schedule !== false, { runner: started.runner, store: started.store });
  schedules.update(config);
  const docker = dockerProbe(clients.docker);
  const server: HookServer = await startServer({
    listen: options.listen ?? (env.listenFd !== undefined ? { fd: env.listenFd } : { host: env.host, port: env.port }),
    deps: { config: () => config, runner: started.runner, store: started.store, docker, metrics: new Metrics(), limiter: new AuthLimiter(options.rateLimit) },
  }).catch((error: unknown) => {
    schedules.stop();
    throw error;
  });
  announce(config, server, docker.reachable(), dockerEndpoint(clients.docker));
  return {
    url: server.url,
    runner: started.runner,
    store: started.store,
    config: () => config,
    async reload() {
      const reloaded = await reloadConfig(config, { file: options.file, logger: options.logger, applyEnv: (next) => started.runner.setEnv(next) });
      config = reloaded.config;
      schedules.update(config);
      return reloaded;
    },
    async shutdown() {
      await shutdown(config, server, schedules, started);
    },
  };
}

function announce(config: ServerConfig, server: HookServer, docker: Promise<boolean>, endpoint: string): void {
  const { env, log } = config;
  log.info({ url: server.url, root: env.root, file: config.db.location.label, socketActivated: env.listenFd !== undefined }, 'railyard serving');
  if (env.apiKey === undefined) log.error({}, 'API_KEY is not set: /update-upstream, the API and /metrics answer 503 until it is');
  if (env.githubWebhookSecret === undefined) log.error({}, 'GITHUB_WEBHOOK_SECRET and API_KEY are not set: /hook answers 503 until one is');
  if (!config.allowlist.restricted) log.warn({}, 'HOOK_ALLOWED_CIDRS is not set: every source may call railyard (set it to the VPN subnet and loopback)');
  void docker.then((reachable) => {
    if (!reachable) log.warn({ endpoint }, 'Docker engine unreachable: railyard serves, and deploy runs fail with DOCKER_UNREACHABLE until it answers');
  });
}

async function shutdown(config: ServerConfig, server: HookServer, schedules: Schedules, started: StartedRunner): Promise<void> {
  const { log, env } = config;
  log.info({ graceMs: env.shutdownGraceMs }, 'shutting down: no new requests, running jobs may finish');
  const closed = server.close();
  schedules.stop();
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    started.runner.stop({ drain: true }).then(() => true),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), env.shutdownGraceMs);
    }),
  ]);
  clearTimeout(timer);
  if (!drained) log.warn({ graceMs: env.shutdownGraceMs }, 'grace period over: running jobs are interrupted and retried at the next start');
  await started.close({ drain: drained });
  await closed;
  log.info({}, 'railyard stopped');
}
