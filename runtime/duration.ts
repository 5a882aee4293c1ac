const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a compose duration (`1m30s`, `500ms`, `10s`, `2h`) into milliseconds.
 * A bare number is seconds, as compose reads it. Throws a TypeError quoting the value.
 */
export function parseDuration(value: string | number): number {
  if (typeof value === 'number') return value * 1000;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new TypeError(`Invalid duration: ${JSON.stringify(value)} (expected e.g. "10s", "1m30s", "500ms")`);
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * (UNITS[p[2]!] ?? 0), 0);
}
