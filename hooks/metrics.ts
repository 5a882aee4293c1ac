import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ScheduleLag } from '../app/schedule-watch.ts';
import type { Schedules } from '../config/db-types.ts';
import type { Env } from '../config/env.ts';
import { NotificationStore } from '../pipeline/notification-store.ts';
import type { RunStore } from '../pipeline/run-store.ts';
import { blockMetricsText } from './block-metrics.ts';
import type { RequestContext } from './context.ts';

/** How a webhook delivery ended. */
export type DeliveryResult = 'accepted' | 'duplicate' | 'ignored' | 'rejected' | 'invalid';

/** Events with their own label; anything else (attacker-chosen strings included) counts as `other`. */
const EVENTS = new Set(['push', 'workflow_job', 'ping', 'unverified']);
/** Upper bounds of the run-duration histogram, in seconds. */
export const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800];
/** A row may be committed a little after a later one finished: each scrape looks back this far, skipping what it counted. */
const LOOK_BACK_MS = 60_000;

/** Counts rows ending at or after a moving mark, each once, however the table is pruned later. */
class Tally<Row extends { id: number; finishedAt: number }> {
  #mark = 0;
  readonly #counted = new Map<number, number>();

  fresh(read: (since: number) => Row[]): Row[] {
    const rows = read(Math.max(0, this.#mark - LOOK_BACK_MS)).filter((row) => !this.#counted.has(row.id));
    for (const row of rows) {
      this.#counted.set(row.id, row.finishedAt);
      this.#mark = Math.max(this.#mark, row.finishedAt);
    }
    for (const [id, at] of this.#counted) if (at < this.#mark - 2 * LOOK_BACK_MS) this.#counted.delete(id);
    return rows;
  }
}

/**
 * `/metrics`, with prom-client. Counters only ever grow while the process
 * lives: finished runs and notifications are read from the store as they
 * appear (so runs of `railyard apply` count too) and added once, and pruning
 * old runs takes nothing away. Gauges describe the retained history and now.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly #runs = new Counter({ name: 'railyard_runs_finished_total', help: 'Runs that ended, by pipeline and status.', labelNames: ['pipeline', 'status'], registers: [this.registry] });
  readonly #durations = new Histogram({ name: 'railyard_run_duration_seconds', help: 'Duration of runs that ended after starting.', labelNames: ['pipeline'], buckets: DURATION_BUCKETS, registers: [this.registry] });
  readonly #deliveries = new Counter({ name: 'railyard_webhook_deliveries_total', help: 'Webhook deliveries since start, by event and result.', labelNames: ['event', 'result'], registers: [this.registry] });
  readonly #notifications = new Counter({ name: 'railyard_notifications_total', help: 'Notifications delivered (sent) or given up (failed).', labelNames: ['result'], registers: [this.registry] });
  readonly #retained = new Gauge({ name: 'railyard_runs', help: 'Runs in the retained history, by pipeline and status.', labelNames: ['pipeline', 'status'], registers: [this.registry] });
  readonly #queued = new Gauge({ name: 'railyard_queue_depth', help: 'Runs queued and not started yet.', registers: [this.registry] });
  readonly #running = new Gauge({ name: 'railyard_runs_running', help: 'Runs running now.', registers: [this.registry] });
  readonly #lastSuccess = new Gauge({ name: 'railyard_last_success_timestamp_seconds', help: 'When each pipeline last succeeded (Unix time).', labelNames: ['pipeline'], registers: [this.registry] });
  readonly #lag = new Gauge({ name: 'railyard_schedule_lag_seconds', help: 'How long past its due tick each schedule is without a success (0: on time).', labelNames: ['schedule'], registers: [this.registry] });
  readonly #runTally = new Tally<{ id: number; pipeline: string; status: string; ms: number | null; finishedAt: number }>();
  readonly #notifyTally = new Tally<{ id: number; status: 'sent' | 'failed'; finishedAt: number }>();
  #notificationStore: NotificationStore | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  delivery(event: string, result: DeliveryResult): void {
    this.#deliveries.inc({ event: EVENTS.has(event) ? event : 'other', result });
  }

  async render(store: RunStore, schedules: Schedules | undefined, env: Pick<Env, 'repoUrl'>, now = Date.now()): Promise<string> {
    // Loaded at the first scrape: it brings the drift check's render and diff code, which deliveries never need.
    const { scheduleLags } = await import('../app/schedule-watch.ts');
    for (const run of this.#runTally.fresh((since) => store.finishedSince(since))) {
      this.#runs.inc({ pipeline: run.pipeline, status: run.status });
      if (run.ms !== null) this.#durations.observe({ pipeline: run.pipeline }, run.ms / 1000);
    }
    this.#notificationStore ??= NotificationStore.open(store.file);
    const notifications = this.#notificationStore;
    for (const row of this.#notifyTally.fresh((since) => notifications.finishedSince(since))) this.#notifications.inc({ result: row.status });
    this.#gauges(store, scheduleLags(schedules ?? {}, env, store, now));
    return this.registry.metrics();
  }

  #gauges(store: RunStore, lags: readonly ScheduleLag[]): void {
    const counts = store.countRuns();
    this.#retained.reset();
    for (const c of counts) this.#retained.set({ pipeline: c.pipeline, status: c.status }, c.count);
    this.#queued.set(counts.filter((c) => c.status === 'queued').reduce((sum, c) => sum + c.count, 0));
    this.#running.set(counts.filter((c) => c.status === 'running').reduce((sum, c) => sum + c.count, 0));
    this.#lastSuccess.reset();
    for (const s of store.lastSuccesses()) this.#lastSuccess.set({ pipeline: s.pipeline }, s.at / 1000);
    this.#lag.reset();
    for (const lag of lags) this.#lag.set({ schedule: lag.name }, lag.lagMs / 1000);
  }
}

/** `GET /metrics` (API key): Prometheus text. */
export async function serveMetrics(ctx: RequestContext): Promise<undefined> {
  const schedules = await ctx.config.db.current().then((config) => config.schedules, () => undefined);
  const text = (await ctx.deps.metrics.render(ctx.deps.store, schedules, ctx.config.env)) + (await blockMetricsText(ctx));
  ctx.res.writeHead(200, { 'content-type': ctx.deps.metrics.registry.contentType, 'cache-control': 'no-store' });
  ctx.res.end(text);
  return undefined;
}
