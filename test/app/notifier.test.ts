import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { startRunner, type StartedRunner } from '../../app/start-runner.ts';
import { loadEnv } from '../../config/env.ts';
import { locateDb } from '../../config/stack.ts';
import { createLogger } from '../../core/logger.ts';
import type { ErrorCode } from '../../core/errors.ts';
import { createPipeline } from '../../pipeline/pipeline.ts';
import { createRegistry } from '../../pipeline/registry.ts';
import type { Step } from '../../pipeline/types.ts';
import { waitForRun } from '../../pipeline/wait-for-run.ts';
import { startReceiver, type Receiver } from '../helpers/notify-receivers.ts';
import { lineSink, tempRoot, until } from '../helpers/runner.ts';

// A deploy whose one step fails with the code its trigger names, or succeeds.
const act: Step<'act', string> = {
  name: 'act',
  async run(ctx) {
    const code = ctx.trigger.meta?.['fail'];
    if (typeof code === 'string') throw ctx.fail(code as ErrorCode, `it failed with ${code}`);
    return 'done';
  },
};
const pipelines = createRegistry([createPipeline('deploy', [act]), createPipeline('backup', [act], { scope: 'stack' })]);
const TOKEN = 'T0KEN-s3cret-9f8e7d';

interface Stack {
  readonly started: StartedRunner;
  readonly lines: string[];
  deploy(fail?: string, project?: string): Promise<string>;
}

async function stack(notifications: string, environ: Record<string, string> = {}): Promise<Stack> {
  const root = await tempRoot('railyard-notify-');
  writeFileSync(join(root, 'db.yml'), `projects:\n  - name: web\n    services:\n      - host: app\n        image: busybox\nnotifications:\n${notifications}`);
  const env = loadEnv({ root, environ: { NOTIFY_TIMEOUT: '1', NOTIFY_BACKOFF_MS: '50', NOTIFY_ATTEMPTS: '3', ...environ } });
  const { stream, lines } = lineSink();
  const log = createLogger({ level: 'info', destination: stream, pretty: false });
  const started = startRunner({ env, log, pipelines, db: locateDb(env), logDestination: stream, notifier: { scheduleCheckMs: 0 } })!;
  return {
    started, lines,
    async deploy(fail, project = 'web') {
      const meta = fail === undefined ? {} : { fail };
      const { runId } = started.runner.trigger({ pipeline: 'deploy', project, trigger: { kind: 'cli', meta } });
      await waitForRun(started.store, runId);
      return runId;
    },
  };
}

const bodies = (r: Receiver): Record<string, unknown>[] => r.received.map((x) => JSON.parse(x.body) as Record<string, unknown>);

