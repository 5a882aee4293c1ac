import { createHash } from 'node:crypto';
import type { Notification } from '../config/db-types.ts';
import type { Env } from '../config/env.ts';
import type { Logger } from '../core/logger.ts';
import type { NotificationRecord, NotificationStore } from '../pipeline/notification-store.ts';
import type { RunOutcome } from '../pipeline/run-pipeline.ts';
import type { RunRecord } from '../pipeline/run-record.ts';
import type { RunStore } from '../pipeline/run-store.ts';
import { parseDuration } from '../runtime/duration.ts';
import { notificationBody, type NotificationBody } from '../steps/notify/body.ts';
import { maskUrl } from '../steps/notify/mask-url.ts';
import { notifyRequest } from '../steps/notify/request.ts';
import { deliver, type AttemptResult } from '../steps/notify/send.ts';
import type { NotifyConfig } from './notify-config.ts';
import { familyOf, familyPipelines, runEvents, type NotifyEvent } from './notify-events.ts';
import { missedSchedules } from './schedule-watch.ts';

export interface NotifierOptions {
  readonly env: Env;
  readonly log: Logger;
  readonly store: NotificationStore;
  /** Last successes, for missed schedules. */
  readonly runs: Pick<RunStore, 'lastSucceeded' | 'firstRunAt'>;
  /** db.yml's notifications and schedules, current. */
  readonly config: () => Promise<NotifyConfig>;
  /** How often schedules are checked for a missed one; 0 never (tests call checkSchedules). @default 60000 */
  readonly scheduleCheckMs?: number;
  /** Prune old rows at construction; false when the store is busy (the next start prunes). @default true */
  readonly pruneAtStart?: boolean;
  /** Told of each final delivery result (metrics). */
  readonly onResult?: (result: AttemptResult) => void;
}

/** Identifies a target across restarts without storing its URL (which holds its token). */
export const targetId = (url: string): string => createHash('sha256').update(url).digest('hex').slice(0, 16);

/**
 * Sends db.yml's `notifications:` (issue 14). Everything happens off the
 * runner's path: `runFinished` only starts work, and deliveries run with
 * their own time limits, so a receiver that hangs or fails never delays or
 * fails a run. Each notification is a row in the store, updated per attempt.
 */
export class Notifier {
  readonly #options: NotifierOptions;
  readonly #stop = new AbortController();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #timer: NodeJS.Timeout | undefined;

  constructor(options: NotifierOptions) {
    this.#options = options;
    // Rows are kept as long as runs are (RUNS_KEEP_DAYS). Best effort: a store
    // another process keeps locked must not stop serve from starting.
    if (options.pruneAtStart !== false) {
      try {
        options.store.prune(Date.now() - options.env.runsKeepDays * 86_400_000);
      } catch (error) {
        options.log.warn({ err: error }, 'old notifications not pruned (the run store did not answer)');
      }
    }
    const every = options.scheduleCheckMs ?? 60_000;
    if (every > 0) this.#timer = setInterval(() => this.#track(this.checkSchedules()), every).unref();
  }

