import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { RailyardError } from '../core/errors.ts';
import { blocksEnv, type BlocksEnv } from './env-blocks.ts';
import { byteSize, cidrs, GIB, MIB } from './env-hooks.ts';
import { networkPool, type NetworkPool } from './env-network.ts';
import { hostAccessPolicy, type HostAccessPolicy } from './host-access.ts';
import { envReader } from './env-reader.ts';
import { threatEnv, type ThreatEnv } from './env-threat.ts';

export type { ThreatEnv } from './env-threat.ts';
export type { BlocksEnv } from './env-blocks.ts';
export type { NetworkPool } from './env-network.ts';

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
  /** The username sent with GIT_TOKEN (`GIT_USERNAME`): GitHub, GitLab and Gitea take any; Bitbucket wants `x-token-auth`. @default 'x-access-token' */
  readonly gitUsername: string;
  readonly dockerHost: string | undefined;
  /** Folder of the Docker client config, whose `config.json` holds registry credentials (`DOCKER_CONFIG`). @default ~/.docker */
  readonly dockerConfig: string;
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
  /** A restore refuses archives that expand past this many bytes (`RESTORE_MAX_BYTES`: bytes, or N MiB / N GiB). @default 8 GiB */
  readonly restoreMaxBytes: number;
  /** A restore refuses archives that expand more than this many times their compressed size (`RESTORE_MAX_RATIO`): a gzip bomb. @default 100 */
  readonly restoreMaxRatio: number;
  readonly abuseipdbApiKey: string | undefined;
  /** The threat-report pipeline's sources, lookups and output (issue 7). */
  readonly threat: ThreatEnv;
  /** The block API and the host firewall (issue 15). */
  readonly blocks: BlocksEnv;
  readonly traefikDomain: string | undefined;
  readonly traefikAdmin: string | undefined;
  readonly letsencryptEmail: string | undefined;
  /** @default false */
  readonly letsencryptStaging: boolean;
  readonly trustedIpsCidrs: readonly string[];
  readonly domainSuffix: string | undefined;
  /** Traefik's `web` entrypoint (`TRAEFIK_WEB_ADDRESS`): itsUP's, where users forward port 80 to. @default ':8080' */
  readonly traefikWebAddress: string;
  /** Traefik's `web-secure` entrypoint (`TRAEFIK_WEB_SECURE_ADDRESS`): itsUP's, where users forward port 443 to. @default ':8443' */
  readonly traefikWebSecureAddress: string;
  /** Traefik's API (`TRAEFIK_API_URL`, e.g. `http://127.0.0.1:8080`): `routes` compares what it loaded, rollouts wait until it no longer lists a draining container. */
  readonly traefikApiUrl: string | undefined;
  /**
   * How long Traefik takes at most to apply a change (`TRAEFIK_THROTTLE_MS`,
   * its `providers.providersThrottleDuration`, 2 s unless set): without
   * TRAEFIK_API_URL to ask, a drained container stops this long after it
   * turned unhealthy, since Traefik may route to it until then. @default 2000
   */
  readonly traefikThrottleMs: number;
  /** @default 'info' */
  readonly logLevel: string;
  /** Sources allowed to call the HTTP endpoint (`HOOK_ALLOWED_CIDRS`), checked CIDRs; empty allows every source. @default [] */
  readonly hookAllowedCidrs: readonly string[];
  /** Request bodies past this many bytes get 413 before any parsing (`HOOK_MAX_BODY`: bytes, or `N KiB`/`N MiB`). @default 5 MiB */
  readonly hookMaxBody: number;
  /** Take the client address from `X-Forwarded-For` (`TRUST_PROXY`), when the peer is one of `trustedProxies`: only behind a reverse proxy. @default false */
  readonly trustProxy: boolean;
  /** The reverse proxies whose `X-Forwarded-For` is believed with TRUST_PROXY (`TRUSTED_PROXIES`, CIDRs). @default 127.0.0.0/8, ::1/128 */
  readonly trustedProxies: readonly string[];
  /** Bytes of request bodies held at once before their signature is checked, all sources together (`HOOK_UNAUTH_MEMORY`). @default 32 MiB */
  readonly hookUnauthMemory: number;
  /** The same, per source address (`HOOK_UNAUTH_PER_SOURCE`). @default 2 × HOOK_MAX_BODY, at most HOOK_UNAUTH_MEMORY */
  readonly hookUnauthPerSource: number;
  /** Settings that take over the host (privileged, host namespaces, the Docker socket...): warned about, or refused (`HOST_ACCESS`, `HOST_ACCESS_ALLOW`). @default warn */
  readonly hostAccess: HostAccessPolicy;
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
  /** The pull (fetch, or clone) fails with GIT_TIMEOUT when it has not finished within this long (`GIT_TIMEOUT`, seconds). @default 60 */
  readonly gitTimeoutMs: number;
  /** `NO_COLOR` is set to anything but empty (https://no-color.org): no ANSI colours in CLI output. @default false */
  readonly noColor: boolean;
  /** Where railyard's dashboard is reached, for links in notifications (`RAILYARD_URL`). @default http://HOST:PORT (localhost for 0.0.0.0) */
  readonly publicUrl: string;
  /** Notification delivery (issue 14). */
  readonly notify: {
    /** Attempts per notification, the first included (`NOTIFY_ATTEMPTS`). @default 4 */
    readonly attempts: number;
    /** One attempt's time limit (`NOTIFY_TIMEOUT`, seconds). @default 5 */
    readonly timeoutMs: number;
    /** The wait before the 2nd attempt, doubled after each (`NOTIFY_BACKOFF_MS`). @default 1000 */
    readonly backoffMs: number;
  };
  /** Project networks' subnets (`RAILYARD_NETWORK_POOL`, `RAILYARD_NETWORK_SUBNET`). @default 10.213.0.0/16 in /26s */
  readonly networkPool: NetworkPool;
  /** Every variable (environment over `.env`), for `${VAR}` references in db.yml. */
  readonly vars: Readonly<Record<string, string>>;
  /** Values that must never appear in a log line, error or response. */
  readonly secrets: readonly string[];
}

