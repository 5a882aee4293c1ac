import { logLine } from '../../app/run-format.ts';
import type { RunRecord, StepRecord } from '../../pipeline/run-record.ts';
import type { PlanBody } from '../api-plan.ts';
import { badge, html, time, type Html } from './html.ts';

/** The shape of GET /api/projects' body (hooks/api-projects.ts), as the pages read it. */
export interface ProjectView {
  readonly name: string;
  readonly enabled: boolean;
  readonly deployedCommit: string | null;
  readonly lastRun: { id: string; status: string; pipeline: string } | null;
  readonly services: readonly {
    readonly name: string;
    readonly image: string | null;
    readonly desired: { readonly replicas: number };
    readonly running: { readonly containers: number; readonly healthy: number; readonly imageIds?: readonly string[]; readonly states: readonly { state: string; health: string | null }[] } | null;
  }[];
}

const deployButton = (project: string, service?: string): Html =>
  html`<a class="button" href="/deploy?project=${encodeURIComponent(project)}${service === undefined ? '' : `&service=${encodeURIComponent(service)}`}">Deploy${service === undefined ? '' : ''}</a>`;

function health(s: ProjectView['services'][number]): Html {
  if (s.running === null) return html`<span class="muted">docker unreachable</span>`;
  const drift = s.running.containers !== s.desired.replicas;
  return html`${s.running.containers}/${s.desired.replicas} running, ${s.running.healthy} healthy${drift ? html` <span class="drift" title="running differs from db.yml">drift</span>` : ''}`;
}

