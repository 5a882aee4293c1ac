import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../config/package-root.ts';
import { RailyardError } from '../../core/errors.ts';
import { FINAL_STATUSES, type RunStatus } from '../../core/types.ts';
import { keyMatches } from '../auth.ts';
import { listProjects } from '../api-projects.ts';
import { findRun } from '../api-runs.ts';
import { runLog } from '../api-run-log.ts';
import { readBody } from '../body.ts';
import type { RequestContext } from '../context.ts';
import type { Reply } from '../respond.ts';
import type { Route } from '../router.ts';
import { resolveTarget } from '../targets.ts';
import { checkChange } from './csrf.ts';
import { layout, sendHtml, type Html } from './html.ts';
import { computePlan } from '../api-plan.ts';
import { deployConfirmPage, planPage, projectsPage, runPage, runState, runsPage, signInPage, type ProjectView } from './pages.ts';
import { backupListing, scheduleViews, threatTable } from './stack-data.ts';
import { backupsPage, schedulesPage, threatsPage } from './stack-pages.ts';
import { SESSION_MS, Sessions, sessionCookie, type Session } from './session.ts';

const SESSIONS = new Sessions();
const PAGE_SIZE = 25;
const ASSETS: Readonly<Record<string, string>> = { 'style.css': 'text/css; charset=utf-8', 'run.js': 'text/javascript; charset=utf-8' };
// Served from the sources' folder (it ships with the package), also when dist/ runs.
const ASSET_DIR = join(PACKAGE_ROOT, 'hooks', 'dashboard', 'assets');

type Signed = (ctx: RequestContext, session: Session) => Promise<Reply | undefined>;

/** A page for a signed-in user; anyone else is sent to the sign-in page (pages) or gets a 401 (data). */
const signedIn = (fn: Signed, kind: 'page' | 'data' = 'page') => async (ctx: RequestContext): Promise<Reply | undefined> => {
  const session = SESSIONS.of(ctx.req, ctx.config.env.apiKey);
  if (session !== undefined) return fn(ctx, session);
  if (kind === 'data') throw new RailyardError('AUTH_FAILED', 'Sign in to the dashboard first');
  return redirect('/signin');
};

const redirect = (location: string, headers: Record<string, string> = {}): Reply => ({ status: 303, body: { location }, headers: { location, ...headers } });

function show(ctx: RequestContext, title: string, body: Html, session: Session | undefined, status = 200, script?: string): undefined {
  sendHtml(ctx.res, status, layout({ title, csrf: session?.csrf, ...(script !== undefined && { script }) }, body));
  return undefined;
}