describe('notifications', () => {
  const receivers: Receiver[] = [];
  const stacks: Stack[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>): Promise<Receiver> => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };
  const open = async (...args: Parameters<typeof stack>): Promise<Stack> => {
    const s = await stack(...args);
    stacks.push(s);
    return s;
  };
  after(async () => {
    await Promise.all(stacks.map((s) => s.started.close({ drain: true })));
    await Promise.all(receivers.map((r) => r.close()));
  });

  it('a failure is sent with the documented body, its repeat suppressed, the recovery always sent, then the next failure again', async () => {
    const hook = await receiver();
    const s = await open(`  - url: ${hook.url}hooks/${TOKEN}\n    events: [failed, recovered]\n`);
    const failed = await s.deploy('COMPOSE_FAILED');
    await s.started.notifier.idle();
    assert.deepEqual(bodies(hook).map((b) => b['event']), ['failed']);
    const body = bodies(hook)[0]!;
    assert.deepEqual(Object.keys(body).sort(), ['at', 'code', 'commit', 'event', 'message', 'pipeline', 'project', 'runId', 'service', 'step', 'text', 'url'].sort());
    assert.equal(body['runId'], failed);
    assert.equal(body['step'], 'act');
    assert.equal(body['code'], 'COMPOSE_FAILED');
    assert.equal(body['project'], 'web');
    assert.equal(body['url'], `http://localhost:8888/runs/${failed}`);

    await s.deploy('COMPOSE_FAILED'); // the same failure within the hour: suppressed
    await s.started.notifier.idle();
    assert.equal(hook.received.length, 1);
    await s.deploy(); // recovered: sent although within the hour
    await s.started.notifier.idle();
    await s.deploy(); // a plain success: not subscribed
    await s.deploy('COMPOSE_FAILED'); // a failure after the recovery: sent again
    await s.started.notifier.idle();
    assert.deepEqual(bodies(hook).map((b) => b['event']), ['failed', 'recovered', 'failed']);
    assert.ok(s.lines.some((l) => l.includes('notification suppressed')));
    assert.ok(!s.lines.some((l) => l.includes(TOKEN)), 'the URL token never reaches a log line');
  });

  it('a receiver answering 500 is retried with backoff up to NOTIFY_ATTEMPTS, then given up; one that redirects is not followed', async () => {
    const failing = await receiver(500);
    const target = await receiver();
    const redirecting = await receiver(307, { location: `${target.url}elsewhere` });
    const s = await open(`  - url: ${failing.url}a\n  - url: ${redirecting.url}b\n`);
    await s.deploy('COMPOSE_FAILED');
    await s.started.notifier.idle();
    assert.equal(failing.received.length, 3);
    const gaps = failing.received.slice(1).map((r, i) => r.at - failing.received[i]!.at);
    assert.ok(gaps[0]! >= 45 && gaps[1]! >= 95, `backoff doubles: ${gaps.join(', ')} ms`);
    assert.equal(redirecting.received.length, 1, 'a redirect is a final answer: no retry');
    assert.equal(target.received.length, 0, 'the redirect is not followed');
    const rows = s.lines.filter((l) => l.includes('notification not delivered')).map((l) => JSON.parse(l) as { target: string; error: string });
    assert.deepEqual(rows.map((r) => r.error).sort(), ['HTTP 307: redirects are not followed; configure the URL it points to', 'HTTP 500']);
    assert.deepEqual(rows.map((r) => r.target).sort(), [`${failing.url}***`, `${redirecting.url}***`].sort());
  });

  it('a receiver that hangs never delays a run: the runner is idle while the notification still waits for its timeout', async () => {
    const hanging = await receiver('hang');
    const s = await open(`  - url: ${hanging.url}x\n    events: [failed, succeeded]\n`, { NOTIFY_TIMEOUT: '2', NOTIFY_ATTEMPTS: '1' });
    const started = Date.now();
    await s.deploy('COMPOSE_FAILED');
    await s.deploy();
    await s.started.runner.onIdle();
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 1500, `two runs took ${elapsed} ms with a hanging receiver (timeout 2 s)`);
    await until(() => hanging.received.length === 2, 2000, 'both notifications attempted');
    const waited = Date.now();
    await s.started.notifier.idle();
    assert.ok(Date.now() - waited >= 1000, 'the deliveries waited for their own timeouts');
    const errors = s.lines.filter((l) => l.includes('notification not delivered')).map((l) => (JSON.parse(l) as { error: string }).error);
    assert.deepEqual(errors, ['no answer within 2000 ms', 'no answer within 2000 ms']);
  });

  it('a rollback goes to rolled-back and failed targets, shaped for Slack and ntfy; a backup failure is backup-failed', async () => {
    const slack = await receiver();
    const ntfy = await receiver();
    const json = await receiver();
    const s = await open([
      `  - url: ${slack.url}services/T1/B2/${TOKEN}\n    type: slack\n    events: [rolled-back]\n`,
      `  - url: ${ntfy.url}${TOKEN}\n    type: ntfy\n    priority: 5\n    tags: [rotating_light]\n`,
      `  - url: ${json.url}j\n    events: [backup-failed]\n`,
    ].join(''));
    const runId = await s.deploy('ROLLOUT_UNHEALTHY');
    const { runId: backupId } = s.started.runner.trigger({ pipeline: 'backup', project: '*', trigger: { kind: 'cli', meta: { fail: 'BACKUP_UPLOAD_FAILED' } } });
    await waitForRun(s.started.store, backupId);
    await s.started.notifier.idle();
    assert.equal(slack.received.length, 1, 'slack asked for rolled-back only');
    const text = (JSON.parse(slack.received[0]!.body) as { text: string }).text;
    assert.match(text, new RegExp(`^railyard: web rolled back \\(deploy #${runId}\\) — act: ROLLOUT_UNHEALTHY: .* <http://localhost:8888/runs/${runId}\\|open the run>$`));
    assert.deepEqual(ntfy.received.map((r) => [r.headers['title'], r.headers['priority'], r.headers['tags'], r.headers['click']]), [
      ['railyard rolled-back: web', '5', 'rotating_light', `http://localhost:8888/runs/${runId}`],
      ['railyard backup-failed: stack', '5', 'rotating_light', `http://localhost:8888/runs/${backupId}`],
    ]);
    assert.match(ntfy.received[0]!.body, /ROLLOUT_UNHEALTHY/);
    assert.deepEqual(bodies(json).map((b) => [b['event'], b['code']]), [['backup-failed', 'BACKUP_UPLOAD_FAILED']]);
    const rows = s.started.notifier.history();
    assert.deepEqual(rows.map((r) => [r.event, r.target, r.status, r.attempts]).reverse(), [
      ['rolled-back', `${slack.url}services/***`, 'sent', 1],
      ['rolled-back', `${ntfy.url}***`, 'sent', 1],
      ['backup-failed', `${ntfy.url}***`, 'sent', 1],
      ['backup-failed', `${json.url}***`, 'sent', 1],
    ]);
    assert.ok(!JSON.stringify(rows).includes(TOKEN), 'the store never holds the URL token');
  });

  it('a schedule whose last success is older than two periods is reported once per repeat_interval', async () => {
    const hook = await receiver();
    const s = await open(`  - url: ${hook.url}dead-man\n    repeat_interval: 30m\n`);
    writeFileSync(join(s.started.store.file, '..', '..', 'db.yml'), `schedules:\n  backup: '0 * * * *'\nprojects: []\nnotifications:\n  - url: ${hook.url}dead-man\n    repeat_interval: 30m\n`);
    const { runId } = s.started.runner.trigger({ pipeline: 'backup', project: '*', trigger: { kind: 'schedule' } });
    const last = await waitForRun(s.started.store, runId);
    const since = last.startedAt!;
    const hour = 3_600_000;
    await s.started.notifier.checkSchedules(since + hour); // one period: not yet
    await s.started.notifier.idle();
    assert.equal(hook.received.length, 0);
    await s.started.notifier.checkSchedules(since + 2 * hour + 1);
    await s.started.notifier.checkSchedules(since + 2 * hour + 10 * 60_000); // within 30m of the first: suppressed
    await s.started.notifier.idle();
    assert.deepEqual(bodies(hook).map((b) => [b['event'], b['code'], b['project']]), [['schedule-missed', 'SCHEDULE_MISSED', '*']]);
    await s.started.notifier.checkSchedules(since + 2 * hour + 31 * 60_000); // past repeat_interval: sent again
    await s.started.notifier.idle();
    assert.equal(hook.received.length, 2);
    assert.deepEqual(s.started.notifier.history().map((r) => r.status), ['sent', 'suppressed', 'sent']);
    assert.match(String(bodies(hook)[0]!['message']), /^schedule backup \(0 \* \* \* \*\) has not succeeded since /);
  });
});
