import { FAILSAFE_SCHEMA, Type, types, type Schema } from 'js-yaml';

/**
 * YAML 1.1 scalars exactly as PyYAML's SafeLoader (itsUP's reader) resolves
 * them: `yes`/`no`/`on`/`off` are booleans, `0755` is octal, `1:30` is base 60,
 * a float needs a dot (`1e3` stays a string), `y` and `n` stay strings.
 * The patterns are PyYAML 6's resolver patterns.
 */
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** Sign and digits of a number with PyYAML's `_` separators removed. */
function signed(text: string): { sign: number; digits: string } {
  const clean = text.replaceAll('_', '');
  const sign = clean.startsWith('-') ? -1 : 1;
  return { sign, digits: /^[-+]/.test(clean) ? clean.slice(1) : clean };
}

/** `1:30:00` → 5400, as PyYAML reads base 60. */
function base60(digits: string): number {
  return digits.split(':').reduce((total, part) => total * 60 + Number(part), 0);
}

function constructInt(text: string): number {
  const { sign, digits } = signed(text);
  if (digits === '0') return 0;
  if (digits.startsWith('0b')) return sign * parseInt(digits.slice(2), 2);
  if (digits.startsWith('0x')) return sign * parseInt(digits.slice(2), 16);
  if (digits.startsWith('0')) return sign * parseInt(digits, 8);
  if (digits.includes(':')) return sign * base60(digits);
  return sign * Number(digits);
}

function constructFloat(text: string): number {
  const { sign, digits } = signed(text.toLowerCase());
  if (digits === '.inf') return sign * Infinity;
  if (digits === '.nan') return NaN;
  if (digits.includes(':')) return sign * base60(digits);
  return sign * Number(digits);
}

const BOOL_TAG = 'tag:yaml.org,2002:bool';
const INT_TAG = 'tag:yaml.org,2002:int';
const FLOAT_TAG = 'tag:yaml.org,2002:float';

/** js-yaml's float form (`.inf`, `.nan`, `1.e+21` with the dot PyYAML needs). */
const representFloat = (value: object): string => String((types.float.represent as (data: object) => string)(value));

const isNumber = (value: unknown): value is number => typeof value === 'number';

const bool11 = new Type(BOOL_TAG, {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && BOOL.test(data),
  construct: (data: string) => /^(?:yes|true|on)$/i.test(data),
  predicate: (value: unknown) => typeof value === 'boolean',
  represent: (value: object) => String(value),
});

const int11 = new Type(INT_TAG, {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && INT.test(data),
  construct: constructInt,
  predicate: (value: unknown) => isNumber(value) && Number.isInteger(value) && !Object.is(value, -0),
  // Past 2^53 JavaScript writes `1e+21`, a string to PyYAML: write it as a float.
  represent: (value: object) => (Number.isSafeInteger(value) ? String(value) : representFloat(value)),
});

const float11 = new Type(FLOAT_TAG, {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && FLOAT.test(data),
  construct: constructFloat,
  predicate: (value: unknown) => isNumber(value) && (!Number.isInteger(value) || Object.is(value, -0)),
  represent: representFloat,
});

/** What db.yml is read with: PyYAML's SafeLoader scalars, merge keys, timestamps. */
export const YAML11_SCHEMA: Schema = FAILSAFE_SCHEMA.extend({
  implicit: [types.null, bool11, int11, float11, types.timestamp, types.merge],
  explicit: [types.binary, types.omap, types.pairs, types.set],
});

/** A resolver that matches what either of two types matches. */
function either(tag: string, first: Type, second: Type): Type {
  return new Type(tag, {
    kind: 'scalar',
    resolve: (data: string | null) => Boolean(first.resolve(data) || second.resolve(data)),
    construct: first.construct,
    predicate: first.predicate ?? undefined,
    represent: first.represent ?? undefined,
  });
}

/**
 * What rendered files are written with: a string that a YAML 1.1 reader
 * (PyYAML) or a 1.2 reader (Compose and Traefik's go-yaml) would take for a
 * bool, number, null or date is quoted, so both read every string back as a string.
 */
export const QUOTE_SCHEMA: Schema = FAILSAFE_SCHEMA.extend({
  implicit: [types.null, either(BOOL_TAG, bool11, types.bool), either(INT_TAG, int11, types.int), either(FLOAT_TAG, float11, types.float), types.timestamp, types.merge],
});
