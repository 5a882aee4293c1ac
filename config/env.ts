import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { RailyardError } from '../pipeline/errors.ts';

/** The environment railyard runs with, read once (itsUP names kept). */
export interface Env {
  /** Stack root: holds db.yml, .env, upstream/, proxy/, data/, backups/. */
  readonly root: string;
  /** Explicit db.yml path (`RAILYARD_DB`), when set. */
  readonly dbFile: string | undefined;
  readonly apiKey: string | undefined;
  /** @default API_KEY */
  readonly githubWebhookSecret: string | undefined;
  readonly repoUrl: string | undefined;
  /** @default 'main' */
  readonly repoBranch: string;
  readonly gitToken: string | undefined;
  readonly dockerHost: string | undefined;
  readonly s3: {
    readonly accessKeyId: string | undefined;
    readonly secretAccessKey: string | undefined;
    readonly host: string | undefined;
    readonly region: string | undefined;
    readonly bucket: string | undefined;
  };
  /** Top-level folders of upstream/ left out of backups. */
  readonly backupExclude: readonly string[];
  /** @default 10 */
  readonly backupKeep: number;
  /** Backup key prefix: generations are `<prefix>.<YYYYMMDDHHMMSS>` (`BACKUP_PREFIX`). @default 'itsup.tar.gz' */
  readonly backupPrefix: string;
  /** A restore refuses archives with more entries than this (`RESTORE_MAX_ENTRIES`). @default 1000000 */
  readonly restoreMaxEntries: number;
  readonly abuseipdbApiKey: string | undefined;
  /** The threat-report pipeline's sources, lookups and output (issue 7). */
  readonly threat: ThreatEnv;
  readonly traefikDomain: string | undefined;
  readonly traefikAdmin: string | undefined;
  readonly letsencryptEmail: string | undefined;
  /** @default false */
  readonly letsencryptStaging: boolean;
  readonly trustedIpsCidrs: readonly string[];
  readonly domainSuffix: string | undefined;
  /** @default 'info' */
  readonly logLevel: string;
  /** Sources allowed to call the HTTP endpoint (`HOOK_ALLOWED_CIDRS`), checked CIDRs; empty allows every source. @default [] */
  readonly hookAllowedCidrs: readonly string[];
  /** Request bodies past this many bytes get 413 before any parsing (`HOOK_MAX_BODY`: bytes, or `N KiB`/`N MiB`). @default 5 MiB */
  readonly hookMaxBody: number;
  /** Take the client address from the last `X-Forwarded-For` entry (`TRUST_PROXY`): only behind a reverse proxy. @default false */
  readonly trustProxy: boolean;
  /** How long `serve` lets running jobs finish on SIGTERM before interrupting them (`SHUTDOWN_GRACE`, seconds). @default 30 */
  readonly shutdownGraceMs: number;
  /** Set under systemd socket activation (`LISTEN_FDS` for this `LISTEN_PID`): listen on fd 3. */
  readonly listenFd: number | undefined;
  /** @default 0.0.0.0 */
  readonly host: string;
  /** @default 8888 */
  readonly port: number;
  /** Global limit of pipelines running at once. @default 2 */
  readonly concurrency: number;
  /** Finished runs older than this many days are deleted (`RUNS_KEEP_DAYS`). @default 30 */
  readonly runsKeepDays: number;
  /** At most this many finished runs are kept (`RUNS_KEEP`). @default 1000 */
  readonly runsKeep: number;
  /** A git network operation fails after this long without progress (`GIT_TIMEOUT`, seconds). @default 60 */
  readonly gitTimeoutMs: number;
  /** Every variable (environment over `.env`), for `${VAR}` references in db.yml. */
  readonly vars: Readonly<Record<string, string>>;
  /** Values that must never appear in a log line, error or response. */
  readonly secrets: readonly string[];
}

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
  /** IPs looked up at once (`THREAT_CONCURRENCY`). @default 10 */
  readonly concurrency: number;
  /** At most `cap` AbuseIPDB requests per `intervalMs` (`ABUSEIPDB_RATE`: `N`, `N/s`, `N/min` or `N/h`). @default 10/s */
  readonly abuseipdbRate: { readonly cap: number; readonly intervalMs: number };
}

