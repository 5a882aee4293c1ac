import type { ErrorObject, ValidateFunction } from 'ajv';
import { PATTERN_HINTS } from './db-schema.ts';
import { dbValidator } from './db-validator.ts';
import type { ConfigProblem, ConfigProblemCode } from './problem.ts';
import { pointerToPath } from './problem.ts';
import type { SourceMap } from './parse-yaml.ts';

let compiled: ValidateFunction | undefined;

/** Once per process, prebuilt when it can be: Ajv compilation costs more than validating a thousand projects. */
function validator(): ValidateFunction {
  compiled ??= dbValidator();
  return compiled;
}

/**
 * Where an unknown key is an error: railyard's own sections, which itsUP never
 * wrote. Anywhere else (itsUP's models, which ignore unknown keys) it is a
 * warning, and the key is dropped.
 */
const STRICT_PATHS = /^\/(schedules|notifications|runtime)(\/|$)|\/(healthcheck|rollout|depends_on)(\/|$)/;

/**
 * Validates (and fills defaults into) a parsed db.yml; returns one problem per
 * mistake, then the warnings (`severity: 'warning'`) for unknown keys it dropped.
 */
export function checkSchema(value: unknown, source: SourceMap, file: string): ConfigProblem[] {
  const validate = validator();
  if (validate(value)) return [];
  const unknown = (validate.errors ?? []).filter((e) => e.keyword === 'additionalProperties' && !STRICT_PATHS.test(e.instancePath));
  if (unknown.length === 0) return problemsOf(validate.errors ?? [], value, source, file);
  const warnings = unknown.map((error) => ({ ...toProblem(error, value, source, file), severity: 'warning' as const }));
  for (const error of unknown) dropKey(value, error.instancePath, String((error.params as Record<string, unknown>)['additionalProperty']));
  return [...(validate(value) ? [] : problemsOf(validate.errors ?? [], value, source, file)), ...warnings];
}

function dropKey(root: unknown, pointer: string, key: string): void {
  const node = valueAt(root, pointer);
  if (node !== null && typeof node === 'object') delete (node as Record<string, unknown>)[key];
}

function problemsOf(errors: readonly ErrorObject[], value: unknown, source: SourceMap, file: string): ConfigProblem[] {
  // An anyOf failure is reported once, by itself, not once per branch.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  return errors
    .filter((e) => !(e.schemaPath.includes('/anyOf/') && [...anyOfPaths].some((p) => e.instancePath.startsWith(p))))
    .map((error) => toProblem(error, value, source, file));
}

function toProblem(error: ErrorObject, root: unknown, source: SourceMap, file: string): ConfigProblem {
  const params = error.params as Record<string, unknown>;
  const found = describe(valueAt(root, error.instancePath));
  const problem = (code: ConfigProblemCode, pointer: string, message: string, onKey = false): ConfigProblem => ({
    code,
    file,
    ...(onKey ? source.keyAt(pointer) : source.valueAt(pointer)),
    path: pointerToPath(pointer),
    message,
  });
  switch (error.keyword) {
    case 'required':
      return problem('SCHEMA_REQUIRED', `${error.instancePath}/${String(params['missingProperty'])}`, 'is required but missing');
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const hint = closest(key, allowed);
      const pointer = `${error.instancePath}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (error.instancePath === '/plugins') {
        return problem('UNKNOWN_PLUGIN', pointer, `plugin "${key}" is not one railyard runs (only ${allowed.join(', ')}); it has no effect: remove the entry`, true);
      }
      const strict = STRICT_PATHS.test(error.instancePath);
      const effect = strict ? '' : '; it has no effect (itsUP ignored it too): fix the spelling or remove it';
      const message = allowed.length === 0
        ? `unknown key "${key}"${effect}`
        : `unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}${effect}; allowed keys: ${allowed.join(', ')}`;
      return problem(strict ? 'SCHEMA_UNKNOWN_KEY' : 'UNKNOWN_KEY', pointer, message, true);
    }
    case 'type':
      return problem('SCHEMA_TYPE', error.instancePath, `must be ${article(String(params['type']))}, found ${found}`);
    case 'anyOf':
      return problem('SCHEMA_TYPE', error.instancePath, `must be ${branches(error.schema)}, found ${found}`);
    case 'enum':
    case 'const': {
      const allowed = (params['allowedValues'] as unknown[] | undefined) ?? [params['allowedValue']];
      return problem('SCHEMA_ENUM', error.instancePath, `must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}, found ${found}`);
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return problem('SCHEMA_RANGE', error.instancePath, `${error.message ?? 'is out of range'}, found ${found}`);
    case 'pattern': {
      const hint = PATTERN_HINTS[String(params['pattern'])];
      return problem('SCHEMA_PATTERN', error.instancePath, `must be ${hint ?? `text matching ${String(params['pattern'])}`}, found ${found}`);
    }
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
      return problem('SCHEMA_LENGTH', error.instancePath, `${error.message ?? 'has the wrong length'}`);
    default:
      return problem('SCHEMA_INVALID', error.instancePath, error.message ?? 'is invalid');
  }
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}

function article(type: string): string {
  const words: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', integer: 'a whole number', number: 'a number', boolean: 'true or false', null: 'null' };
  return orList(type.split(',').map((t) => words[t] ?? t));
}

function orList(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1) ?? ''}`;
}

function branches(schema: unknown): string {
  const list = Array.isArray(schema) ? (schema as { type?: string; const?: unknown; pattern?: string }[]) : [];
  const words = list.map((b) => {
    if (b.pattern) return PATTERN_HINTS[b.pattern] ?? 'a string';
    if (b.type) return article(String(b.type));
    return JSON.stringify(b.const);
  });
  return orList([...new Set(words)]) || 'of another shape';
}

/** The allowed key nearest to a misspelt one (edit distance ≤ 2), for "did you mean". */
function closest(key: string, allowed: readonly string[]): string | undefined {
  let best: { word: string; distance: number } | undefined;
  for (const word of allowed) {
    const distance = editDistance(key.toLowerCase(), word.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { word, distance };
  }
  return best?.word;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
