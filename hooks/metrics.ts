import type { ScheduleLag } from '../app/schedule-watch.ts';
import type { Schedules } from '../config/db-types.ts';
import type { Env } from '../config/env.ts';
import { NotificationStore } from '../pipeline/notification-store.ts';
import type { RunStore } from '../pipeline/run-store.ts';
import { blockMetricsText } from './block-metrics.ts';
import type { RequestContext } from './context.ts';
import type { PromMetrics } from './prom-metrics.ts';

/** How a webhook delivery ended. */
export type DeliveryResult = 'accepted' | 'duplicate' | 'ignored' | 'rejected' | 'invalid';

/** Events with their own label; anything else (attacker-chosen strings included) counts as `other`. */
const EVENTS = new Set(['push', 'workflow_job', 'ping', 'unverified']);
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
 * prom-client (with @opentelemetry/api, ~80 modules) loads at the first
 * scrape, not with the HTTP thread (issue 17 item 6: RSS at rest): deliveries
 * before it are tallied here and added then. Node's process metrics start
 * with it too (the GC and event-loop histograms cover the time since).
 */
export class Metrics {
  readonly #runTally = new Tally<{ id: number; pipeline: string; status: string; ms: number | null; finishedAt: number }>();
  readonly #notifyTally = new Tally<{ id: number; status: 'sent' | 'failed'; finishedAt: number }>();
  /** Deliveries counted before prom-client loaded, by `event` and `result`. */
  readonly #early = new Map<string, { event: string; result: DeliveryResult; count: number }>();
  #loading: Promise<PromMetrics> | undefined;
  #prom: PromMetrics | undefined;
  #notificationStore: NotificationStore | undefined;

  delivery(event: string, result: DeliveryResult): void {
    const labels = { event: EVENTS.has(event) ? event : 'other', result };
    if (this.#prom !== undefined) {
      this.#prom.deliveries.inc(labels);
      return;
    }
    const key = `${labels.event} ${result}`;
    const early = this.#early.get(key) ?? { ...labels, count: 0 };
    early.count += 1;
    this.#early.set(key, early);
  }

  /** The Content-Type of what render() returned (known once it has run). */
  get contentType(): string {
    if (this.#prom === undefined) throw new TypeError('Metrics.contentType is known after the first render()');
    return this.#prom.registry.contentType;
  }

  async render(store: RunStore, schedules: Schedules | undefined, env: Pick<Env, 'repoUrl'>, now = Date.now()): Promise<string> {
    // Loaded at the first scrape: it brings the drift check's render and diff code, which deliveries never need.
    const { scheduleLags } = await import('../app/schedule-watch.ts');
    const prom = await this.#load();
    for (const run of this.#runTally.fresh((since) => store.finishedSince(since))) {
      prom.runs.inc({ pipeline: run.pipeline, status: run.status });
      if (run.ms !== null) prom.durations.observe({ pipeline: run.pipeline }, run.ms / 1000);
    }
    this.#notificationStore ??= NotificationStore.open(store.file);
    const notifications = this.#notificationStore;
    for (const row of this.#notifyTally.fresh((since) => notifications.finishedSince(since))) prom.notifications.inc({ result: row.status });
    this.#gauges(prom, store, scheduleLags(schedules ?? {}, env, store, now));
    return prom.registry.metrics();
  }

  #load(): Promise<PromMetrics> {
    this.#loading ??= import('./prom-metrics.ts').then(({ promMetrics }) => {
      const prom = promMetrics();
      // In the same turn as #prom is set: no delivery falls between the two.
      for (const { event, result, count } of this.#early.values()) prom.deliveries.inc({ event, result }, count);
      this.#early.clear();
      this.#prom = prom;
      return prom;
    });
    return this.#loading;
  }

  #gauges(prom: PromMetrics, store: RunStore, lags: readonly ScheduleLag[]): void {
    const counts = store.countRuns();
    prom.retained.reset();
    for (const c of counts) prom.retained.set({ pipeline: c.pipeline, status: c.status }, c.count);
    prom.queued.set(counts.filter((c) => c.status === 'queued').reduce((sum, c) => sum + c.count, 0));
    prom.running.set(counts.filter((c) => c.status === 'running').reduce((sum, c) => sum + c.count, 0));
    prom.lastSuccess.reset();
    for (const s of store.lastSuccesses()) prom.lastSuccess.set({ pipeline: s.pipeline }, s.at / 1000);
    prom.lag.reset();
    for (const lag of lags) prom.lag.set({ schedule: lag.name }, lag.lagMs / 1000);
  }
}

/** `GET /metrics` (API key): Prometheus text. */
export async function serveMetrics(ctx: RequestContext): Promise<undefined> {
  const schedules = await ctx.config.db.current().then((config) => config.schedules, () => undefined);
  const text = (await ctx.deps.metrics.render(ctx.deps.store, schedules, ctx.config.env)) + (await blockMetricsText(ctx));
  ctx.res.writeHead(200, { 'content-type': ctx.deps.metrics.contentType, 'cache-control': 'no-store' });
  ctx.res.end(text);
  return undefined;
}