export interface LoadEnvOptions {
  /** Stack root; falls back to RAILYARD_ROOT, then the working directory. */
  readonly root?: string | undefined;
  /** @default process.env */
  readonly environ?: NodeJS.ProcessEnv;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads the environment once into a frozen object. `.env` in the stack root is
 * loaded first; real environment variables win over it.
 */
export function loadEnv(options: LoadEnvOptions = {}): Env {
  const environ = options.environ ?? process.env;
  const root = resolve(options.root ?? environ['RAILYARD_ROOT'] ?? process.cwd());
  const vars: Record<string, string> = { ...readDotEnv(root) };
  for (const [name, value] of Object.entries(environ)) if (value !== undefined) vars[name] = value;

  const problems: string[] = [];
  const str = (name: string): string | undefined => (vars[name] === undefined || vars[name] === '' ? undefined : vars[name]);
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name}=${JSON.stringify(raw)} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string): boolean => {
    const raw = str(name)?.toLowerCase();
    if (raw === undefined) return false;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${name}=${JSON.stringify(raw)} must be true or false`);
    return false;
  };
  const list = (name: string): string[] =>
    (str(name) ?? '').split(/[\s,]+/).filter((item) => item !== '');

  const logLevel = str('LOG_LEVEL')?.toLowerCase() ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)} must be one of ${LOG_LEVELS.join(', ')}`);
  const apiKey = str('API_KEY');
  const env: Env = {
    root,
    dbFile: str('RAILYARD_DB'),
    apiKey,
    githubWebhookSecret: str('GITHUB_WEBHOOK_SECRET') ?? apiKey,
    repoUrl: str('REPO_URL'),
    repoBranch: str('REPO_BRANCH') ?? 'main',
    gitToken: str('GIT_TOKEN'),
    dockerHost: str('DOCKER_HOST'),
    s3: {
      accessKeyId: str('AWS_ACCESS_KEY_ID'),
      secretAccessKey: str('AWS_SECRET_ACCESS_KEY'),
      host: str('AWS_S3_HOST'),
      region: str('AWS_S3_REGION'),
      bucket: str('AWS_S3_BUCKET'),
    },
    backupExclude: list('BACKUP_EXCLUDE'),
    backupKeep: int('BACKUP_KEEP', 10, 1, 10_000),
    backupPrefix: backupPrefix(str('BACKUP_PREFIX'), problems),
    restoreMaxEntries: int('RESTORE_MAX_ENTRIES', 1_000_000, 1, 100_000_000),
    abuseipdbApiKey: str('ABUSEIPDB_API_KEY'),
    threat: threatEnv(root, str, list, int, problems),
    traefikDomain: str('TRAEFIK_DOMAIN'),
    traefikAdmin: str('TRAEFIK_ADMIN'),
    letsencryptEmail: str('LETSENCRYPT_EMAIL'),
    letsencryptStaging: bool('LETSENCRYPT_STAGING'),
    trustedIpsCidrs: list('TRUSTED_IPS_CIDRS'),
    domainSuffix: str('DOMAIN_SUFFIX'),
    logLevel,
    hookAllowedCidrs: cidrs(list('HOOK_ALLOWED_CIDRS'), problems),
    hookMaxBody: byteSize('HOOK_MAX_BODY', str('HOOK_MAX_BODY'), 5 * MIB, problems),
    trustProxy: bool('TRUST_PROXY'),
    shutdownGraceMs: int('SHUTDOWN_GRACE', 30, 0, 3600) * 1000,
    listenFd: str('LISTEN_PID') === String(process.pid) && Number(str('LISTEN_FDS') ?? 0) >= 1 ? 3 : undefined,
    host: str('HOST') ?? '0.0.0.0',
    port: int('PORT', 8888, 0, 65_535),
    concurrency: int('RAILYARD_CONCURRENCY', 2, 1, 64),
    runsKeepDays: int('RUNS_KEEP_DAYS', 30, 1, 36_500),
    runsKeep: int('RUNS_KEEP', 1000, 1, 10_000_000),
    gitTimeoutMs: int('GIT_TIMEOUT', 60, 1, 3600) * 1000,
    vars: Object.freeze(vars),
    secrets: Object.freeze([
      ...new Set(
        ['API_KEY', 'GITHUB_WEBHOOK_SECRET', 'GIT_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'ABUSEIPDB_API_KEY']
          .map((name) => str(name))
          .filter((value): value is string => value !== undefined && value.length >= 4),
      ),
    ]),
  };
  if (problems.length > 0) {
    throw new RailyardError('ENV_INVALID', `Invalid environment: ${problems.join('; ')}`, { data: { problems } });
  }
  return deepFreeze(env);
}

