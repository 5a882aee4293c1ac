import { hash } from 'node:crypto';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { CacheFile } from './cache-file.ts';
import { checkSchema } from './check-schema.ts';
import { codeStamp, fileStamp } from './code-stamp.ts';
import type { DbConfig, Project } from './db-types.ts';
import { splitProjects } from './db-split.ts';
import { deepFreeze } from './env.ts';
import { hostAccessProblems, knownFindings, rememberFindings, type HostAccessFinding } from './host-access.ts';
import { interpolate } from './interpolate.ts';
import { checkDb, normalize, rawScalar, sortProblems, type DbCheck, type RawScalar, type DbChecker } from './load-db.ts';
import { expandedSize, MAX_EXPANDED_VALUES, sourceOf } from './parse-yaml.ts';
import { mayHoldIntegerFloat } from './py-str.ts';
import { projectClaims, rememberClaims, semanticChecks, type Claim } from './semantic-checks.ts';
import { configWarnings, projectWarnings, rememberWarnings, type KnownWarnings } from './warnings.ts';
import { YAML11_SCHEMA } from './yaml11.ts';

const VERSION = 2;

/**
 * Validated projects of db.yml, keyed by a hash of each project's own text
 * (issue 17 item 4: every command validated all 1,000 projects to change one).
 * The whole cache is keyed by the code, the stack's .env and db.yml's top-level
 * text: a change to any of them drops every entry. Each entry also records the
 * variables its text names (`${NAME}`), and is reused only while they keep
 * their values. It holds interpolated values (secrets among them), so its file
 * is the owner's only.
 */
export class DbCache {
  readonly #store: CacheFile<Entry>;
  #used = new Set<string>();
  /** How the last check went: project by project (the indexes checked afresh), or the whole file. */
  last: { readonly mode: 'projects'; readonly fresh: readonly number[] } | { readonly mode: 'whole' } | undefined;

  constructor(store: CacheFile<Entry> = new CacheFile<Entry>(undefined, VERSION)) {
    this.#store = store;
  }

  /** Starts a check under `key`: entries made under another key are dropped. */
  begin(key: string): void {
    this.#store.begin(key);
    this.#used = new Set();
  }

  /** The project checked from this text, if every variable it referred to still has the value it had. */
  get(chunk: string, vars: Readonly<Record<string, string>>): Project | undefined {
    const entry = this.#store.entries.get(chunk);
    if (entry === undefined || !entry.vars.every(([name, value]) => valueHash(vars[name]) === value)) return undefined;
    this.#used.add(chunk);
    identities.set(entry.project, `${this.#store.key}|${chunk}|${JSON.stringify(entry.vars)}`);
    // The project's own checks and warnings, found for this text before: only those across projects run again.
    if (entry.claims !== undefined) rememberClaims(entry.project, entry.claims);
    if (entry.warnings !== undefined) rememberWarnings(entry.project, entry.warnings);
    if (entry.hostAccess !== undefined) rememberFindings(entry.project, entry.hostAccess);
    return entry.project;
  }

  /**
   * Keeps a checked project: `parsed` is its value before interpolation (the
   * variables it names are recorded), with what its own checks, warnings and
   * host-access findings found (config/semantic-checks.ts, warnings.ts,
   * host-access.ts), once they ran.
   */
  set(chunk: string, parsed: unknown, project: Project, vars: Readonly<Record<string, string>>): void {
    this.#used.add(chunk);
    if (!jsonSafe(project)) return; // .inf, a timestamp...: checked afresh each time
    const names = [...referenced(parsed, new Set<string>())];
    const entry: Entry = { project, vars: names.map((name) => [name, valueHash(vars[name])]), claims: projectClaims(project), warnings: projectWarnings(project), hostAccess: knownFindings(project) };
    this.#store.set(chunk, entry);
    identities.set(project, `${this.#store.key}|${chunk}|${JSON.stringify(entry.vars)}`);
  }

  /** The entries last used, read from `file` (see CacheFile). */
  static async load(file: string): Promise<DbCache> {
    return new DbCache(await CacheFile.open<Entry>(file, VERSION));
  }