  /** A run finished (Runner's onFinished): returns at once. */
  runFinished(run: RunRecord, outcome: RunOutcome): void {
    this.#track((async () => {
      const family = familyOf(run.pipeline);
      const previous = this.#options.store.previousOutcome(run.project, familyPipelines(family), run.id);
      for (const event of runEvents(run, outcome, previous)) await this.notify(event);
    })());
  }

  /** Sends a `schedule-missed` for each schedule whose last success is older than two periods. */
  async checkSchedules(now = Date.now()): Promise<void> {
    const config = await this.#options.config();
    for (const event of missedSchedules(config.schedules, this.#options.env, this.#options.runs, now)) await this.notify(event, now);
  }

  /** The newest notifications, as stored (targets masked). */
  history(limit = 50): NotificationRecord[] {
    return this.#options.store.list(limit);
  }

  /** Records the event for every target that asked for it and starts the deliveries (not awaited). */
  async notify(event: NotifyEvent, now = Date.now()): Promise<void> {
    const { notifications } = await this.#options.config();
    const body = this.#body(event);
    for (const target of notifications) {
      if (!event.matches.some((m) => target.events.includes(m))) continue;
      this.#enqueue(target, event, body, now);
    }
  }

  /** Sends one test notification to every target and waits for each result (`railyard notify test`). */
  async test(notifications: readonly Notification[]): Promise<{ target: string; type: string; result: AttemptResult }[]> {
    const body = notificationBody({
      event: 'test', runId: null, pipeline: null, project: '*', service: null, commit: null, step: null, code: null,
      message: 'railyard notify test: this target is configured and reachable', url: this.#options.env.publicUrl,
    });
    return Promise.all(notifications.map(async (target) => {
      const id = this.#insert(target, { scope: 'test', dedupeKey: 'test', event: 'test', runId: undefined, project: '*', service: undefined }, body, 'pending');
      return { target: maskUrl(target.url), type: target.type, result: await this.#send(id, target, body) };
    }));
  }

  /** Delivers what a previous process left pending, to targets still in db.yml. */
  async resume(): Promise<void> {
    const { notifications } = await this.#options.config();
    const byId = new Map(notifications.map((n) => [targetId(n.url), n]));
    for (const row of this.#options.store.pending()) {
      const target = byId.get(row.targetId);
      if (target === undefined) this.#options.store.giveUp(row.id, 'the target is no longer in db.yml');
      else this.#track(this.#send(row.id, target, row.body as NotificationBody));
    }
  }

  /** Resolves when every delivery started so far has its final result. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /**
   * Stops: deliveries under way get `graceMs` to finish (a short-lived
   * `railyard apply` still sends its run's notification), then are aborted and
   * recorded as failed.
   */
  async close(graceMs = this.#options.env.notify.timeoutMs): Promise<void> {
    clearInterval(this.#timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    this.#stop.abort();
    await this.idle();
  }

  #enqueue(target: Notification, event: NotifyEvent, body: NotificationBody, now: number): void {
    const { store, log } = this.#options;
    const dedupeKey = [event.event, event.scope, event.service ?? '', event.code ?? ''].join('|');
    const repeat = event.suppressible && store.isRepeat(targetId(target.url), dedupeKey, event.scope, parseDuration(target.repeat_interval), now);
    const row = { scope: event.scope, dedupeKey, event: event.event, runId: event.run?.id, project: event.project, service: event.service };
    const id = this.#insert(target, row, body, repeat ? 'suppressed' : 'pending', now);
    if (repeat) {
      log.info({ notification: id, event: event.event, project: event.project, target: maskUrl(target.url) }, 'notification suppressed: a repeat within repeat_interval');
      return;
    }
    this.#track(this.#send(id, target, body));
  }

  #insert(target: Notification, row: { scope: string; dedupeKey: string; event: string; runId: string | undefined; project: string; service: string | undefined }, body: NotificationBody, status: 'pending' | 'suppressed', now = Date.now()): string {
    return this.#options.store.insert({ ...row, targetId: targetId(target.url), target: maskUrl(target.url), type: target.type, body, status }, now);
  }

  async #send(id: string, target: Notification, body: NotificationBody): Promise<AttemptResult> {
    const { env, store, log } = this.#options;
    const masked = maskUrl(target.url);
    const result = await deliver(notifyRequest(target, body), {
      ...env.notify, signal: this.#stop.signal,
      onAttempt: (attempt, last) => {
        store.attempted(id, attempt.ok ? 'sent' : last ? 'failed' : 'pending', attempt.ok ? undefined : attempt.error);
        if (!attempt.ok && !last) log.warn({ notification: id, target: masked, error: attempt.error }, 'notification attempt failed: retrying');
      },
    });
    if (result.ok) log.info({ notification: id, event: body.event, target: masked, status: result.status }, 'notification sent');
    else log.error({ notification: id, event: body.event, target: masked, error: result.error }, 'notification not delivered');
    this.#options.onResult?.(result);
    return result;
  }

  #body(event: NotifyEvent): NotificationBody {
    const { run } = event;
    return notificationBody({
      event: event.event, runId: run?.id ?? null, pipeline: run?.pipeline ?? null, project: event.project, service: event.service ?? null,
      commit: run?.commit ?? null, step: event.step ?? null, code: event.code ?? null, message: event.message ?? null,
      url: run === undefined ? `${this.#options.env.publicUrl}/` : `${this.#options.env.publicUrl}/runs/${run.id}`,
    });
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) => this.#options.log.error({ err: error }, 'notification failed unexpectedly'));
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
  }
}