export interface LoadEnvOptions {
  /** Stack root; falls back to RAILYARD_ROOT, then the working directory. */
  readonly root?: string | undefined;
  /** @default process.env */
  readonly environ?: NodeJS.ProcessEnv;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * railyard's own secret settings: their values are masked everywhere (logs,
 * answers, stored errors, validate output), and db.yml's `${...}` may not
 * read them (config/interpolate.ts), so a push cannot copy them into a
 * container's environment.
 */
export const SECRET_SETTINGS: readonly string[] = Object.freeze([
  'API_KEY', 'GITHUB_WEBHOOK_SECRET', 'GIT_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'ABUSEIPDB_API_KEY', 'BLOCK_API_PASSWORD',
]);

/**
 * Reads the environment once into a frozen object. `.env` in the stack root is
 * loaded first; real environment variables win over it.
 */
export function loadEnv(options: LoadEnvOptions = {}): Env {
  const environ = options.environ ?? process.env;
  const explicitRoot = options.root ?? environ['RAILYARD_ROOT'];
  const root = resolve(explicitRoot ?? process.cwd());
  if (explicitRoot !== undefined) checkRoot(root, options.root !== undefined ? '--root' : 'RAILYARD_ROOT');
  const vars: Record<string, string> = { ...readDotEnv(root) };
  for (const [name, value] of Object.entries(environ)) if (value !== undefined) vars[name] = value;

  const read = envReader(vars);
  const { str, int, bool, list, problems } = read;

  const logLevel = str('LOG_LEVEL')?.toLowerCase() ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)} must be one of ${LOG_LEVELS.join(', ')}`);
  const apiKey = str('API_KEY');
  const port = int('PORT', 8888, 0, 65_535);
  const hookMaxBody = byteSize('HOOK_MAX_BODY', str('HOOK_MAX_BODY'), 5 * MIB, problems);
  const hookUnauthMemory = byteSize('HOOK_UNAUTH_MEMORY', str('HOOK_UNAUTH_MEMORY'), Math.max(32 * MIB, hookMaxBody), problems);
  if (hookUnauthMemory < hookMaxBody) problems.push(`HOOK_UNAUTH_MEMORY (${hookUnauthMemory}) must be at least HOOK_MAX_BODY (${hookMaxBody}): no delivery could be read`);
  const env: Env = {
    root,
    dbFile: str('RAILYARD_DB'),
    apiKey,
    githubWebhookSecret: str('GITHUB_WEBHOOK_SECRET') ?? apiKey,
    repoUrl: str('REPO_URL'),
    repoBranch: str('REPO_BRANCH') ?? 'main',
    gitToken: str('GIT_TOKEN'),
    gitUsername: str('GIT_USERNAME') ?? 'x-access-token',
    dockerHost: str('DOCKER_HOST'),
    dockerConfig: str('DOCKER_CONFIG') ?? join(homedir(), '.docker'),
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
    restoreMaxBytes: byteSize('RESTORE_MAX_BYTES', str('RESTORE_MAX_BYTES'), 8 * GIB, problems, 1024 * GIB),
    restoreMaxRatio: int('RESTORE_MAX_RATIO', 100, 2, 100_000),
    abuseipdbApiKey: str('ABUSEIPDB_API_KEY'),
    threat: threatEnv(root, read),
    blocks: blocksEnv(read),
    traefikDomain: str('TRAEFIK_DOMAIN'),
    traefikAdmin: str('TRAEFIK_ADMIN'),
    letsencryptEmail: str('LETSENCRYPT_EMAIL'),
    letsencryptStaging: bool('LETSENCRYPT_STAGING'),
    trustedIpsCidrs: list('TRUSTED_IPS_CIDRS'),
    domainSuffix: str('DOMAIN_SUFFIX'),
    traefikWebAddress: listenAddress('TRAEFIK_WEB_ADDRESS', str('TRAEFIK_WEB_ADDRESS'), ':8080', problems),
    traefikWebSecureAddress: listenAddress('TRAEFIK_WEB_SECURE_ADDRESS', str('TRAEFIK_WEB_SECURE_ADDRESS'), ':8443', problems),
    traefikApiUrl: httpUrl('TRAEFIK_API_URL', str('TRAEFIK_API_URL'), problems),
    traefikThrottleMs: int('TRAEFIK_THROTTLE_MS', TRAEFIK_THROTTLE_DEFAULT_MS, 0, 60_000),
    logLevel,
    hookAllowedCidrs: cidrs(list('HOOK_ALLOWED_CIDRS'), problems, 'HOOK_ALLOWED_CIDRS', str('HOOK_ALLOWED_CIDRS')),
    hookMaxBody,
    trustProxy: bool('TRUST_PROXY'),
    trustedProxies: str('TRUSTED_PROXIES') === undefined
      ? ['127.0.0.0/8', '::1/128']
      : cidrs(list('TRUSTED_PROXIES'), problems, 'TRUSTED_PROXIES', str('TRUSTED_PROXIES')),
    hookUnauthMemory,
    hookUnauthPerSource: unauthPerSource(str('HOOK_UNAUTH_PER_SOURCE'), hookMaxBody, hookUnauthMemory, problems),
    hostAccess: hostAccessPolicy(str('HOST_ACCESS'), list('HOST_ACCESS_ALLOW'), problems),
    shutdownGraceMs: int('SHUTDOWN_GRACE', 30, 0, 3600) * 1000,
    listenFd: str('LISTEN_PID') === String(process.pid) && Number(str('LISTEN_FDS') ?? 0) >= 1 ? 3 : undefined,
    host: str('HOST') ?? '0.0.0.0',
    port,
    concurrency: int('RAILYARD_CONCURRENCY', 2, 1, 64),
    runsKeepDays: int('RUNS_KEEP_DAYS', 30, 1, 36_500),
    runsKeep: int('RUNS_KEEP', 1000, 1, 10_000_000),
    gitTimeoutMs: int('GIT_TIMEOUT', 60, 1, 3600) * 1000,
    noColor: (str('NO_COLOR') ?? '') !== '',
    publicUrl: publicUrl(str('RAILYARD_URL'), str('HOST') ?? '0.0.0.0', port, problems),
    notify: {
      attempts: int('NOTIFY_ATTEMPTS', 4, 1, 20),
      timeoutMs: int('NOTIFY_TIMEOUT', 5, 1, 300) * 1000,
      backoffMs: int('NOTIFY_BACKOFF_MS', 1000, 0, 600_000),
    },
    networkPool: networkPool(str('RAILYARD_NETWORK_POOL'), str('RAILYARD_NETWORK_SUBNET'), problems),
    vars: Object.freeze(vars),
    secrets: Object.freeze([
      ...new Set(
        SECRET_SETTINGS
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

/** A Traefik entrypoint address: `:8080` or `0.0.0.0:8080`. */
function listenAddress(name: string, raw: string | undefined, fallback: string, problems: string[]): string {
  if (raw === undefined) return fallback;
  const port = Number(/^[^\s/]*:(\d{1,5})$/.exec(raw)?.[1] ?? NaN);
  if (!(port >= 1 && port <= 65_535)) problems.push(`${name}=${JSON.stringify(raw)} must be an address such as :8080 or 0.0.0.0:8080`);
  return raw;
}

function httpUrl(name: string, raw: string | undefined, problems: string[]): string | undefined {
  if (raw === undefined) return undefined;
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) problems.push(`${name}=${JSON.stringify(raw)} must be an http(s) URL such as http://127.0.0.1:8080`);
  return raw.replace(/\/+$/, '');
}

