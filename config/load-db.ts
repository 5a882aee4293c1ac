import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { deepFreeze } from './env.ts';
import type { DbConfig } from './db-types.ts';
import { checkSchema } from './check-schema.ts';
import { hostAccessProblems } from './host-access.ts';
import { interpolate } from './interpolate.ts';
import { parseYaml, type SourceMap } from './parse-yaml.ts';
import { mayHoldIntegerFloat, pyStr } from './py-str.ts';
import type { ConfigProblem } from './problem.ts';
import { formatProblem, pointerOf } from './problem.ts';
import { semanticChecks } from './semantic-checks.ts';
import { configWarnings } from './warnings.ts';
import { RailyardError } from '../core/errors.ts';

/** db.yml files over this size are refused before parsing. */
export const MAX_DB_BYTES = 5 * 1024 * 1024;

export type DbCheck =
  | { readonly ok: true; readonly config: DbConfig; readonly problems: readonly []; readonly warnings: readonly ConfigProblem[] }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/**
 * Parses and checks db.yml text: YAML (positions kept), `${VAR}` references,
 * the JSON Schema (defaults filled in), then the semantic checks. Pure: reads
 * nothing but its arguments. The config it returns is deep-frozen.
 */
export function checkDb(text: string, file: string, vars: Readonly<Record<string, string>>): DbCheck {
  const parsed = parseYaml(text, file);
  if (parsed.problems.length > 0) return { ok: false, problems: parsed.problems };
  const resolved = interpolate(parsed.value ?? null, vars, parsed.source, file);
  const checked = checkSchema(resolved.value, parsed.source, file);
  const schemaProblems = checked.filter((p) => p.severity !== 'warning');
  const problems = [...resolved.problems, ...schemaProblems];
  const raw = rawScalar(text, parsed.source);
  if (schemaProblems.length === 0) problems.push(...semanticChecks(normalize(resolved.value, raw), parsed.source, file));
  if (problems.length > 0) return { ok: false, problems: sortProblems(problems) };
  const config = deepFreeze(normalize(resolved.value, raw));
  const refused = hostAccessProblems(config, vars, parsed.source, file);
  if (refused.length > 0) return { ok: false, problems: sortProblems(refused) };
  const schemaWarnings = checked.filter((p) => p.severity === 'warning');
  return { ok: true, config, problems: [], warnings: sortProblems([...schemaWarnings, ...configWarnings(config, parsed.source, file)]) };
}

/** How db.yml text is checked: `checkDb`, or a cached check (config/db-cache.ts `cachedCheck`). */
export type DbChecker = (text: string, file: string, vars: Readonly<Record<string, string>>) => DbCheck | Promise<DbCheck>;

/** Reads db.yml from disk (size-capped) and checks it. */
export async function loadDb(path: string, vars: Readonly<Record<string, string>>, label = path, check: DbChecker = checkDb): Promise<DbCheck> {
  return check(await readDbFile(path), label, vars);
}

/** Like loadDb, but a broken file is a CONFIG_INVALID error listing every problem. */
export async function requireDb(path: string, vars: Readonly<Record<string, string>>, label = path, check: DbChecker = checkDb): Promise<DbConfig> {
  const result = await loadDb(path, vars, label, check);
  if (result.ok) return result.config;
  const lines = result.problems.map(formatProblem);
  throw new RailyardError('CONFIG_INVALID', `${label} has ${lines.length} problem(s): ${lines[0] ?? ''}`, { data: { problems: result.problems } });
}

export async function readDbFile(path: string): Promise<string> {
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO (or a device) must not wait for a writer; it is then refused as not a regular file.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new RailyardError('CONFIG_NOT_FOUND', `${path} does not exist`, { cause: error });
    throw new RailyardError('CONFIG_UNREADABLE', `Cannot open ${path} (${code ?? 'error'})`, { cause: error });
  }
  try {
    const { size, isFile } = await handle.stat().then((s) => ({ size: s.size, isFile: s.isFile() }));
    if (!isFile) throw new RailyardError('CONFIG_UNREADABLE', `${path} is not a regular file`);
    if (size > MAX_DB_BYTES) {
      throw new RailyardError('CONFIG_TOO_LARGE', `${path} is ${(size / 1048576).toFixed(1)} MiB; db.yml files over ${MAX_DB_BYTES / 1048576} MiB are refused`);
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Turns schema-valid input into the loaded shape: itsUP's string enums as numbers, env values as strings. */
export function normalize(value: unknown, raw: RawScalar): DbConfig {
  const config = value as { projects: Record<string, unknown>[] };
  config.projects.forEach((project, p) => {
    if (project['description'] === null) delete project['description'];
    project['env'] = stringValues(project['env'], (key) => raw(['projects', p, 'env', key]));
    (project['services'] as Record<string, unknown>[]).forEach((service, s) => {
      service['env'] = stringValues(service['env'], (key) => raw(['projects', p, 'services', s, 'env', key]));
      for (const ingress of service['ingress'] as Record<string, unknown>[]) {
        const pp = ingress['proxyprotocol'];
        if (pp !== undefined) ingress['proxyprotocol'] = pp === null ? null : Number(pp);
      }
    });
  });
  return value as DbConfig;
}

export type RawScalar = (segments: readonly (string | number)[]) => string | undefined;

/** The text of a plain scalar in db.yml (looked up only when it may be an integer-valued float). */
export function rawScalar(text: string, source: SourceMap): RawScalar {
  if (!mayHoldIntegerFloat(text)) return () => undefined;
  const lines = text.split('\n');
  return (segments) => {
    const { line, col } = source.valueAt(pointerOf(segments));
    return /^[^\s#,\]}]+/.exec(lines[line - 1]?.slice(col - 1) ?? '')?.[0];
  };
}

/** Env values as itsUP writes them: Python's str() of non-strings; null stays unset. */
function stringValues(map: unknown, raw: (key: string) => string | undefined): Record<string, string | null> {
  return Object.fromEntries(
    Object.entries((map ?? {}) as Record<string, unknown>).map(([k, v]) => [k, v === null ? null : pyStr(v as string | number | boolean, () => raw(k))]),
  );
}

export function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.col - b.col || a.path.localeCompare(b.path));
}

/** Changes when the file is replaced or written (a checkout, an edit): `mtime|size|inode`. */
export async function fileSignature(path: string): Promise<string> {
  try {
    const s = await stat(path);
    return `${s.mtimeMs}|${s.size}|${s.ino}`;
  } catch {
    return 'absent';
  }
}
