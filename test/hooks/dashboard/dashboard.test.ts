// The dashboard in a real browser, against `railyard serve` on the real dockerd.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser, browserSuiteOptions } from '../../helpers/browser.ts';
import { uniqueName } from '../../helpers/compose-project.ts';
import { detectDocker, dockerSuiteOptions, ensureImage, TEST_IMAGES } from '../../helpers/docker.ts';
import { startLocalServer, type LocalServer } from '../../helpers/local-server.ts';
import { spawnServe, type ServeProcess } from '../../helpers/serve-process.ts';

const KEY = 'dashboard-test-key-5f2a';
/** Screenshots are test output: look at them (docs/ holds two of them for the README). */
export const SHOTS = join(tmpdir(), 'railyard-dashboard-shots');

const dbYml = (web: string, api: string, webImage: string, apiVersion = '1'): string => `projects:
  - name: ${web}
    services:
      - host: web
        image: ${webImage}
        stateless: true
        rollout:
          timeout: 20s
  - name: ${api}
    services:
      - host: api
        image: ${TEST_IMAGES.web}
        stateless: true
        env:
          VERSION: "${apiVersion}"
`;

describe('dashboard in chromium', { ...browserSuiteOptions(), ...(await dockerSuiteOptions()) }, () => {
  const web = uniqueName('rydash');
  const api = uniqueName('rydash-api');
  let root: string;
  let serve: ServeProcess;
  let url: string;
  let context: BrowserContext;
  let page: Page;
  let forger: LocalServer;
  const apiDeploy = async (project: string): Promise<string> => {
    const res = await fetch(`${url}api/projects/${project}/deploy`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(res.status, 202);
    return ((await res.json()) as { runId: string }).runId;
  };
  const runStatus = async (id: string): Promise<string> =>
    ((await (await fetch(`${url}api/runs/${id}`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { status: string }).status;
  const runIds = async (project?: string): Promise<string[]> => {
    const res = await fetch(`${url}api/runs?limit=100${project === undefined ? '' : `&project=${project}`}`, { headers: { authorization: `Bearer ${KEY}` } });
    return ((await res.json()) as { runs: { id: string }[] }).runs.map((r) => r.id);
  };
  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  before(async () => {
    const engine = (await detectDocker())!;
    await Promise.all([TEST_IMAGES.web, TEST_IMAGES.unhealthy].map((image) => ensureImage(engine.docker, image)));
    mkdirSync(SHOTS, { recursive: true });
    root = await mkdtemp(join(tmpdir(), 'railyard-dash-'));
    writeFileSync(join(root, 'db.yml'), dbYml(web, api, TEST_IMAGES.web));
    serve = spawnServe({ root, environ: { API_KEY: KEY, DOCKER_HOST: engine.endpoint, LOG_LEVEL: 'info', RAILYARD_CONCURRENCY: '1' } });
    url = (await serve.url).replace(/\/?$/, '/');
    context = await launchBrowser();
    page = context.pages()[0] ?? (await context.newPage());
    forger = await startLocalServer((_req, res) => {
      // Another origin's page that posts to railyard's deploy form on load.
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<form id="f" method="post" action="${url}deploy"><input name="project" value="${web}"><input name="csrf" value="guess"></form><script>f.submit()</script>`);
    });
  });
  after(async () => {
    await context?.close();
    await forger?.close();
    await serve?.stop();
    for (const project of [web, api]) {
      await execa('docker', ['compose', '-p', project, 'down', '-v', '-t', '1', '--remove-orphans'], { reject: false, cwd: root });
    }
  });

  it('refuses a wrong key, signs in with the right one (an HttpOnly SameSite=Strict cookie, no key in the page)', async () => {
    await page.goto(url);
    assert.match(page.url(), /\/signin$/);
    await page.fill('#key', 'not-the-key');
    await page.click('button[type=submit]');
    assert.match(await page.textContent('[role=alert]') ?? '', /not the API key/);
    await page.fill('#key', KEY);
    await page.click('button[type=submit]');
    await page.waitForSelector('h1:text("Projects")');
    const [cookie] = await context.cookies();
    assert.deepEqual([cookie?.name, cookie?.httpOnly, cookie?.sameSite], ['railyard_session', true, 'Strict']);
    assert.ok(!(await page.content()).includes(KEY), 'the key is not in the page');
    assert.equal(await page.evaluate('localStorage.length + sessionStorage.length'), 0);
  });

  it('shows the deployed services on the projects page', async () => {
    const id = await apiDeploy(web);
    for (let i = 0; i < 200 && ['queued', 'running'].includes(await runStatus(id)); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await runStatus(id), 'succeeded');
    const row = page.locator(`section[aria-labelledby="p-${web}"] tr[data-service="web"]`);
    // A first deploy creates the container; its healthcheck passes about 2 s later.
    for (let i = 0; i < 40; i++) {
      await page.goto(url);
      if (/1 healthy/.test(await row.innerText())) break;
      await page.waitForTimeout(250);
    }
    assert.match(await row.innerText(), /1\/1 running, 1 healthy/);
    assert.match(await row.innerText(), /railyard-test\/web:1/);
    assert.match(await row.innerText(), /sha256:[0-9a-f]{12}/, 'the image digest the container runs');
    await shot('projects');
  });

  it('starts a deploy from the page and follows it live: queued → running → succeeded, with the log streaming', async () => {
    // api deployed once, so the page's deploy is a rollout: it waits for the new container's health, so it is seen running.
    const firstApi = await apiDeploy(api);
    for (let i = 0; i < 300 && ['queued', 'running'].includes(await runStatus(firstApi)); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await runStatus(firstApi), 'succeeded');
    // The only runner slot (RAILYARD_CONCURRENCY=1) is held by an unhealthy rollout of the other project, so this run queues first.
    writeFileSync(join(root, 'db.yml'), dbYml(web, api, TEST_IMAGES.unhealthy, '2'));
    const held = await apiDeploy(web);
    const seen: string[] = [];
    let streamed = 0;
    await page.exposeFunction('reportStatus', (status: string, lines: number) => {
      if (seen.at(-1) !== status) seen.push(status);
      if (status === 'running') streamed = Math.max(streamed, lines);
    });
    // Browser-side code as text: the tests' TypeScript has no DOM types.
    await page.addInitScript({
      content: `document.addEventListener('DOMContentLoaded', () => {
        const report = () => {
          const log = document.getElementById('log');
          const status = document.querySelector('#status [data-status]')?.getAttribute('data-status');
          if (log && status) window.reportStatus(status, log.textContent.split('\\n').length - 1);
        };
        report();
        new MutationObserver(report).observe(document.body, { subtree: true, childList: true, characterData: true });
      });`,
    });
    await page.goto(url);
    await page.click(`section[aria-labelledby="p-${api}"] .card-head a.button`);
    await page.waitForSelector(`h1:text("Deploy ${api}?")`);
    await page.click('button.primary');
    await page.waitForURL(/\/runs\/\d+$/);
    await page.waitForSelector('#status [data-status="succeeded"]', { timeout: 60_000 });
    assert.deepEqual(seen.filter((s) => ['queued', 'running', 'succeeded'].includes(s)), ['queued', 'running', 'succeeded']);
    assert.ok(streamed > 0, 'log lines arrived over SSE while the run was running');
    await page.waitForSelector('#log[data-stored="true"]');
    assert.match(await page.textContent('#log') ?? '', /INFO +run finished status="succeeded"/);
    await shot('run-succeeded');
    assert.notEqual(await runStatus(held), 'queued');
  });

  it('shows an unhealthy rollout with its failed step and ROLLOUT_UNHEALTHY', async () => {
    const id = (await runIds(web))[0]!;
    for (let i = 0; i < 300 && ['queued', 'running'].includes(await runStatus(id)); i++) await new Promise((r) => setTimeout(r, 100));
    await page.goto(`${url}runs/${id}`);
    assert.equal(await page.getAttribute('#status [data-status]', 'data-status'), 'failed');
    assert.match(await page.textContent('#error') ?? '', /ROLLOUT_UNHEALTHY.*in rollout/s);
    assert.equal(await page.getAttribute('li.step.failed', 'data-step'), 'rollout');
    await shot('run-failed');
    await page.setViewportSize({ width: 360, height: 740 });
    await shot('run-failed-360');
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth') as number;
    assert.ok(overflow <= 0, `readable at 360 px: the page is ${overflow} px too wide`);
    await page.setViewportSize({ width: 1100, height: 800 });
  });

  it('shows the plan after a db.yml change: the action, the reason and a coloured diff (also GET /api/plan)', async () => {
    // db.yml now names the unhealthy image, the host still runs web:1 (the rollout rolled back).
    await page.goto(`${url}plan?project=${web}`);
    const card = page.locator(`section[data-action="rollout"]`);
    assert.equal(await card.count(), 1);
    assert.match(await card.locator('.del').allInnerTexts().then((l) => l.join('\n')), /railyard-test\/web:1/);
    assert.match(await card.locator('.add').allInnerTexts().then((l) => l.join('\n')), /railyard-test\/web:unhealthy/);
    // Runs in the page (the tests' TypeScript has no DOM types).
    const colour = (el: unknown): string => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el).color;
    const added = await card.locator('.add').first().evaluate(colour);
    assert.match(added, /^rgb/);
    assert.notEqual(added, await card.locator('.ctx').first().evaluate(colour), 'added lines are coloured');
    await shot('plan');
    const api = (await (await fetch(`${url}api/plan?project=${web}`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { changes: number; plan: { action: string; diff: string | null }[] };
    assert.deepEqual([api.changes, api.plan.map((p) => p.action)], [1, ['rollout']]);
    assert.match(api.plan[0]!.diff ?? '', /^\+.*web:unhealthy$/m);
  });

  it('refuses a forged cross-site POST and a same-origin POST without the token', async () => {
    const before = await runIds();
    const forged = await context.newPage();
    const answer = forged.waitForResponse((r) => r.url() === `${url}deploy`);
    await forged.goto(forger.url);
    assert.equal((await answer).status(), 403);
    assert.match(await forged.textContent('body') ?? '', /CSRF_REFUSED/);
    await forged.close();
    const tokenless = await page.evaluate(`fetch('/deploy', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'project=${web}' }).then((r) => r.status)`);
    assert.equal(tokenless, 403);
    assert.deepEqual(await runIds(), before, 'no run was started');
  });

  it('signs out: the session ends and pages send back to sign-in', async () => {
    await page.goto(url);
    await page.click('header button:text("Sign out")');
    await page.waitForURL(/\/signin$/);
    await page.goto(`${url}runs`);
    assert.match(page.url(), /\/signin$/);
  });
});
