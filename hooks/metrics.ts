import type { RunStore } from '../pipeline/run-store.ts';
import { blockMetricsText } from './block-metrics.ts';
import type { RequestContext } from './context.ts';

/** How a webhook delivery ended. */
export type DeliveryResult = 'accepted' | 'duplicate' | 'ignored' | 'rejected' | 'invalid';

/** Events with their own label; anything else (attacker-chosen strings included) counts as `other`. */
const EVENTS = new Set(['push', 'workflow_job', 'ping', 'unverified']);
/** Upper bounds of the run-duration histogram, in seconds. */
export const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800];

/**
 * Prometheus text for `GET /metrics`. Run figures are read from the store at
 * each scrape (so runs of `railyard apply` count too); they cover the retained
 * history (RUNS_KEEP, RUNS_KEEP_DAYS). Deliveries are counted in this process.
 */
export class Metrics {
  readonly #deliveries = new Map<string, number>();

  delivery(event: string, result: DeliveryResult): void {
    const key = `${EVENTS.has(event) ? event : 'other'}\t${result}`;
    this.#deliveries.set(key, (this.#deliveries.get(key) ?? 0) + 1);
  }

  render(store: RunStore): string {
    const counts = store.countRuns();
    const lines = [
      ...family('railyard_runs', 'gauge', 'Runs in the retained history, by pipeline and status.',
        counts.map((c) => [{ pipeline: c.pipeline, status: c.status }, c.count])),
      ...family('railyard_queue_depth', 'gauge', 'Runs queued and not started yet.',
        [[{}, counts.filter((c) => c.status === 'queued').reduce((sum, c) => sum + c.count, 0)]]),
      ...family('railyard_runs_running', 'gauge', 'Runs running now.',
        [[{}, counts.filter((c) => c.status === 'running').reduce((sum, c) => sum + c.count, 0)]]),
      ...histogram(store.runDurations()),
      ...family('railyard_webhook_deliveries_total', 'counter', 'Webhook deliveries since start, by event and result.',
        [...this.#deliveries].map(([key, n]) => {
          const [event = '', result = ''] = key.split('\t');
          return [{ event, result }, n];
        })),
      ...family('railyard_last_success_timestamp_seconds', 'gauge', 'When each pipeline last succeeded (Unix time).',
        store.lastSuccesses().map((s) => [{ pipeline: s.pipeline }, s.at / 1000])),
    ];
    return `${lines.join('\n')}\n`;
  }
}

/** `GET /metrics` (API key): Prometheus text. */
export async function serveMetrics(ctx: RequestContext): Promise<undefined> {
  const text = ctx.deps.metrics.render(ctx.deps.store) + (await blockMetricsText(ctx));
  ctx.res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' });
  ctx.res.end(text);
  return undefined;
}

type Sample = readonly [Readonly<Record<string, string>>, number];

function family(name: string, type: string, help: string, samples: readonly Sample[]): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples.map(([labels, value]) => `${name}${labelText(labels)} ${value}`)];
}

function histogram(durations: readonly { pipeline: string; ms: number }[]): string[] {
  const name = 'railyard_run_duration_seconds';
  const byPipeline = new Map<string, number[]>();
  for (const d of durations) {
    const list = byPipeline.get(d.pipeline) ?? [];
    list.push(d.ms / 1000);
    byPipeline.set(d.pipeline, list);
  }
  const lines = [`# HELP ${name} Duration of finished runs in the retained history.`, `# TYPE ${name} histogram`];
  for (const [pipeline, seconds] of [...byPipeline].sort(([a], [b]) => a.localeCompare(b))) {
    for (const le of [...DURATION_BUCKETS, Infinity]) {
      const count = seconds.filter((s) => s <= le).length;
      lines.push(`${name}_bucket${labelText({ pipeline, le: le === Infinity ? '+Inf' : String(le) })} ${count}`);
    }
    lines.push(`${name}_sum${labelText({ pipeline })} ${seconds.reduce((a, b) => a + b, 0)}`);
    lines.push(`${name}_count${labelText({ pipeline })} ${seconds.length}`);
  }
  return lines;
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}
