import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EnvReader } from './env-reader.ts';

/** Settings of the threat report; every path is absolute. */
export interface ThreatEnv {
  /**
   * Blacklist files (`THREAT_BLACKLIST`): `IP`, `IP:reason:timestamp`, CIDRs, `#` comments.
   * @default [`data/blacklist/blacklist-outbound-ips.txt`] (itsUP's), unless only THREAT_FAIL2BAN_LOG is set
   */
  readonly blacklist: readonly string[];
  /** fail2ban logs whose `Ban <ip>` lines are read, jail kept (`THREAT_FAIL2BAN_LOG`). @default [] */
  readonly fail2banLogs: readonly string[];
  /**
   * Never looked up or reported (`THREAT_WHITELIST`): IPs and CIDRs written inline, and files of them.
   * @default [`data/whitelist/whitelist-outbound-ips.txt`] (itsUP's) when that file exists
   */
  readonly whitelist: { readonly addresses: readonly string[]; readonly files: readonly string[] };
  /** `host[:port]` servers for reverse DNS (`THREAT_DNS_SERVERS`). @default [] (the system's) */
  readonly dnsServers: readonly string[];
  /** `RDAP_BASE_URL`, ending in `/`. @default 'https://rdap.org/' (redirects to the right registry) */
  readonly rdapBaseUrl: string;
  /** `ABUSEIPDB_BASE_URL`, ending in `/`. @default 'https://api.abuseipdb.com/api/v2/' */
  readonly abuseipdbBaseUrl: string;
  /** `THREAT_REPORT_FILE`. @default `reports/potential_threat_actors.csv` (itsUP's) */
  readonly reportFile: string;
  /** A MaxMind City database (`GEOIP_DB`, e.g. GeoLite2-City.mmdb): fills the country, city and coordinates columns. */
  readonly geoipDb: string | undefined;
  /** The report's NDJSON copy in ECS names, for Filebeat (`THREAT_NDJSON_FILE`). @default the CSV's path with `.ndjson` */
  readonly ndjsonFile: string;
  /** IPs looked up at once (`THREAT_CONCURRENCY`). @default 10 */
  readonly concurrency: number;
  /** At most `cap` AbuseIPDB requests per `intervalMs` (`ABUSEIPDB_RATE`: `N`, `N/s`, `N/min` or `N/h`). @default 10/s */
  readonly abuseipdbRate: { readonly cap: number; readonly intervalMs: number };
}

const THREAT_DEFAULTS = {
  blacklist: 'data/blacklist/blacklist-outbound-ips.txt',
  whitelist: 'data/whitelist/whitelist-outbound-ips.txt',
  report: 'reports/potential_threat_actors.csv',
  rdap: 'https://rdap.org/',
  abuseipdb: 'https://api.abuseipdb.com/api/v2/',
};
const RATE_UNITS: Readonly<Record<string, number>> = { s: 1000, sec: 1000, min: 60_000, m: 60_000, h: 3_600_000 };

/** The threat report's settings (THREAT_*, RDAP_BASE_URL, ABUSEIPDB_*), paths resolved against the stack root. */
export function threatEnv(root: string, read: EnvReader): ThreatEnv {
  const { str, list, int, problems } = read;
  const fail2banLogs = list('THREAT_FAIL2BAN_LOG').map((path) => resolve(root, path));
  const blacklist = list('THREAT_BLACKLIST').map((path) => resolve(root, path));
  const whitelistItems = list('THREAT_WHITELIST');
  const defaultWhitelist = resolve(root, THREAT_DEFAULTS.whitelist);
  // An item made only of address characters is an address; anything else names a file.
  const isAddress = (item: string): boolean => /^[0-9a-f:.]+(\/\d{1,3})?$/i.test(item) && /[.:]/.test(item);
  const reportFile = resolve(root, str('THREAT_REPORT_FILE') ?? THREAT_DEFAULTS.report);
  const url = (name: string, fallback: string): string => {
    const raw = str(name) ?? fallback;
    if (!/^https?:\/\/[^/\s]+/i.test(raw)) problems.push(`${name}=${JSON.stringify(raw)} must be an http(s) URL`);
    return raw.endsWith('/') ? raw : `${raw}/`;
  };
  return {
    blacklist: blacklist.length > 0 || fail2banLogs.length > 0 ? blacklist : [resolve(root, THREAT_DEFAULTS.blacklist)],
    fail2banLogs,
    whitelist: whitelistItems.length > 0
      ? {
          addresses: whitelistItems.filter(isAddress),
          files: whitelistItems.filter((item) => !isAddress(item)).map((path) => resolve(root, path)),
        }
      : { addresses: [], files: existsSync(defaultWhitelist) ? [defaultWhitelist] : [] },
    dnsServers: list('THREAT_DNS_SERVERS'),
    rdapBaseUrl: url('RDAP_BASE_URL', THREAT_DEFAULTS.rdap),
    abuseipdbBaseUrl: url('ABUSEIPDB_BASE_URL', THREAT_DEFAULTS.abuseipdb),
    reportFile,
    geoipDb: str('GEOIP_DB') === undefined ? undefined : resolve(root, str('GEOIP_DB')!),
    ndjsonFile: resolve(root, str('THREAT_NDJSON_FILE') ?? reportFile.replace(/(\.csv)?$/i, '.ndjson')),
    concurrency: int('THREAT_CONCURRENCY', 10, 1, 256),
    abuseipdbRate: rate(str('ABUSEIPDB_RATE'), problems),
  };
}

function rate(raw: string | undefined, problems: string[]): ThreatEnv['abuseipdbRate'] {
  if (raw === undefined) return { cap: 10, intervalMs: 1000 };
  const match = /^(\d+)(?:\/(\w+))?$/.exec(raw.trim());
  const cap = Number(match?.[1]);
  const intervalMs = RATE_UNITS[match?.[2] ?? 's'];
  if (match === null || intervalMs === undefined || !Number.isInteger(cap) || cap < 1 || cap > 100_000) {
    problems.push(`ABUSEIPDB_RATE=${JSON.stringify(raw)} must be requests per interval: N, N/s, N/min or N/h (N from 1 to 100000)`);
    return { cap: 10, intervalMs: 1000 };
  }
  return { cap, intervalMs };
}
