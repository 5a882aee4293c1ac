import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { startReceiver, type Receiver } from '../helpers/notify-receivers.ts';

const BIN = new URL('../../bin/railyard.js', import.meta.url).pathname;
const SAMPLE = new URL('../../db.yml.sample', import.meta.url).pathname;

/** db.yml.sample with its commented `notifications:` examples switched on (in place of `notifications: []`). */
async function sampleWithNotifications(): Promise<string> {
  const text = await readFile(SAMPLE, 'utf8');
  const lines = text.split('\n');
  const start = lines.indexOf('# notifications:');
  assert.ok(start > 0, 'the sample has a commented notifications: block');
  let end = start + 1;
  while (lines[end]?.startsWith('#   ')) end++;
  const block = lines.slice(start, end).map((l) => l.slice(2));
  const rest = lines.filter((l, i) => l !== 'notifications: []' && (i < start || i >= end));
  return [...block, ...rest].join('\n');
}

describe('railyard notify test', () => {
  const receivers: Receiver[] = [];
  after(() => Promise.all(receivers.map((r) => r.close())));

  it("sends one test notification to each of db.yml.sample's examples, shaped per type, and reports each with its URL masked", async () => {
    const [json, slack, ntfy] = await Promise.all([startReceiver(), startReceiver(), startReceiver(500)]);
    receivers.push(json, slack, ntfy);
    const root = await mkdtemp(join(tmpdir(), 'railyard-notify-cli-'));
    await writeFile(join(root, 'db.yml'), await sampleWithNotifications());
    const env = {
      LOG_LEVEL: 'silent', NOTIFY_ATTEMPTS: '2', NOTIFY_BACKOFF_MS: '10', RAILYARD_URL: 'https://railyard.example',
      NOTIFY_WEBHOOK_URL: `${json.url}hook/sekrit-token-1`, SLACK_WEBHOOK_URL: `${slack.url}services/T/B/sekrit-token-2`,
      NTFY_TOPIC_URL: `${ntfy.url}sekrit-topic-3`,
    };
    const result = await execa(process.execPath, [BIN, 'notify', 'test', '--json'], { cwd: root, reject: false, env, extendEnv: false });
    assert.equal(result.exitCode, 1, 'the ntfy receiver answers 500: one target failed');
    const report = JSON.parse(result.stdout) as { target: string; type: string; ok: boolean; error?: string }[];
    assert.deepEqual(report.map((r) => [r.type, r.target, r.ok, r.error]), [
      ['json', `${json.url}hook/***`, true, undefined],
      ['slack', `${slack.url}services/***`, true, undefined],
      ['ntfy', `${ntfy.url}***`, false, 'HTTP 500'],
    ]);
    assert.doesNotMatch(result.stdout + result.stderr, /sekrit/);
    const body = JSON.parse(json.received[0]!.body) as Record<string, unknown>;
    assert.equal(body['event'], 'test');
    assert.equal(body['url'], 'https://railyard.example');
    assert.match((JSON.parse(slack.received[0]!.body) as { text: string }).text, /^railyard: stack test notification/);
    assert.equal(ntfy.received.length, 2, 'retried once (NOTIFY_ATTEMPTS=2)');
    assert.deepEqual([ntfy.received[0]!.headers['priority'], ntfy.received[0]!.headers['tags']], ['4', 'rotating_light']);
  });

  it('with no notifications configured, says so and exits 1; --json prints the error as JSON', async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-notify-cli-'));
    await writeFile(join(root, 'db.yml'), 'projects: []\n');
    const text = await execa(process.execPath, [BIN, 'notify', 'test'], { cwd: root, reject: false, env: { LOG_LEVEL: 'silent' }, extendEnv: false });
    assert.equal(text.exitCode, 1);
    assert.match(text.stderr, /^error \[USAGE\]: db\.yml has no notifications/);
    const json = await execa(process.execPath, [BIN, 'notify', 'test', '--json'], { cwd: root, reject: false, env: { LOG_LEVEL: 'silent' }, extendEnv: false });
    assert.equal(json.exitCode, 1);
    assert.deepEqual(JSON.parse(json.stdout), { ok: false, error: { code: 'USAGE', message: 'db.yml has no notifications: add entries under notifications:' } });
  });
});
