import { readFileSync } from 'node:fs';
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
  readonly abuseipdbApiKey: string | undefined;
  readonly traefikDomain: string | undefined;
  readonly traefikAdmin: string | undefined;
  readonly letsencryptEmail: string | undefined;
  /** @default false */
  readonly letsencryptStaging: boolean;
  readonly trustedIpsCidrs: readonly string[];
  readonly domainSuffix: string | undefined;
  /** @default 'info' */
  readonly logLevel: string;
  readonly hookAllowedCidrs: readonly string[];
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
    abuseipdbApiKey: str('ABUSEIPDB_API_KEY'),
    traefikDomain: str('TRAEFIK_DOMAIN'),
    traefikAdmin: str('TRAEFIK_ADMIN'),
    letsencryptEmail: str('LETSENCRYPT_EMAIL'),
    letsencryptStaging: bool('LETSENCRYPT_STAGING'),
    trustedIpsCidrs: list('TRUSTED_IPS_CIDRS'),
    domainSuffix: str('DOMAIN_SUFFIX'),
    logLevel,
    hookAllowedCidrs: list('HOOK_ALLOWED_CIDRS'),
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
