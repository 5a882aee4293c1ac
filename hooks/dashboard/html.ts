import type { ServerResponse } from 'node:http';

/** Escapes text for HTML content and attribute values. */
export const esc = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A template tag whose `${}` values are escaped; values made by `raw` or `html` pass as they are. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}
export const raw = (text: string): Html => new Html(text);
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const part = (v: unknown): string => (v instanceof Html ? v.text : Array.isArray(v) ? v.map(part).join('') : v === undefined || v === null || v === false ? '' : esc(v));
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? part(values[i]) : ''), ''));
}

// Only what railyard itself serves may run or style a page.
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on form posts, which the CSRF check refuses.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

export function sendHtml(res: ServerResponse, status: number, page: Html, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page.text), ...SECURITY_HEADERS, ...headers });
  res.end(page.text);
}

export interface Chrome {
  readonly title: string;
  /** The signed-in session's CSRF token (for the sign-out form); undefined on the sign-in page. */
  readonly csrf: string | undefined;
  readonly script?: string;
}

/** The page around every view: header with navigation, main, and the sign-out form. */
export function layout(chrome: Chrome, body: Html): Html {
  const nav = chrome.csrf === undefined ? '' : html`<nav aria-label="main"><a href="/">Projects</a><a href="/runs">Runs</a><a href="/plan">Plan</a><a href="/schedules">Schedules</a><a href="/backups">Backups</a><a href="/threats">Threats</a>
    <form method="post" action="/signout"><input type="hidden" name="csrf" value="${chrome.csrf}"><button type="submit">Sign out</button></form></nav>`;
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${chrome.title} · railyard</title><link rel="stylesheet" href="/assets/style.css">
${chrome.script === undefined ? '' : html`<script type="module" src="/assets/${chrome.script}"></script>`}</head>
<body><header><a class="brand" href="/">railyard</a>${nav}</header><main>${body}</main></body></html>`;
}

export const badge = (status: string): Html => html`<span class="badge ${status}" data-status="${status}">${status}</span>`;
export const time = (ms: number | undefined): Html => (ms === undefined ? html`–` : html`<time datetime="${new Date(ms).toISOString()}">${new Date(ms).toISOString().replace('T', ' ').slice(0, 19)}</time>`);