const MIB = 1024 * 1024;
const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: MIB, mb: MIB, mib: MIB };

/** `5242880`, `512 KiB`, `5MiB` (k and M are binary); from 1 KiB to 1 GiB. */
function byteSize(name: string, raw: string | undefined, fallback: number, problems: string[]): number {
  if (raw === undefined) return fallback;
  const match = /^(\d+)\s*([a-z]*)$/i.exec(raw.trim());
  const unit = SIZE_UNITS[match?.[2]?.toLowerCase() ?? 'x'];
  const value = Number(match?.[1]) * (unit ?? NaN);
  if (!Number.isSafeInteger(value) || value < 1024 || value > 1024 * MIB) {
    problems.push(`${name}=${JSON.stringify(raw)} must be a size from 1 KiB to 1 GiB: bytes, or N KiB / N MiB`);
    return fallback;
  }
  return value;
}

/** Each item must be an address or `address/prefix` (IPv4 or IPv6); a bare address is a /32 or /128. */
function cidrs(items: readonly string[], problems: string[]): string[] {
  return items.map((item) => {
    const [address = '', prefix, ...rest] = item.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const bits = prefix === undefined ? max : Number(prefix);
    if (family === 0 || rest.length > 0 || !/^\d{1,3}$/.test(prefix ?? String(max)) || bits > max) {
      problems.push(`HOOK_ALLOWED_CIDRS: ${JSON.stringify(item)} is not an IPv4 or IPv6 address or CIDR (e.g. 10.8.0.0/24, 127.0.0.1, ::1)`);
      return item;
    }
    return `${address}/${bits}`;
  });
}

/** Folders (`backups/itsup.tar.gz`) are allowed; `..`, a leading `/` and odd characters are not. */
function backupPrefix(raw: string | undefined, problems: string[]): string {
  if (raw === undefined) return 'itsup.tar.gz';
  const ok = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/.test(raw) && !raw.split('/').includes('..');
  if (!ok) problems.push(`BACKUP_PREFIX=${JSON.stringify(raw)} must be letters, digits, ".", "_", "-", with "/" between folder names`);
  return raw;
}

const THREAT_DEFAULTS = {
  blacklist: 'data/blacklist/blacklist-outbound-ips.txt',
  whitelist: 'data/whitelist/whitelist-outbound-ips.txt',
  report: 'reports/potential_threat_actors.csv',
  rdap: 'https://rdap.org/',
  abuseipdb: 'https://api.abuseipdb.com/api/v2/',
};
const RATE_UNITS: Readonly<Record<string, number>> = { s: 1000, sec: 1000, min: 60_000, m: 60_000, h: 3_600_000 };

function threatEnv(
  root: string,
  str: (name: string) => string | undefined,
  list: (name: string) => string[],
  int: (name: string, fallback: number, min: number, max: number) => number,
  problems: string[],
): ThreatEnv {
  const fail2banLogs = list('THREAT_FAIL2BAN_LOG').map((path) => resolve(root, path));
  const blacklist = list('THREAT_BLACKLIST').map((path) => resolve(root, path));
  const whitelistItems = list('THREAT_WHITELIST');
  const defaultWhitelist = resolve(root, THREAT_DEFAULTS.whitelist);
  // An item made only of address characters is an address; anything else names a file.
  const isAddress = (item: string): boolean => /^[0-9a-f:.]+(\/\d{1,3})?$/i.test(item) && /[.:]/.test(item);
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
    reportFile: resolve(root, str('THREAT_REPORT_FILE') ?? THREAT_DEFAULTS.report),
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

function readDotEnv(root: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(resolve(root, '.env'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new RailyardError('CONFIG_UNREADABLE', `Cannot read ${resolve(root, '.env')}`, { cause: error });
  }
  return parseEnv(text) as Record<string, string>;
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