export function projectsPage(projects: readonly ProjectView[]): Html {
  const cards = projects.map((p) => html`<section class="card" aria-labelledby="p-${p.name}">
    <div class="card-head"><h2 id="p-${p.name}">${p.name}</h2>${p.enabled ? '' : html`<span class="badge cancelled">disabled</span>`}${deployButton(p.name)}</div>
    <p class="meta">last run ${p.lastRun === null ? '–' : html`<a href="/runs/${p.lastRun.id}">#${p.lastRun.id} ${p.lastRun.pipeline}</a> ${badge(p.lastRun.status)}`}
      · commit <code>${p.deployedCommit?.slice(0, 12) ?? '–'}</code></p>
    <div class="scroll"><table><thead><tr><th>service</th><th>image</th><th>replicas</th><th></th></tr></thead><tbody>
    ${p.services.map((s) => html`<tr data-service="${s.name}"><td>${s.name}</td><td><code>${s.image ?? '–'}</code>${(s.running?.imageIds ?? []).map((id) => html`<br><code class="muted" title="${id}">${id.slice(0, 19)}</code>`)}</td><td>${health(s)}</td><td>${deployButton(p.name, s.name)}</td></tr>`)}
    </tbody></table></div></section>`);
  return html`<h1>Projects</h1>${projects.length === 0 ? html`<p>db.yml has no projects.</p>` : cards}`;
}

export interface RunsQuery {
  readonly project: string | undefined;
  readonly status: string | undefined;
  readonly pipeline: string | undefined;
  readonly page: number;
}

export function runsPage(runs: readonly RunRecord[], query: RunsQuery, more: boolean): Html {
  const link = (page: number): string => `/runs?${new URLSearchParams({ ...(query.project && { project: query.project }), ...(query.status && { status: query.status }), ...(query.pipeline && { pipeline: query.pipeline }), page: String(page) })}`;
  return html`<h1>Runs</h1>
  <form class="filters" method="get" action="/runs">
    <label>project <input name="project" value="${query.project ?? ''}" size="10"></label>
    <label>status <select name="status">${['', 'queued', 'running', 'succeeded', 'failed', 'superseded', 'cancelled', 'interrupted'].map((s) => html`<option value="${s}" ${s === (query.status ?? '') ? html`selected` : ''}>${s || 'any'}</option>`)}</select></label>
    <label>pipeline <input name="pipeline" value="${query.pipeline ?? ''}" size="8"></label>
    <button type="submit">Filter</button></form>
  <div class="scroll"><table><thead><tr><th>run</th><th>pipeline</th><th>project</th><th>status</th><th>trigger</th><th>created</th></tr></thead><tbody>
  ${runs.map((r) => html`<tr><td><a href="/runs/${r.id}">#${r.id}</a></td><td>${r.pipeline}</td><td>${r.project}${r.service === undefined ? '' : `/${r.service}`}</td><td>${badge(r.status)}</td><td>${r.trigger.kind}</td><td>${time(r.createdAt)}</td></tr>`)}
  </tbody></table></div>
  <nav class="pager" aria-label="pages">${query.page > 1 ? html`<a href="${link(query.page - 1)}">← newer</a>` : ''}<span>page ${query.page}</span>${more ? html`<a href="${link(query.page + 1)}">older →</a>` : ''}</nav>`;
}

/**
 * The steps as bars on one time axis (a Gantt chart): each starts where the
 * step started and is as long as it took. SVG attributes, not inline styles,
 * so the page's CSP can forbid inline styles altogether.
 */
function timeline(steps: readonly StepRecord[]): Html {
  const start = steps[0]?.startedAt ?? 0;
  const end = Math.max(start + 1, ...steps.map((s) => s.startedAt + (s.durationMs ?? 0)));
  const pct = (ms: number): string => ((ms / (end - start)) * 100).toFixed(2);
  return html`<ol class="timeline" aria-label="steps">${steps.map((s) => html`<li class="step ${s.status}" data-step="${s.name}">
    <span class="name">${s.name}</span><svg class="bar" viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true" focusable="false">
    <rect x="${pct(s.startedAt - start)}" width="${Math.max(0.5, Number(pct(s.durationMs ?? 0)))}" height="1"></rect></svg>
    <span class="ms">${s.durationMs === undefined ? s.status : `${s.durationMs} ms`}</span>${s.error === undefined ? '' : html`<span class="err"><code>${s.error.code}</code> ${s.error.message}</span>`}</li>`)}</ol>`;
}

const facts = (run: RunRecord): Html => html`<dl class="facts"><dt>pipeline</dt><dd>${run.pipeline}</dd><dt>project</dt><dd>${run.project}${run.service === undefined ? '' : `/${run.service}`}</dd>
  <dt>trigger</dt><dd>${run.trigger.kind}</dd><dt>commit</dt><dd><code>${run.commit ?? '–'}</code></dd>
  <dt>created</dt><dd>${time(run.createdAt)}</dd><dt>finished</dt><dd>${time(run.finishedAt)}</dd></dl>`;

export function runPage(run: RunRecord, steps: readonly StepRecord[], log: readonly string[]): Html {
  return html`<h1>Run #${run.id} <span id="status">${badge(run.status)}</span></h1>
  <div id="facts">${facts(run)}</div>
  <div id="error">${run.error === undefined ? '' : html`<p class="error" role="alert"><code>${run.error.code}</code> ${run.error.step === undefined ? '' : html`in <b>${run.error.step}</b>: `}${run.error.message}</p>`}</div>
  <h2>Steps</h2><div id="steps">${timeline(steps)}</div>
  <h2>Log</h2><pre id="log" data-run="${run.id}" data-status="${run.status}" tabindex="0">${log.map((l) => `${logLine(l)}\n`).join('')}</pre>`;
}

/** The fragment the run page's client swaps in while the run runs. */
export const runState = (run: RunRecord, steps: readonly StepRecord[]): Record<string, string | boolean> => ({
  status: run.status,
  facts_html: facts(run).text,
  final: !['queued', 'running'].includes(run.status),
  status_html: badge(run.status).text,
  steps_html: timeline(steps).text,
  error_html: run.error === undefined ? '' : html`<p class="error" role="alert"><code>${run.error.code}</code> ${run.error.step === undefined ? '' : html`in <b>${run.error.step}</b>: `}${run.error.message}</p>`.text,
});

export function deployConfirmPage(project: string, service: string | undefined, csrf: string): Html {
  const what = service === undefined ? project : `${project}/${service}`;
  return html`<h1>Deploy ${what}?</h1><p>This queues a deploy run of <b>${what}</b>: pull, validate, render, diff, rollout.</p>
  <form method="post" action="/deploy"><input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="project" value="${project}">
  ${service === undefined ? '' : html`<input type="hidden" name="service" value="${service}">`}
  <button type="submit" class="primary" autofocus>Deploy ${what} now</button> <a href="/">Cancel</a></form>`;
}

export function signInPage(message: string | undefined): Html {
  return html`<h1>Sign in</h1>${message === undefined ? '' : html`<p class="error" role="alert">${message}</p>`}
  <form method="post" action="/signin" class="signin"><label for="key">API key</label>
  <input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
  <button type="submit" class="primary">Sign in</button></form>`;
}

/** A unified diff with each line classed by its kind, coloured by the stylesheet. */
function coloured(diff: string): Html {
  const kind = (line: string): string =>
    line.startsWith('+++') || line.startsWith('---') ? 'file' : line.startsWith('@@') ? 'hunk' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : 'ctx';
  return html`<pre class="diff" tabindex="0">${diff.replace(/\n$/, '').split('\n').map((line) => html`<span class="${kind(line)}">${line}</span>\n`)}</pre>`;
}

export function planPage(body: PlanBody, project: string | undefined): Html {
  return html`<h1>Plan${project === undefined ? '' : html` for ${project}`}</h1>
  <p>${body.changes} change(s), ${body.plan.length - body.changes} unchanged. What <code>apply</code> would do now; nothing is changed.</p>
  ${body.plan.map((line) => html`<section class="card" data-service="${line.project}/${line.service}" data-action="${line.action}">
    <div class="card-head"><h2>${line.project}/${line.service}</h2><span class="badge action-${line.action}">${line.action}</span></div>
    <p class="meta">${line.reason}</p>${line.warnings.map((w) => html`<p class="warning">${w}</p>`)}
    ${line.diff === null ? '' : coloured(line.diff)}</section>`)}`;
}