async function form(ctx: RequestContext): Promise<URLSearchParams> {
  if (!(ctx.req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    throw new RailyardError('PAYLOAD_UNSUPPORTED_TYPE', 'Send the form as application/x-www-form-urlencoded');
  }
  return new URLSearchParams((await readBody(ctx.req, 16 * 1024)).toString('utf8'));
}

async function signIn(ctx: RequestContext): Promise<undefined | Reply> {
  const { apiKey, trustProxy } = ctx.config.env;
  if (apiKey === undefined) return show(ctx, 'Sign in', signInPage('API_KEY is not set on the server: the dashboard is disabled'), undefined, 503);
  // The same limit as the API's key checks: a source that failed too often waits before its key is compared.
  const wait = ctx.deps.limiter.retryAfter(ctx.source);
  if (wait > 0) return show(ctx, 'Sign in', signInPage(`Too many failed attempts: retry in ${wait} s`), undefined, 429);
  const key = (await form(ctx)).get('key') ?? '';
  if (!keyMatches(apiKey, key)) {
    ctx.deps.limiter.fail(ctx.source);
    ctx.logFields['signIn'] = 'refused';
    return show(ctx, 'Sign in', signInPage('That is not the API key'), undefined, 401);
  }
  const session = SESSIONS.create(apiKey);
  ctx.logFields['signIn'] = 'ok';
  return redirect('/', { 'set-cookie': sessionCookie(ctx.req, session.id, SESSION_MS / 1000, trustProxy) });
}

const signOut: Signed = async (ctx, session) => {
  checkChange(ctx.req, session, (await form(ctx)).get('csrf') ?? undefined);
  SESSIONS.destroy(session.id);
  return redirect('/signin', { 'set-cookie': sessionCookie(ctx.req, '', 0, ctx.config.env.trustProxy) });
};

const projects: Signed = async (ctx, session) => {
  const reply = await listProjects(ctx);
  return show(ctx, 'Projects', projectsPage((reply.body as { projects: ProjectView[] }).projects), session);
};

const runs: Signed = async (ctx, session) => {
  const q = ctx.url.query;
  const status = q.get('status') || undefined;
  if (status !== undefined && !['queued', 'running', ...FINAL_STATUSES].includes(status as RunStatus)) throw new RailyardError('USAGE', `Unknown status ${JSON.stringify(status)}`);
  const query = { project: q.get('project') || undefined, status, pipeline: q.get('pipeline') || undefined, page: Math.max(1, Number(q.get('page')) || 1) };
  const all = ctx.deps.store.listRuns({ project: query.project, status: status as RunStatus | undefined, limit: 5000 })
    .filter((r) => query.pipeline === undefined || r.pipeline === query.pipeline);
  const from = (query.page - 1) * PAGE_SIZE;
  return show(ctx, 'Runs', runsPage(all.slice(from, from + PAGE_SIZE), query, all.length > from + PAGE_SIZE), session);
};

const run: Signed = async (ctx, session) => {
  const found = findRun(ctx);
  return show(ctx, `Run #${found.id}`, runPage(found, ctx.deps.store.stepsOf(found.id), ctx.deps.store.logOf(found.id)), session, 200, 'run.js');
};

const state: Signed = async (ctx) => {
  const found = findRun(ctx);
  return { status: 200, body: runState(found, ctx.deps.store.stepsOf(found.id)) };
};

const plan: Signed = async (ctx, session) =>
  show(ctx, 'Plan', planPage(await computePlan(ctx), ctx.url.query.get('project') || undefined), session);

const schedules: Signed = async (ctx, session) => {
  const db = await ctx.config.db.current();
  return show(ctx, 'Schedules', schedulesPage(scheduleViews(db.schedules, ctx.config.env, ctx.deps.store, Date.now())), session);
};

const backups: Signed = async (ctx, session) => {
  const listing = await backupListing(ctx.config.env);
  if ('error' in listing) ctx.logFields['backupList'] = listing.error.code;
  return show(ctx, 'Backups', backupsPage(listing), session, 'error' in listing ? 502 : 200);
};

const THREAT_ROWS = 1000;
const threats: Signed = async (ctx, session) => {
  const file = ctx.config.env.threat.reportFile;
  return show(ctx, 'Threat report', threatsPage(await threatTable(file, THREAT_ROWS), file), session);
};

const confirmDeploy: Signed = async (ctx, session) => {
  const target = await resolveTarget(ctx.config.db, ctx.url.query.get('project') ?? undefined, ctx.url.query.get('service') || undefined);
  return show(ctx, 'Deploy', deployConfirmPage(target.project, target.service, session.csrf), session);
};

const deploy: Signed = async (ctx, session) => {
  const fields = await form(ctx);
  checkChange(ctx.req, session, fields.get('csrf') ?? undefined);
  const target = await resolveTarget(ctx.config.db, fields.get('project') ?? undefined, fields.get('service') || undefined);
  const accepted = await ctx.deps.triggers.accept({
    pipeline: 'deploy', project: target.project, service: target.service, trigger: { kind: 'api', meta: { source: ctx.source, via: 'dashboard' } },
  });
  ctx.logFields['runId'] = accepted.runId;
  return redirect(`/runs/${accepted.supersededBy ?? accepted.runId}`);
};

async function asset(ctx: RequestContext): Promise<undefined> {
  const name = ctx.params['name'] ?? '';
  const type = ASSETS[name];
  if (type === undefined) throw new RailyardError('ROUTE_NOT_FOUND', 'There is no such asset');
  const body = await readFile(join(ASSET_DIR, name));
  ctx.res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  ctx.res.end(body);
  return undefined;
}

const signInForm = async (ctx: RequestContext): Promise<undefined> => show(ctx, 'Sign in', signInPage(undefined), undefined);

/** The dashboard (issue 14): server-rendered pages behind a session cookie; the API key is typed once, at sign-in. */
export const DASHBOARD_ROUTES: readonly Route[] = [
  { method: 'GET', path: '/', auth: 'none', handle: signedIn(projects) },
  { method: 'GET', path: '/signin', auth: 'none', handle: signInForm },
  { method: 'POST', path: '/signin', auth: 'none', handle: signIn },
  { method: 'POST', path: '/signout', auth: 'none', handle: signedIn(signOut, 'data') },
  { method: 'GET', path: '/runs', auth: 'none', handle: signedIn(runs) },
  { method: 'GET', path: '/runs/:id', auth: 'none', handle: signedIn(run) },
  { method: 'GET', path: '/runs/:id/state', auth: 'none', quiet: true, handle: signedIn(state, 'data') },
  { method: 'GET', path: '/runs/:id/log', auth: 'none', handle: signedIn(async (ctx) => runLog(ctx), 'data') },
  { method: 'GET', path: '/plan', auth: 'none', handle: signedIn(plan) },
  { method: 'GET', path: '/schedules', auth: 'none', handle: signedIn(schedules) },
  { method: 'GET', path: '/backups', auth: 'none', handle: signedIn(backups) },
  { method: 'GET', path: '/threats', auth: 'none', handle: signedIn(threats) },
  { method: 'GET', path: '/deploy', auth: 'none', handle: signedIn(confirmDeploy) },
  { method: 'POST', path: '/deploy', auth: 'none', handle: signedIn(deploy, 'data') },
  { method: 'GET', path: '/assets/:name', auth: 'none', quiet: true, handle: asset },
];