/** RAILYARD_URL, or http://HOST:PORT (localhost when HOST listens on every address). */
function publicUrl(raw: string | undefined, host: string, port: number, problems: string[]): string {
  const explicit = httpUrl('RAILYARD_URL', raw, problems);
  if (explicit !== undefined) return explicit;
  const name = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/** Folders (`backups/itsup.tar.gz`) are allowed; `..`, a leading `/` and odd characters are not. */
function backupPrefix(raw: string | undefined, problems: string[]): string {
  if (raw === undefined) return 'itsup.tar.gz';
  const ok = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/.test(raw) && !raw.split('/').includes('..');
  if (!ok) problems.push(`BACKUP_PREFIX=${JSON.stringify(raw)} must be letters, digits, ".", "_", "-", with "/" between folder names`);
  return raw;
}

/** HOOK_UNAUTH_PER_SOURCE: room for at least one delivery of HOOK_MAX_BODY, at most HOOK_UNAUTH_MEMORY. */
function unauthPerSource(raw: string | undefined, maxBody: number, total: number, problems: string[]): number {
  const value = byteSize('HOOK_UNAUTH_PER_SOURCE', raw, Math.min(total, 2 * maxBody), problems);
  if (value < maxBody) problems.push(`HOOK_UNAUTH_PER_SOURCE (${value}) must be at least HOOK_MAX_BODY (${maxBody}): no delivery could be read`);
  return Math.min(value, total);
}

/** A stack root named by --root or RAILYARD_ROOT must exist: a typo would otherwise run the embedded sample. */
function checkRoot(root: string, from: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(root).isDirectory();
  } catch {
    throw new RailyardError('USAGE', `The stack root ${root} (${from}) does not exist; create it or fix the path`);
  }
  if (!isDir) throw new RailyardError('USAGE', `The stack root ${root} (${from}) is not a folder`);
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

/**
 * Traefik's own `providersThrottleDuration` default: it applies a change at
 * most this long after its last reload, so an unhealthy container can stay in
 * rotation that long (seen with a stand-in throttling as Traefik does: 22 of
 * 490 probes failed over 4 rollouts when the stop came right after the
 * unhealthy event). The default of TRAEFIK_THROTTLE_MS.
 */
export const TRAEFIK_THROTTLE_DEFAULT_MS = 2000;

/** What a drain waits on once a container is unhealthy (steps/rollout/drain.ts): Traefik's API, else its throttle. */
export type TraefikWait = Pick<Env, 'traefikApiUrl' | 'traefikThrottleMs'>;

/**
 * Freezes `value` and everything it holds (own enumerable keys). Indexed
 * loops, not Object.values: a command freezes each of 1,000 projects' trees
 * fresh from the caches, and the arrays Object.values made were half the cost.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  } else {
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) deepFreeze((value as Record<string, unknown>)[keys[i]!]);
  }
  return value;
}
