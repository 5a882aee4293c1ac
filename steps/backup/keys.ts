import { randomBytes } from 'node:crypto';

/** One backup as its key names it: `<prefix>.<YYYYMMDDHHMMSS>` (UTC), itsUP's naming. */
export interface GenerationKey {
  readonly key: string;
  /** The 14-digit UTC timestamp: sorts as the generations' order. */
  readonly stamp: string;
  readonly date: Date;
}

const STAMP = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** `20260101120000` for a date, in UTC. */
export function stampOf(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export function dateOf(stamp: string): Date | undefined {
  const m = STAMP.exec(stamp);
  if (!m) return undefined;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(date.getTime()) || stampOf(date) !== stamp ? undefined : date;
}

export function generationKey(prefix: string, date: Date): string {
  return `${prefix}.${stampOf(date)}`;
}

/** The generation a key names, or undefined for any other key (staging objects, foreign files). */
export function parseGenerationKey(prefix: string, key: string): GenerationKey | undefined {
  if (!key.startsWith(`${prefix}.`)) return undefined;
  const stamp = key.slice(prefix.length + 1);
  const date = dateOf(stamp);
  return date === undefined ? undefined : { key, stamp, date };
}

/**
 * Where an archive is streamed before it is verified and promoted. Never a
 * generation name, so a partial upload can never be taken for a backup.
 */
export function stagingKey(prefix: string, date: Date): string {
  return `${stagingPrefix(prefix)}${stampOf(date)}.${randomBytes(4).toString('hex')}`;
}

export function stagingPrefix(prefix: string): string {
  return `${prefix}.staging.`;
}

/** The start time a staging key carries, or undefined when the key is not one. */
export function stagingDate(prefix: string, key: string): Date | undefined {
  if (!key.startsWith(stagingPrefix(prefix))) return undefined;
  return dateOf(key.slice(stagingPrefix(prefix).length).split('.')[0] ?? '');
}
