import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Upper bounds of the run-duration histogram, in seconds. */
export const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800];

/** railyard's Prometheus families in their own registry, with Node's process metrics (metrics.ts loads this at the first scrape). */
export function promMetrics() {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    runs: new Counter({ name: 'railyard_runs_finished_total', help: 'Runs that ended, by pipeline and status.', labelNames: ['pipeline', 'status'], registers }),
    durations: new Histogram({ name: 'railyard_run_duration_seconds', help: 'Duration of runs that ended after starting.', labelNames: ['pipeline'], buckets: DURATION_BUCKETS, registers }),
    deliveries: new Counter({ name: 'railyard_webhook_deliveries_total', help: 'Webhook deliveries since start, by event and result.', labelNames: ['event', 'result'], registers }),
    notifications: new Counter({ name: 'railyard_notifications_total', help: 'Notifications delivered (sent) or given up (failed).', labelNames: ['result'], registers }),
    retained: new Gauge({ name: 'railyard_runs', help: 'Runs in the retained history, by pipeline and status.', labelNames: ['pipeline', 'status'], registers }),
    queued: new Gauge({ name: 'railyard_queue_depth', help: 'Runs queued and not started yet.', registers }),
    running: new Gauge({ name: 'railyard_runs_running', help: 'Runs running now.', registers }),
    lastSuccess: new Gauge({ name: 'railyard_last_success_timestamp_seconds', help: 'When each pipeline last succeeded (Unix time).', labelNames: ['pipeline'], registers }),
    lag: new Gauge({ name: 'railyard_schedule_lag_seconds', help: 'How long past its due tick each schedule is without a success (0: on time).', labelNames: ['schedule'], registers }),
  };
}

export type PromMetrics = ReturnType<typeof promMetrics>;
