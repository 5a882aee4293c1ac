// The schedules, backups and threat-report pages in a real browser, against `railyard serve`,
// with a backup made by the real `railyard backup` to the stack root's backups/.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import type { BrowserContext, Page } from 'playwright-core';
import { loadEnv } from '../../../config/env.ts';
import { backupListing } from '../../../hooks/dashboard/stack-data.ts';
import { emptyRow, formatCsv, type Row } from '../../../steps/threat-report/csv.ts';
import { browserSuiteOptions, launchBrowser } from '../../helpers/browser.ts';
import { startLocalServer } from '../../helpers/local-server.ts';
import { BIN, spawnServe, type ServeProcess } from '../../helpers/serve-process.ts';

const KEY = 'dashboard-stack-key-81c3';
/** The same folder as dashboard.test.ts's screenshots (importing it would run that suite too). */
const SHOTS = join(tmpdir(), 'railyard-dashboard-shots');
const DB = `projects: []
schedules:
  backup: "0 5 * * *"
  threat-report: "30 4 * * 1-5"
`;

const threat = (ip: string, fields: Partial<Row>): Row => ({ ...emptyRow(), ip, first_seen: '2026-11-30T10:00:00.000Z', source: 'blacklist', ...fields });
const ROWS: Row[] = [
  threat('203.0.113.7', { org_name: 'Example Net', country: 'NL', abuse_score: '87', total_reports: '12', geo_country: 'NL', geo_city: 'Amsterdam', geo_latitude: '52.3740', geo_longitude: '4.8897' }),
  threat('198.51.100.23', { org_name: 'Doc Hosting', country: 'US', abuse_score: '40', geo_country: 'US', geo_city: 'Chicago', geo_latitude: '41.8781', geo_longitude: '-87.6298' }),
  threat('192.0.2.99', { domain: 'host.example', abuse_score: 'pending' }),
];

describe('dashboard stack pages in chromium', browserSuiteOptions(), () => {
  let root: string;
  let serve: ServeProcess;
  let url: string;
  let context: BrowserContext;
  let page: Page;
  let backupKey: string;
  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    root = await mkdtemp(join(tmpdir(), 'railyard-dash2-'));
    writeFileSync(join(root, 'db.yml'), DB);
    mkdirSync(join(root, 'upstream', 'site'), { recursive: true });
    writeFileSync(join(root, 'upstream', 'site', 'docker-compose.yml'), 'services: {}\n');
    mkdirSync(join(root, 'reports'));
    writeFileSync(join(root, 'reports', 'potential_threat_actors.csv'), formatCsv(ROWS));
    const made = await execa(process.execPath, [BIN, '--root', root, 'backup', '--json'], { env: { LOG_LEVEL: 'warn' } });
    const list = await execa(process.execPath, [BIN, '--root', root, 'backup', 'list', '--json']);
    const backups = (JSON.parse(list.stdout) as { backups: { key: string; validated: boolean }[] }).backups;
    assert.equal(backups.length, 1, made.stdout);
    backupKey = backups[0]!.key;
    serve = spawnServe({ root, environ: { API_KEY: KEY, LOG_LEVEL: 'info' } });
    url = (await serve.url).replace(/\/?$/, '/');
    context = await launchBrowser();
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${url}signin`);
    await page.fill('#key', KEY);
    await page.click('button[type=submit]');
    await page.waitForURL(url);
  });
  after(async () => {
    await context?.close();
    await serve?.stop();
  });

  it('lists each db.yml schedule with its cron, next run and the last backup run', async () => {
    await page.click('nav a[href="/schedules"]');
    const backup = page.locator('tr[data-schedule="backup"]');
    assert.match(await backup.innerText(), /backup\s+0 5 \* \* \*/);
    const next = new Date((await backup.locator('time').first().getAttribute('datetime'))!);
    assert.equal(next.getUTCHours(), 5);
    assert.ok(next.getTime() > Date.now() && next.getTime() <= Date.now() + 86_400_000);
    // The run `railyard backup` made is the schedule's last run.
    assert.match(await backup.locator('td').last().innerText(), /#\d+ succeeded/);
    const report = page.locator('tr[data-schedule="threat-report"]');
    assert.match(await report.innerText(), /30 4 \* \* 1-5[\s\S]*never/);
    assert.ok([1, 2, 3, 4, 5].includes(new Date((await report.locator('time').getAttribute('datetime'))!).getUTCDay()));
    assert.equal(await page.locator('tr[data-schedule="reconcile"]').count(), 0);
    await shot('schedules');
  });

  it('shows the backup generation `railyard backup` stored, verified', async () => {
    await page.click('nav a[href="/backups"]');
    const row = page.locator(`tr[data-key="${backupKey}"]`);
    assert.match(await row.innerText(), /validated/);
    assert.doesNotMatch(await row.innerText(), /NOT validated/);
    assert.match(await page.locator('main p').first().innerText(), /backups/);
    await shot('backups');
  });

  it('shows the threat report with its GeoIP columns and a point per located address', async () => {
    await page.click('nav a[href="/threats"]');
    assert.equal(await page.locator('table.threats tbody tr').count(), 3);
    assert.match(await page.locator('tr[data-ip="203.0.113.7"]').innerText(), /Example Net[\s\S]*87[\s\S]*Amsterdam[\s\S]*52\.3740/);
    assert.ok((await page.locator('table.threats th').allInnerTexts()).includes('geo_city'));
    const points = page.locator('svg.scatter circle.point');
    assert.equal(await points.count(), 2);
    assert.equal(await page.locator('circle[data-ip="198.51.100.23"]').getAttribute('cx'), '-87.630');
    await shot('threats');
  });

  it('bounds a listing against an S3 endpoint that never answers, with a clear error', async () => {
    const silent = await startLocalServer(() => new Promise(() => undefined));
    try {
      const env = loadEnv({ root, environ: { AWS_S3_HOST: silent.url, AWS_S3_BUCKET: 'b', AWS_S3_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 'k' } });
      const started = Date.now();
      const listing = await backupListing(env, 800);
      assert.ok(Date.now() - started < 3000);
      assert.ok('error' in listing);
      assert.equal(listing.error.code, 'BACKUP_TARGET_FAILED');
      assert.match(listing.error.message, /s3:\/\/b did not answer within 0\.8 s/);
    } finally {
      await silent.close();
    }
  });
});
