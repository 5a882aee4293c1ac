/**
 * How itsUP writes a non-string env value: Python's `str()` of what PyYAML
 * loaded (`True`, `False`, `1.0`, `1e-05`), since its template joins the value
 * to a string. A float that holds an integer (`1.0`) cannot be told from an
 * int once loaded, so `rawText` gives the value's text in db.yml when asked.
 */
export function pyStr(value: string | number | boolean, rawText: () => string | undefined): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (!Number.isInteger(value)) return pyFloat(value);
  return isFloatText(rawText()) ? pyFloat(value) : String(value);
}

/** PyYAML 1.1 floats need a dot, or are .inf/.nan (see yaml11.ts). */
function isFloatText(text: string | undefined): boolean {
  return text !== undefined && /^[-+]?(?:[0-9][0-9_:]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|\.(?:inf|Inf|INF|nan|NaN|NAN))$/.test(text);
}

/** Python's float repr: shortest digits, fixed notation for 1e-4 ≤ |x| < 1e16, else `1e+16` / `1.5e-07`. */
export function pyFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(value);
  if (abs >= 1e16 || abs < 1e-4) {
    return value.toExponential().replace(/e([-+])(\d)$/, 'e$10$2');
  }
  const fixed = String(value);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

/** True when db.yml may hold an integer-valued float (`1.0`), so raw texts are worth looking up. */
export function mayHoldIntegerFloat(text: string): boolean {
  return /[0-9]\.[0-9_]*(?:[eE][-+][0-9]+)?[ \t]*(?:#.*)?$/m.test(text) || /\.(?:inf|Inf|INF|nan|NaN|NAN)\b/.test(text);
}
