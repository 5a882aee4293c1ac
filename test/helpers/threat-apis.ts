// Real HTTP servers speaking the RDAP (RFC 9083) and AbuseIPDB v2 `check`
// response shapes, on 127.0.0.1 and a free port, for the threat report's tests
// and benchmark. Nothing reaches the internet.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLocalServer } from './local-server.ts';

export interface RecordedRequest {
  /** performance.now() at arrival. */
  readonly at: number;
  /** Path and query, as received. */
  readonly url: string;
  /** The `Key` header (AbuseIPDB), when sent. */
  readonly key: string | undefined;
}

export interface ApiServer {
  /** Base URL ending in `/`, for RDAP_BASE_URL / ABUSEIPDB_BASE_URL. */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  close(): Promise<void>;
}

/** A registry's view of a network, in brief; see rdapNetwork for the JSON it becomes. */
export interface RdapRecord {
  readonly name?: string;
  readonly org?: string;
  readonly country?: string;
  readonly abuseEmail?: string;
  readonly abusePhone?: string;
  /** The registrant's own e-mail (reported only when there is no abuse contact). */
  readonly orgEmail?: string;
  readonly remarks?: readonly string[];
}

export interface RdapServerOptions {
  /** `ip/<key>` → record; other keys get 404. */
  readonly records?: Readonly<Record<string, RdapRecord>>;
  readonly latencyMs?: number;
  /** Answer every request with a 302 to this base, as rdap.org redirects to the registry. */
  readonly redirectTo?: string;
  /** The first `count` requests get 429 with this Retry-After. */
  readonly throttle?: { readonly count: number; readonly retryAfter: string };
}

