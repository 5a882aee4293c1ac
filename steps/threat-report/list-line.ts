import { parseTarget, type Target } from './ip.ts';

/**
 * Parses one line of a blacklist or whitelist file. Accepted, after stripping
 * a `#` comment and blanks:
 * - `IP` or `CIDR`, IPv4 or IPv6;
 * - `IP:reason:timestamp`, the container security monitor's format (the
 *   timestamp may itself hold colons); for IPv6 write `[IP]:reason:timestamp`
 *   to be unambiguous: without brackets the longest leading run of fields that
 *   forms an address is taken.
 * Anything after the first blank is ignored (`IP  reason`).
 * Returns `null` for a line without an entry, undefined for one that is not understood.
 */
export function parseListLine(line: string): Target | null | undefined {
  const text = (line.split('#')[0] ?? '').trim();
  if (text === '') return null;
  const token = text.split(/\s+/)[0] ?? '';
  const whole = parseTarget(token);
  if (whole !== undefined) return whole;
  if (token.startsWith('[')) {
    const close = token.indexOf(']');
    const rest = token.slice(close + 1);
    const suffix = /^\/\d{1,3}/.exec(rest)?.[0] ?? '';
    if (close < 0 || !/^(:|$)/.test(rest.slice(suffix.length))) return undefined;
    return parseTarget(`${token.slice(1, close)}${suffix}`);
  }
  const fields = token.split(':');
  const v4 = parseTarget(fields[0] ?? '');
  if (v4?.version === 4) return v4;
  for (let n = fields.length - 1; n >= 2; n--) {
    const candidate = parseTarget(fields.slice(0, n).join(':'));
    if (candidate?.version === 6) return candidate;
  }
  return undefined;
}
