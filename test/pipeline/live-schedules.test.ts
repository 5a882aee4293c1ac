// db.yml's schedules are taken again when the file changes (a push's checkout,
// an edit), without a restart; a broken new version keeps the last valid ones.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadEnv } from '../../config/env.ts';
import { locateDb } from '../../config/stack.ts';
import { startLiveSchedules, type LiveSchedules } from '../../pipeline/live-schedules.ts';
import { createLogger } from '../../core/logger.ts';
import { createTestRunner, lineSink, until, type TestRunner } from '../helpers/runner.ts';
import { probe, scheduledPipelines } from './test-pipelines.ts';

/** Daily patterns whose tick is hours away: no run fires during the test. */
const farAway = (offset: number): string => `0 ${(new Date().getHours() + offset) % 24} * * *`;
const DB = (schedules: string): string => `${schedules ? `schedules:\n${schedules}` : ''}projects:\n  - name: app\n    services:\n      - host: web\n        image: nginx\n`;

describe('live schedules', () => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const fn of cleanup) await fn();
  });

  async function start(text: string): Promise<{ t: TestRunner; live: LiveSchedules; lines: string[]; file: string }> {
    const t = await createTestRunner({ pipelines: scheduledPipelines(probe()) });
    const file = join(t.root, 'db.yml');
    await writeFile(file, text);
    const { stream, lines } = lineSink();
    const log = createLogger({ level: 'info', destination: stream, pretty: false });
    const live = await startLiveSchedules({ env: t.env, log, db: locateDb(t.env), runner: t.runner, store: t.store, pollMs: 30 });
    cleanup.push(async () => {
      live.stop();
      await t.close();
    });
    return { t, live, lines, file };
  }
  const names = (live: LiveSchedules): string[] => live.next().map((n) => n.name).sort();

  it('takes a changed db.yml within a poll, and keeps the last valid schedules when it breaks or disappears', async () => {
    const { live, lines, file } = await start(DB(`  backup: "${farAway(6)}"\n`));
    assert.deepEqual(names(live), ['backup']);

    await writeFile(file, DB(`  backup: "${farAway(6)}"\n  threat-report: "${farAway(7)}"\n`));
    await until(() => names(live).length === 2, 3000, 'the new schedule');
    assert.deepEqual(names(live), ['backup', 'threat-report']);
    assert.ok(lines.some((l) => l.includes('schedules changed')));

    await writeFile(file, 'schedules: [\n');
    await until(() => lines.some((l) => l.includes('db.yml is invalid')), 3000, 'the broken file to be read');
    assert.deepEqual(names(live), ['backup', 'threat-report'], 'a broken db.yml keeps the last valid schedules');

    await rm(file);
    await until(() => lines.some((l) => l.includes('db.yml not read')), 3000, 'the missing file to be noticed');
    assert.deepEqual(names(live), ['backup', 'threat-report']);

    await writeFile(file, DB(''));
    await until(() => names(live).length === 0, 3000, 'the schedules to be removed');
  });

  it('follows REPO_URL on update (the default reconcile), and stops every timer', async () => {
    const { t, live, file } = await start(DB(`  backup: "${farAway(5)}"\n`));
    const withRepo = loadEnv({ root: t.root, environ: { REPO_URL: 'https://git.example.test/stack.git' } });
    await live.update(withRepo, { path: file, label: 'db.yml' });
    assert.deepEqual(names(live), ['backup', 'reconcile']);
    live.stop();
    assert.deepEqual(live.next(), []);
  });
});
