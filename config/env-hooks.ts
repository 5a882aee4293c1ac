// Parsers of the HTTP endpoint's settings: HOOK_MAX_BODY sizes and HOOK_ALLOWED_CIDRS.
import { isIP } from 'node:net';

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;
const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: MIB, mb: MIB, mib: MIB, g: GIB, gb: GIB, gib: GIB };

/** `5242880`, `512 KiB`, `5MiB`, `2 GiB` (units are binary); from 1 KiB to `max` (1 GiB unless given). */
export function byteSize(name: string, raw: string | undefined, fallback: number, problems: string[], max = GIB): number {
  if (raw === undefined) return fallback;
  const match = /^(\d+)\s*([a-z]*)$/i.exec(raw.trim());
  const unit = SIZE_UNITS[match?.[2]?.toLowerCase() ?? 'x'];
  const value = Number(match?.[1]) * (unit ?? NaN);
  if (!Number.isSafeInteger(value) || value < 1024 || value > max) {
    problems.push(`${name}=${JSON.stringify(raw)} must be a size from 1 KiB to ${max / GIB} GiB: bytes, or N KiB / N MiB / N GiB`);
    return fallback;
  }
  return value;
}

/**
 * Each item must be an address or `address/prefix` (IPv4 or IPv6); a bare
 * address is a /32 or /128. A value set to separators only (`,,,`) is an
 * error, not an empty list: for HOOK_ALLOWED_CIDRS that would allow everyone.
 */
export function cidrs(items: readonly string[], problems: string[], name = 'HOOK_ALLOWED_CIDRS', raw?: string): string[] {
  if (items.length === 0 && raw !== undefined && raw.trim() !== '') {
    problems.push(`${name}=${JSON.stringify(raw)} names no CIDR; give addresses or CIDRs (e.g. 10.8.0.0/24, 127.0.0.1), or leave it unset`);
  }
  return items.map((item) => {
    const [address = '', prefix, ...rest] = item.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const bits = prefix === undefined ? max : Number(prefix);
    if (family === 0 || rest.length > 0 || !/^\d{1,3}$/.test(prefix ?? String(max)) || bits > max) {
      problems.push(`${name}: ${JSON.stringify(item)} is not an IPv4 or IPv6 address or CIDR (e.g. 10.8.0.0/24, 127.0.0.1, ::1)`);
      return item;
    }
    return `${address}/${bits}`;
  });
}
