import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metrics } from '../../hooks/metrics.ts';
import { NotificationStore } from '../../pipeline/notification-store.ts';
import { RunStore, storePath } from '../../pipeline/run-store.ts';
import { tempRoot } from '../helpers/runner.ts';

const value = (text: string, sample: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? NaN : Number(line.slice(sample.length + 1));
};

function finishRuns(store: RunStore, n: number, status: 'succeeded' | 'failed' = 'succeeded'): void {
  for (let i = 0; i < n; i++) {
    const id = store.insertRun({ pipeline: 'deploy', project: 'app', service: undefined, trigger: { kind: 'cli' }, commit: undefined, configHash: undefined });
    store.startRun(id);
    store.finishRun(id, status);
  }
}

describe('/metrics', () => {
  it('counters and the duration histogram never go down when old runs are pruned; notifications and process metrics are there', async () => {
    const root = await tempRoot('railyard-metrics-');
    const store = RunStore.open(storePath(root));
    const notifications = NotificationStore.open(storePath(root));
    const metrics = new Metrics();
    try {
      finishRuns(store, 5);
      finishRuns(store, 2, 'failed');
      const sent = notifications.insert({ event: 'failed', runId: undefined, project: 'app', service: undefined, scope: 's', dedupeKey: 'k', targetId: 't', target: 'http://x/***', type: 'json', body: {}, status: 'pending' });
      notifications.attempted(sent, 'sent', undefined);
      const first = await metrics.render(store, undefined, { repoUrl: undefined });
      const samples = ['railyard_runs_finished_total{pipeline="deploy",status="succeeded"}', 'railyard_run_duration_seconds_count{pipeline="deploy"}', 'railyard_run_duration_seconds_bucket{le="1",pipeline="deploy"}'];
      assert.deepEqual(samples.map((s) => value(first, s)), [5, 7, 7]);
      assert.equal(value(first, 'railyard_notifications_total{result="sent"}'), 1);
      assert.equal(value(first, 'railyard_runs{pipeline="deploy",status="succeeded"}'), 5);
      assert.match(first, /^process_resident_memory_bytes \d+/m);

      assert.equal(store.prune({ keepDays: 30, keep: 1 }).runs, 6);
      const pruned = await metrics.render(store, undefined, { repoUrl: undefined });
      assert.deepEqual(samples.map((s) => value(pruned, s)), [5, 7, 7], 'a prune takes nothing from the counters');
      assert.equal(value(pruned, 'railyard_runs{pipeline="deploy",status="failed"}'), 1, 'the retained-history gauge does drop');

      finishRuns(store, 3);
      const later = await metrics.render(store, undefined, { repoUrl: undefined });
      assert.deepEqual(samples.map((s) => value(later, s)), [8, 10, 10]);
    } finally {
      notifications.close();
      store.close();
    }
  });

  it('deliveries counted before the first scrape (prom-client not loaded yet) are in it, and later ones add to them', async () => {
    const root = await tempRoot('railyard-metrics-');
    const store = RunStore.open(storePath(root));
    const metrics = new Metrics();
    try {
      for (let i = 0; i < 3; i++) metrics.delivery('push', 'accepted');
      metrics.delivery('an-attacker-string', 'rejected');
      const first = await metrics.render(store, undefined, { repoUrl: undefined });
      assert.equal(value(first, 'railyard_webhook_deliveries_total{event="push",result="accepted"}'), 3);
      assert.equal(value(first, 'railyard_webhook_deliveries_total{event="other",result="rejected"}'), 1);
      assert.match(metrics.contentType, /^text\/plain/);
      metrics.delivery('push', 'accepted');
      const later = await metrics.render(store, undefined, { repoUrl: undefined });
      assert.equal(value(later, 'railyard_webhook_deliveries_total{event="push",result="accepted"}'), 4);
    } finally {
      store.close();
    }
  });

  it('schedule lag: how long a schedule is past its due tick without a success', async () => {
    const root = await tempRoot('railyard-metrics-');
    const store = RunStore.open(storePath(root));
    const metrics = new Metrics();
    try {
      const id = store.insertRun({ pipeline: 'backup', project: '*', service: undefined, trigger: { kind: 'schedule' }, commit: undefined, configHash: undefined });
      store.startRun(id);
      store.finishRun(id, 'succeeded');
      const started = store.getRun(id)!.startedAt!;
      const nextTick = Math.floor(started / 3_600_000) * 3_600_000 + 3_600_000;
      const onTime = await metrics.render(store, { backup: '0 * * * *' }, { repoUrl: undefined }, nextTick - 1000);
      assert.equal(value(onTime, 'railyard_schedule_lag_seconds{schedule="backup"}'), 0);
      const late = await metrics.render(store, { backup: '0 * * * *' }, { repoUrl: undefined }, nextTick + 90_000);
      assert.equal(value(late, 'railyard_schedule_lag_seconds{schedule="backup"}'), 90);
    } finally {
      store.close();
    }
  });
});
