import type { Env } from '../config/env.ts';
import { lazyClients } from '../runtime/docker.ts';
import type { Logger } from '../core/logger.ts';
import { PIPELINES } from './pipelines.ts';
import type { PipelineRegistry } from '../pipeline/registry.ts';
import { acquireRunnerLock } from '../pipeline/runner-lock.ts';
import { RunStore, storePath } from '../pipeline/run-store.ts';
import { Runner } from '../pipeline/runner.ts';
import type { Clients } from '../runtime/docker.ts';
import { locateDb, type DbLocation } from '../config/stack.ts';
import { NotificationStore } from '../pipeline/notification-store.ts';
import { Notifier, type NotifierOptions } from './notifier.ts';
import { notifyConfigSource } from './notify-config.ts';

export interface StartRunnerOptions {
  readonly env: Env;
  readonly log: Logger;
  /** @default PIPELINES */
  readonly pipelines?: PipelineRegistry;
  /** @default a dockerode client for DOCKER_HOST */
  readonly clients?: Clients;
  readonly logDestination?: NodeJS.WritableStream;
  /** The db.yml whose `notifications:` are sent. @default locateDb(env) */
  readonly db?: DbLocation;
  /** Notifier settings (tests: a faster schedule check). */
  readonly notifier?: Pick<NotifierOptions, 'scheduleCheckMs' | 'onResult'>;
}

export interface StartedRunner {
  readonly runner: Runner;
  readonly store: RunStore;
  readonly notifier: Notifier;
  /** Stops the runner (see Runner.stop), closes the store and releases the lock. */
  close(options?: { readonly drain?: boolean }): Promise<void>;
}

/**
 * What `railyard worker`, `apply` and `serve` start: checks every step's
 * environment, takes the stack's runner lock, opens the store, recovers
 * interrupted runs and starts the queue. Undefined when another process
 * already runs this stack (queue through the store instead: enqueueDurably).
 */
export function startRunner(options: StartRunnerOptions): StartedRunner | undefined {
  const { env, log } = options;
  const pipelines = options.pipelines ?? PIPELINES;
  pipelines.check(env);
  const lock = acquireRunnerLock(env.root);
  if (lock === undefined) return undefined;
  let store: RunStore | undefined;
  let notifications: NotificationStore | undefined;
  try {
    store = RunStore.open(storePath(env.root));
    notifications = NotificationStore.open(storePath(env.root));
    const clients = options.clients ?? lazyClients(env.dockerHost);
    let notifier: Notifier | undefined;
    const runner = new Runner({
      env, store, pipelines, clients, log, onFinished: (run, outcome) => notifier?.runFinished(run, outcome),
      ...(options.logDestination !== undefined && { logDestination: options.logDestination }),
    });
    runner.start(); // runs end asynchronously: the notifier is there before the first one does
    notifier = new Notifier({
      env, log, store: notifications, runs: store, pruneAtStart: !runner.storeBusy, ...options.notifier,
      config: notifyConfigSource(env, options.db ?? locateDb(env), log),
    });
    void notifier.resume().catch((error: unknown) => log.error({ err: error }, 'pending notifications not resumed'));
    const opened = store;
    const openedNotifications = notifications;
    return {
      runner,
      store: opened,
      notifier,
      async close(closeOptions = {}) {
        await runner.stop(closeOptions);
        await notifier.close();
        openedNotifications.close();
        opened.close();
        lock.release();
      },
    };
  } catch (error) {
    notifications?.close();
    store?.close();
    lock.release();
    throw error;
  }
}