export function startRdapServer(options: RdapServerOptions = {}): Promise<ApiServer> {
  let served = 0;
  return listen(async (_req, res, url) => {
    await sleep(options.latencyMs ?? 0);
    const key = decodeURIComponent(url.pathname.replace(/^\/ip\//, ''));
    if (options.redirectTo !== undefined) return send(res, 302, undefined, { location: `${options.redirectTo}ip/${key}` });
    if (served++ < (options.throttle?.count ?? 0)) return send(res, 429, { errorCode: 429, title: 'Too Many Requests' }, { 'retry-after': options.throttle!.retryAfter });
    const record = url.pathname.startsWith('/ip/') ? options.records?.[key] : undefined;
    if (record === undefined) return send(res, 404, { errorCode: 404, title: 'Not Found' });
    send(res, 200, rdapNetwork(key, record), { 'content-type': 'application/rdap+json' });
  });
}

/** The RFC 9083 `ip network` object a registry such as ARIN answers with. */
export function rdapNetwork(key: string, record: RdapRecord): Record<string, unknown> {
  const vcard = (fn: string, extra: unknown[][] = []): unknown[] => ['vcard', [['version', {}, 'text', '4.0'], ['fn', {}, 'text', fn], ...extra]];
  const abuse = record.abuseEmail === undefined && record.abusePhone === undefined ? [] : [{
    objectClassName: 'entity',
    handle: 'ABUSE-1',
    roles: ['abuse'],
    vcardArray: vcard('Abuse', [
      ...(record.abuseEmail === undefined ? [] : [['email', {}, 'text', record.abuseEmail]]),
      ...(record.abusePhone === undefined ? [] : [['tel', { type: ['work', 'voice'] }, 'uri', `tel:${record.abusePhone}`]]),
    ]),
  }];
  const registrant = record.org === undefined ? [] : [{
    objectClassName: 'entity',
    handle: 'ORG-1',
    roles: ['registrant'],
    vcardArray: vcard(record.org, [['kind', {}, 'text', 'org'], ...(record.orgEmail === undefined ? [] : [['email', {}, 'text', record.orgEmail]])]),
    entities: abuse,
  }];
  return {
    rdapConformance: ['rdap_level_0'],
    objectClassName: 'ip network',
    handle: `NET-${key}`,
    startAddress: key.split('/')[0],
    ipVersion: key.includes(':') ? 'v6' : 'v4',
    ...(record.name !== undefined && { name: record.name }),
    ...(record.country !== undefined && { country: record.country }),
    ...(record.remarks !== undefined && { remarks: [{ title: 'description', description: record.remarks }] }),
    entities: record.org === undefined ? abuse : registrant,
  };
}

/** The `data` of AbuseIPDB's `check` answer (the fields the report reads). */
export interface AbuseReport {
  readonly abuseConfidenceScore: number;
  readonly totalReports: number;
  readonly usageType: string | null;
  readonly isTor: boolean;
  readonly lastReportedAt: string | null;
}

export interface AbuseIpdbServerOptions {
  /** The only key accepted in the `Key` header; others get 401. */
  readonly key: string;
  /** ipAddress → report; other addresses are clean (score 0). */
  readonly reports?: Readonly<Record<string, Partial<AbuseReport>>>;
  readonly latencyMs?: number;
  /** Daily quota: answers carry X-RateLimit-Remaining; once used up, 429 with a long Retry-After. */
  readonly quota?: number;
  /** The first check of each of these IPs gets 429 with this Retry-After (a burst limit). */
  readonly throttle?: { readonly ips: readonly string[]; readonly retryAfter: string };
}

export function startAbuseIpdbServer(options: AbuseIpdbServerOptions): Promise<ApiServer> {
  let answered = 0;
  const throttled = new Set<string>();
  return listen(async (req, res, url) => {
    await sleep(options.latencyMs ?? 0);
    if (req.headers['key'] !== options.key) {
      return send(res, 401, { errors: [{ detail: 'Authentication failed. Your API key is either missing, incorrect, or revoked.', status: 401 }] });
    }
    const ip = url.searchParams.get('ipAddress') ?? '';
    if (url.pathname !== '/check' || ip === '') return send(res, 422, { errors: [{ detail: 'The ip address must be a valid IPv4 or IPv6 address.', status: 422 }] });
    if (options.throttle?.ips.includes(ip) && !throttled.has(ip)) {
      throttled.add(ip);
      return send(res, 429, { errors: [{ detail: 'Too Many Requests', status: 429 }] }, { 'retry-after': options.throttle.retryAfter });
    }
    const quota = options.quota ?? Infinity;
    if (answered >= quota) {
      return send(res, 429, { errors: [{ detail: `Daily rate limit of ${quota} requests exceeded for this endpoint.`, status: 429 }] }, {
        'retry-after': '36000', 'x-ratelimit-limit': String(quota), 'x-ratelimit-remaining': '0',
      });
    }
    answered++;
    const limits = Number.isFinite(quota) ? { 'x-ratelimit-limit': String(quota), 'x-ratelimit-remaining': String(quota - answered) } : {};
    const report = { abuseConfidenceScore: 0, totalReports: 0, usageType: null, isTor: false, lastReportedAt: null, ...options.reports?.[ip] };
    send(res, 200, { data: { ipAddress: ip, isPublic: true, ipVersion: ip.includes(':') ? 6 : 4, isWhitelisted: false, ...report } }, limits);
  });
}

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

async function listen(handler: Handler): Promise<ApiServer> {
  const requests: RecordedRequest[] = [];
  const server = await startLocalServer((req, res) => {
    const key = req.headers['key'];
    requests.push({ at: performance.now(), url: req.url ?? '/', key: Array.isArray(key) ? key[0] : key });
    return handler(req, res, new URL(req.url ?? '/', 'http://localhost'));
  });
  return { url: server.url, requests, close: server.close };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

/** The most requests that arrived within any `windowMs` (a sliding window over arrival times). */
export function maxRequestsInWindow(requests: readonly RecordedRequest[], windowMs: number): number {
  const times = requests.map((r) => r.at).sort((a, b) => a - b);
  let max = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= windowMs) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}
