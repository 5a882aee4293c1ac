import type { Env } from '../config/env.ts';
import { locateDb } from '../config/stack.ts';
import { compactWhenIdle } from '../core/compact-when-idle.ts';
import { RailyardError } from '../core/errors.ts';
import { writeLine, type Logger } from '../core/logger.ts';
import type { PipelineRegistry } from '../pipeline/registry.ts';
import type { RunStore } from '../pipeline/run-store.ts';
import type { Runner } from '../pipeline/runner.ts';
import { BlockKeeper } from '../app/blocks/keeper.ts';
import { PIPELINES } from '../app/pipelines.ts';
import { BlockStore } from '../pipeline/block-store.ts';
import { startLiveSchedules, type LiveSchedules } from '../pipeline/live-schedules.ts';
import { startRunner, type StartedRunner } from '../app/start-runner.ts';
import type { Clients } from '../runtime/docker.ts';
import { lazyClients } from '../runtime/docker.ts';
import { enginePing } from '../runtime/engine-ping.ts';
import { describePipelines } from './durable-accept.ts';
import { startHttpThread, type HttpThread } from './http-thread.ts';
import type { RateLimitOptions } from './rate-limit.ts';
import { reloadEnv } from './reload.ts';
import type { Listen } from './server.ts';

/** The least time between two adoptions of triggers the HTTP thread journaled. */
const ADOPT_MS = 50;

export interface ServeOptions {
  readonly env: Env;
  /** `--file`: db.yml to read instead of the located one. */
  readonly file?: string | undefined;
  /** The main thread's logger. */
  readonly log: Logger;
  /** Receives each line the HTTP thread logs (already scrubbed). @default process.stderr */
  readonly logSink?: (line: string) => void;
  /** Human-readable lines from the HTTP thread. @default process.stderr is a TTY */
  readonly pretty?: boolean;
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
  /** The environment runs and requests get now, and the main thread's logger. */
  current(): { readonly env: Env; readonly log: Logger };
  /** SIGHUP: `.env` and db.yml again; an invalid one is logged and the old one kept. */
  reload(): Promise<{ readonly env: boolean; readonly db: boolean }>;
  /**
   * SIGTERM: stop accepting, stop the schedules, let running jobs finish
   * within SHUTDOWN_GRACE (then interrupt them: they are retried at the next
   * start). Queued runs stay in the store.
   */
  shutdown(): Promise<void>;
  /** Rejects when the HTTP thread dies: the process should shut down and exit non-zero. */
  readonly failure: Promise<never>;
}

/**
 * `railyard serve`: the runner (main thread), db.yml's schedules, and the HTTP
 * endpoint in its own thread, started in that order.
 */
export async function serve(options: ServeOptions): Promise<Serving> {
  const { env, log } = options;
  const clients = options.clients ?? lazyClients(env.dockerHost);
  const pipelines = options.pipelines ?? PIPELINES;
  const started = startRunner({
    env, log, clients, pipelines, db: locateDb(env, options.file),
    ...(options.logDestination !== undefined && { logDestination: options.logDestination }),
  });
  if (started === undefined) throw new RailyardError('RUNNER_BUSY', `Another railyard process already runs the stack in ${env.root}`);
  let fail!: (error: Error) => void;
  const failure = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failure.catch(() => undefined);
  // The firewall is kept from the main process: applying never depends on the HTTP thread.
  const blockSettings = { current: env.blocks };
  const keeper = new BlockKeeper({ blocks: new BlockStore(started.store), log, settings: () => blockSettings.current });
  await keeper.start();
  let http: HttpThread;
  try {
    http = await startHttpThread({
      env, file: options.file, pipelines: describePipelines(pipelines), rateLimit: options.rateLimit,
      listen: options.listen ?? (env.listenFd !== undefined ? { fd: env.listenFd } : { host: env.host, port: env.port }),
      pretty: options.pretty ?? Boolean(process.stderr.isTTY),
      logSink: options.logSink ?? ((line) => writeLine(process.stderr, line)),
      onTriggered: adoptSoon(started),
      onApplyBlocks: () => keeper.sync(),
      onFailure: (error) => {
        log.error({ err: error }, 'the HTTP endpoint failed');
        fail(error);
      },
    });
  } catch (error) {
    keeper.stop();
    await started.close({ drain: false });
    throw error;
  }
  const schedules = options.schedule === false
    ? undefined
    : await startLiveSchedules({ env, log, db: locateDb(env, options.file), runner: started.runner, store: started.store });
  return serving(options, started, http, schedules, failure, { keeper, settings: blockSettings, compaction: compactWhenIdle() });
}