  /** Writes what the last check changed; entries it did not use (a project that changed or left) are dropped. */
  async save(): Promise<void> {
    for (const chunk of [...this.#store.entries.keys()]) if (!this.#used.has(chunk)) this.#store.delete(chunk);
    await this.#store.save();
  }
}

interface Entry {
  readonly project: Project;
  /** Each variable the project's text names, and a hash of its value then (`-` when it was unset). */
  readonly vars: readonly (readonly [string, string])[];
  /** What the project claims (routes, host ports), found by its own checks. */
  readonly claims?: readonly Claim[] | undefined;
  /** Its warnings by per-project check. */
  readonly warnings?: Readonly<Record<string, KnownWarnings>> | undefined;
  /** Its settings that hand a container the host (config/host-access.ts). */
  readonly hostAccess?: readonly HostAccessFinding[] | undefined;
}

/**
 * What a project checked through a DbCache was made from: the cache's key
 * (code, .env, top-level text), its own text and the variables it names. Two
 * projects with the same identity are equal, so a render memo can key on it
 * instead of serialising the project (steps/render/project-memo.ts).
 */
const identities = new WeakMap<Project, string>();

export function validatedIdentity(project: Project): string | undefined {
  return identities.get(project);
}

const textHash = (text: string): string => hash('sha1', text, 'base64');
const valueHash = (value: string | undefined): string => (value === undefined ? '-' : textHash(value));

/** Every NAME of a `${NAME…}` in the strings of a parsed value (more than interpolation reads, never fewer). */
function referenced(value: unknown, names: Set<string>): Set<string> {
  if (typeof value === 'string') {
    for (const match of value.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(match[1]!);
  } else if (value !== null && typeof value === 'object') {
    for (const child of Array.isArray(value) ? value : Object.values(value)) referenced(child, names);
  }
  return names;
}

/**
 * `checkDb`, reusing the validated projects whose text did not change. Only
 * the changed projects are parsed, interpolated and schema-checked; the checks
 * across projects (names, routes, host ports, host access, warnings) always run
 * on the whole config. Whenever anything is off (a layout it cannot split,
 * an alias across projects, a problem, an unknown key), the whole file is
 * checked as `checkDb` does, so problems and their positions are the same.
 */
export function checkDbCached(text: string, file: string, vars: Readonly<Record<string, string>>, cache: DbCache, shared = ''): DbCheck {
  const split = splitProjects(text);
  cache.last = { mode: 'whole' };
  if (split === undefined) return checkDb(text, file, vars);
  cache.begin(textHash(JSON.stringify([VERSION, codeStamp(), shared, split.header])));
  const config = incremental(text, split, file, vars, cache);
  return config ?? checkDb(text, file, vars);
}

function incremental(text: string, split: NonNullable<ReturnType<typeof splitProjects>>, file: string, vars: Readonly<Record<string, string>>, cache: DbCache): DbCheck | undefined {
  const header = parseAlone(split.header);
  if (header === null || typeof header !== 'object' || Array.isArray(header)) return undefined;
  const hashes = split.chunks.map(textHash);
  const projects: (Project | undefined)[] = hashes.map((chunk) => cache.get(chunk, vars));
  const fresh: number[] = [];
  const values: unknown[] = [];
  let size = expandedSize(header);
  for (const [index, chunk] of split.chunks.entries()) {
    if (projects[index] !== undefined) continue;
    const items = parseAlone(chunk);
    if (!Array.isArray(items) || items.length !== 1) return undefined;
    size += expandedSize(items[0]);
    fresh.push(index);
    values.push(items[0]);
  }
  if (size > MAX_EXPANDED_VALUES) return undefined;
  // Positions (of the whole file) are only looked up for a problem or a warning.
  const source = sourceOf(text);
  const resolved = interpolate({ ...(header as Record<string, unknown>), projects: values }, vars, source, file);
  if (resolved.problems.length > 0) return undefined;
  if (checkSchema(resolved.value, source, file).length > 0) return undefined;
  // An integer-valued float's text (normalize), looked up in the project's own text, as parsed alone.
  const raws = new Map<number, RawScalar>();
  const raw: RawScalar = ([, k, ...rest]) => {
    const chunk = split.chunks[fresh[k as number]!]!;
    if (!mayHoldIntegerFloat(chunk)) return undefined;
    let lookup = raws.get(k as number);
    if (lookup === undefined) raws.set(k as number, (lookup = rawScalar(chunk, sourceOf(chunk))));
    return lookup([0, ...rest]);
  };
  const checked = normalize(resolved.value, raw);
  fresh.forEach((index, k) => (projects[index] = checked.projects[k]));
  const config = deepFreeze({ ...checked, projects: projects as Project[] }) satisfies DbConfig;
  if (semanticChecks(config, source, file).length > 0) return undefined;
  if (hostAccessProblems(config, vars, source, file).length > 0) return undefined;
  const warnings = sortProblems(configWarnings(config, source, file));
  fresh.forEach((index, k) => cache.set(hashes[index]!, values[k], projects[index]!, vars));
  cache.last = { mode: 'projects', fresh };
  return { ok: true, config, problems: [], warnings };
}

/** The value of YAML text parsed by itself, or undefined when it does not parse. */
function parseAlone(text: string): unknown {
  try {
    return load(text, { schema: YAML11_SCHEMA }) ?? null;
  } catch {
    return undefined;
  }
}

/** True when JSON gives the same value back: plain objects, arrays, strings, finite numbers, booleans, null. */
function jsonSafe(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(jsonSafe);
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.entries(value).every(([key, child]) => key !== '__proto__' && child !== undefined && jsonSafe(child));
}

/** Kept beside railyard.db in the root's `data/` folder. */
export function dbCacheFile(root: string): string {
  return join(root, 'data', 'validate-cache.json');
}

/** One cache per file and process: `serve` and `worker` keep theirs between runs. */
const caches = new Map<string, DbCache>();

/**
 * A checker (for `loadDb`, `requireDb`) that reuses the projects validated by
 * the last check of this root, and (with `save`) keeps the new ones for the next
 * process. A cache that cannot be written costs time, never a result.
 */
export function cachedCheck(root: string, options: { readonly save: boolean }): DbChecker {
  const file = dbCacheFile(root);
  return async (text, label, vars) => {
    let cache = caches.get(file);
    if (cache === undefined) caches.set(file, (cache = await DbCache.load(file)));
    const result = checkDbCached(text, label, vars, cache, fileStamp(join(root, '.env')));
    if (options.save && result.ok) await cache.save().catch(() => undefined);
    return result;
  };
}
