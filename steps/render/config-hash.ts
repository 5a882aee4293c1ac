import { createHash } from 'node:crypto';

/** The label carrying a rendered service's config hash. */
export const CONFIG_HASH_LABEL = 'railyard.config-hash';

/** What a service's config hash covers. */
export interface HashInput {
  /** The rendered compose service, without the hash label. */
  readonly service: Readonly<Record<string, unknown>>;
  /** Digest of each file or folder it reads from its project folder, by relative path. */
  readonly mounts: Readonly<Record<string, string>>;
}

/**
 * sha256 (hex) over the canonical JSON of the rendered service and the digests
 * of what it mounts: the same for the same content on any run or platform,
 * whatever the key order.
 */
export function configHash(input: HashInput): string {
  return sha256(canonicalJson({ service: input.service, mounts: input.mounts }));
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** JSON with object keys sorted (by code unit) at every level; `undefined` members are dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`Cannot hash the number ${String(value)}`);
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((item: unknown) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, child]) => child !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(',')}}`;
}
