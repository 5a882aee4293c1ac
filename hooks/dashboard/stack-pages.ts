import type { BackupListing, ScheduleView, ThreatTable } from './stack-data.ts';
import { badge, html, time, type Html } from './html.ts';

export function schedulesPage(schedules: readonly ScheduleView[]): Html {
  if (schedules.length === 0) return html`<h1>Schedules</h1><p>db.yml enables no schedule (<code>schedules:</code> with <code>backup</code>, <code>threat-report</code> or <code>reconcile</code>).</p>`;
  return html`<h1>Schedules</h1><p>Each schedule db.yml enables, its cron pattern (UTC) and the last run of its pipeline.</p>
  <div class="scroll"><table><thead><tr><th>schedule</th><th>pipeline</th><th>cron</th><th>next run</th><th>last run</th></tr></thead><tbody>
  ${schedules.map((s) => html`<tr data-schedule="${s.name}"><td>${s.name}</td><td>${s.pipeline}</td><td><code>${s.pattern}</code></td><td>${time(s.next)}</td>
    <td>${s.lastRun === undefined ? html`<span class="muted">never</span>` : html`<a href="/runs/${s.lastRun.id}">#${s.lastRun.id}</a> ${badge(s.lastRun.status)} ${time(s.lastRun.createdAt)}`}</td></tr>`)}
  </tbody></table></div>`;
}

/** `178 B`, `1.2 MB`: decimal units, as `railyard backup` prints sizes (it uses this one). */
export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function backupsPage(listing: BackupListing): Html {
  const head = html`<h1>Backups</h1><p>Generations in <code>${listing.target}</code>, newest first (as <code>railyard backup list</code> shows them).</p>`;
  if ('error' in listing) return html`${head}<p class="error" role="alert"><code>${listing.error.code}</code> ${listing.error.message}</p>`;
  if (listing.rows.length === 0) return html`${head}<p>No backups yet.</p>`;
  return html`${head}<div class="scroll"><table><thead><tr><th>key</th><th>size</th><th>date</th><th>verified</th><th>sha256</th></tr></thead><tbody>
  ${listing.rows.map((r) => html`<tr data-key="${r.key}"><td><code>${r.key}</code></td><td>${formatSize(r.size)}</td><td>${time(r.date)}</td>
    <td>${r.validated ? badge('validated') : html`<span class="badge failed">NOT validated</span>`}</td><td><code title="${r.sha256 ?? ''}">${r.sha256?.slice(0, 12) ?? '–'}</code></td></tr>`)}
  </tbody></table></div>`;
}

const coordinates = (row: Readonly<Record<string, string>>): { lat: number; lon: number } | undefined => {
  const lat = Number.parseFloat(row['geo_latitude'] ?? '');
  const lon = Number.parseFloat(row['geo_longitude'] ?? '');
  return Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon } : undefined;
};

/** The rows with coordinates on an equirectangular plane (x = lon, y = -lat), with a graticule: no map tiles, nothing fetched. */
function scatter(rows: readonly Readonly<Record<string, string>>[]): Html {
  const points = rows.flatMap((row) => {
    const at = coordinates(row);
    return at === undefined ? [] : [{ ...at, row }];
  });
  if (points.length === 0) return html``;
  const lines = [-120, -60, 0, 60, 120].map((x) => html`<line x1="${x}" y1="-90" x2="${x}" y2="90"></line>`);
  const parallels = [-60, -30, 0, 30, 60].map((y) => html`<line x1="-180" y1="${y}" x2="180" y2="${y}"></line>`);
  return html`<h2>Where they are</h2><svg class="scatter" viewBox="-180 -90 360 180" role="img" aria-label="${points.length} located address(es)">
  <rect class="sea" x="-180" y="-90" width="360" height="180"></rect><g class="grid">${lines}${parallels}</g>
  ${points.map((p) => html`<circle class="point" data-ip="${p.row['ip']}" cx="${p.lon.toFixed(3)}" cy="${(-p.lat).toFixed(3)}" r="2.5"><title>${p.row['ip']} ${[p.row['geo_city'], p.row['geo_country']].filter(Boolean).join(', ')} (score ${p.row['abuse_score'] || '–'})</title></circle>`)}
  </svg>`;
}

/** The columns shown, in this order, when the report has them; the rest is in the CSV. */
const SHOWN = ['ip', 'domain', 'org_name', 'country', 'abuse_score', 'total_reports', 'usage_type', 'is_tor', 'last_reported', 'source', 'jail', 'geo_country', 'geo_city', 'geo_latitude', 'geo_longitude'];

export function threatsPage(table: ThreatTable | undefined, file: string): Html {
  if (table === undefined) return html`<h1>Threat report</h1><p>No report yet: <code>${file}</code> is written by the <code>threat-report</code> pipeline.</p>`;
  const geo = table.rows.some((r) => coordinates(r) !== undefined || (r['geo_country'] ?? '') !== '');
  const columns = SHOWN.filter((c) => table.columns.includes(c) && (geo || !c.startsWith('geo_')));
  return html`<h1>Threat report</h1><p><code>${table.file}</code>, written ${time(table.modified)}: ${table.total} address(es)${table.total > table.rows.length ? html`, the first ${table.rows.length} shown` : ''}.</p>
  ${scatter(table.rows)}
  <div class="scroll"><table class="threats"><thead><tr>${columns.map((c) => html`<th>${c}</th>`)}</tr></thead><tbody>
  ${table.rows.map((r) => html`<tr data-ip="${r['ip']}">${columns.map((c) => html`<td>${r[c]}</td>`)}</tr>`)}
  </tbody></table></div>`;
}
