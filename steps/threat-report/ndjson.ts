import type { Row } from './csv.ts';
import { isSingle, parseTarget } from './ip.ts';
import { PENDING } from './report.ts';

/**
 * The report as NDJSON, one object per address or network, in Elastic
 * Common Schema names (source.ip, source.geo.*, source.as.organization.name,
 * threat.indicator.*), so Filebeat or Logstash ship it as it is. Empty
 * fields are left out; what ECS has no name for is under `railyard.*`.
 */
export function formatNdjson(rows: readonly Row[], now: string): string {
  return rows.map((row) => `${JSON.stringify(ecsDocument(row, now))}\n`).join('');
}

export function ecsDocument(row: Row, now: string): Record<string, unknown> {
  const target = parseTarget(row.ip);
  const single = target !== undefined && isSingle(target);
  const type = target?.version === 6 ? 'ipv6-addr' : 'ipv4-addr';
  const score = row.abuse_score === PENDING ? undefined : number(row.abuse_score);
  const latitude = number(row.geo_latitude);
  const longitude = number(row.geo_longitude);
  return prune({
    '@timestamp': row.last_updated || now,
    event: { kind: 'enrichment', category: ['threat'], type: ['indicator'], dataset: 'railyard.threat_report', created: row.first_seen },
    source: {
      ...(single ? { ip: row.ip } : {}),
      address: row.ip,
      domain: row.domain.startsWith('(') ? undefined : row.domain,
      geo: {
        country_iso_code: row.geo_country || row.country,
        city_name: row.geo_city,
        location: latitude !== undefined && longitude !== undefined ? { lat: latitude, lon: longitude } : undefined,
      },
      as: { organization: { name: row.org_name } },
    },
    threat: {
      indicator: {
        type: single ? type : undefined,
        ip: single ? row.ip : undefined,
        first_seen: row.first_seen,
        last_seen: row.last_reported,
        confidence: score === undefined ? undefined : score >= 75 ? 'High' : score >= 25 ? 'Medium' : 'Low',
        description: row.description,
      },
    },
    tags: [...split(row.source), ...split(row.jail).map((jail) => `jail:${jail}`)],
    railyard: {
      subnet: row.subnet,
      network: single ? undefined : row.ip,
      abuse_score: score,
      abuse_pending: row.abuse_score === PENDING ? true : undefined,
      total_reports: number(row.total_reports),
      usage_type: row.usage_type,
      // itsUP writes `Yes` or nothing.
      is_tor: row.is_tor === '' ? undefined : /^(yes|true)$/i.test(row.is_tor),
      abuse_emails: split(row.emails, /[,;\s]+/),
      abuse_phone: row.phone.replace(/^'/, ''),
      reported_to_abuseipdb: row.reported_to_abuseipdb,
      sources: split(row.source),
      jails: split(row.jail),
    },
  }) as Record<string, unknown>;
}

function number(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function split(text: string, by = /\s+/): string[] {
  return text.split(by).filter((item) => item !== '');
}

/** Drops undefined, empty strings, empty arrays and objects left empty. */
function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? undefined : value;
  if (value === null || typeof value !== 'object') return value === '' ? undefined : value;
  const entries = Object.entries(value).map(([k, v]) => [k, prune(v)] as const).filter(([, v]) => v !== undefined);
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}