/** The firewall's keeper, the block settings it reads (replaced on reload), and the main thread's idle compaction. */
interface Keeping {
  readonly keeper: BlockKeeper;
  readonly settings: { current: Env['blocks'] };
  readonly compaction: { stop(): void };
}

function serving(options: ServeOptions, started: StartedRunner, http: HttpThread, schedules: LiveSchedules | undefined, failure: Promise<never>, keeping: Keeping): Serving {
  let { env } = options;
  const { log } = options;
  announce(env, log, http.url);
  return {
    url: http.url,
    runner: started.runner,
    store: started.store,
    failure,
    current: () => ({ env, log }),
    reload: coalesced(async (requests) => {
      const next = reloadEnv(env, log, (candidate) => started.runner.setEnv(candidate));
      const reloaded = await http.reload(next);
      const changed = next !== env;
      env = next;
      keeping.settings.current = env.blocks;
      await schedules?.update(env, locateDb(env, options.file));
      log.info({ env: changed, db: reloaded.db, requests }, 'configuration reloaded');
      return { env: changed, db: reloaded.db };
    }),
    async shutdown() {
      keeping.compaction.stop();
      await shutdown(env, log, http, schedules, started, keeping.keeper);
    },
  };
}

/**
 * One reload at a time, and every call answered: a call made while a reload
 * runs waits for the next one, which starts after it and so reads what the
 * caller changed. Calls made meanwhile share that next reload (`requests`
 * says how many). Overlapping reloads used to lose their answers (issue 12:
 * of 50 SIGHUPs during slow reloads, 21 never completed) and could apply an
 * older configuration last.
 */
function coalesced<T>(reload: (requests: number) => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  let next: Promise<T> | undefined;
  let waiting = 0;
  const start = (requests: number): Promise<T> => {
    running = reload(requests).finally(() => {
      running = undefined;
    });
    return running;
  };
  return () => {
    if (running === undefined) return start(1);
    waiting += 1;
    next ??= running.catch(() => undefined).then(() => {
      const requests = waiting;
      next = undefined;
      waiting = 0;
      return start(requests);
    });
    return next;
  };
}

/**
 * Adopts what the HTTP thread journaled: at once when the runner adopted
 * nothing for a while, else at most every ADOPT_MS, so a burst of deliveries
 * costs the runner one merge transaction per interval rather than one per
 * batch (each takes the write lock the HTTP thread commits under).
 */
function adoptSoon(started: StartedRunner): () => void {
  let timer: NodeJS.Timeout | undefined;
  let last = 0;
  return () => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      last = Date.now();
      try {
        started.runner.adopt();
      } catch {
        // Shutting down (the store is closed): the next start adopts it.
      }
    }, Math.max(0, last + ADOPT_MS - Date.now()));
  };
}

function announce(env: Env, log: Logger, url: string): void {
  log.info({ url, root: env.root, socketActivated: env.listenFd !== undefined }, 'railyard serving');
  if (env.apiKey === undefined) log.error({}, 'API_KEY is not set: /update-upstream, the API and /metrics answer 503 until it is');
  if (env.githubWebhookSecret === undefined) log.error({}, 'GITHUB_WEBHOOK_SECRET and API_KEY are not set: /hook answers 503 until one is');
  if (env.hookAllowedCidrs.length === 0) log.warn({}, 'HOOK_ALLOWED_CIDRS is not set: every source may call railyard (set it to the proxynet subnet, where VPN clients arrive NATed, and loopback)');
  // A ping over node:http: dockerode (with gRPC, ssh2) loads with the first deploy, not at start.
  enginePing(env.dockerHost)(1000).catch((error: unknown) => {
    log.warn({ endpoint: ((error as RailyardError).data as { endpoint?: string } | undefined)?.endpoint }, 'Docker engine unreachable: railyard serves, and deploy runs fail with DOCKER_UNREACHABLE until it answers');
  });
}

async function shutdown(env: Env, log: Logger, http: HttpThread, schedules: LiveSchedules | undefined, started: StartedRunner, keeper: BlockKeeper): Promise<void> {
  log.info({ graceMs: env.shutdownGraceMs }, 'shutting down: no new requests, running jobs may finish');
  const closed = http.close();
  schedules?.stop();
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    started.runner.stop({ drain: true }).then(() => true),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), env.shutdownGraceMs);
    }),
  ]);
  clearTimeout(timer);
  if (!drained) log.warn({ graceMs: env.shutdownGraceMs }, 'grace period over: running jobs are interrupted and retried at the next start');
  await closed;
  // After the endpoint closed: a block accepted during the grace period is still applied.
  keeper.stop();
  await started.close({ drain: drained });
  log.info({}, 'railyard stopped');
}
