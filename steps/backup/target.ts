import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Env } from '../../config/env.ts';
import { RailyardError } from '../../core/errors.ts';
import { createLocalTarget } from './local-target.ts';
import { s3Settings } from './s3-settings.ts';

/** An object in the target, as a listing returns it. */
export interface StoredObject {
  readonly key: string;
  readonly size: number;
  readonly modified: Date;
}

/** What verify recorded about a promoted archive. */
export interface Digest {
  readonly sha256: string;
  readonly size: number;
}

/** An object with the digest promote recorded on it (none on an unverified one). */
export interface ObjectInfo extends StoredObject {
  readonly digest: Digest | undefined;
}

/**
 * Where backups go: S3 or a local folder. The pipeline steps are one core; a
 * target supplies the storage operations, as webhooks.js's adapters do.
 */
export interface BackupTarget {
  /** `s3://bucket` or the local folder: for logs and `backup list`. */
  readonly description: string;
  /** Streams `body` to `key`; resolves once the object is durably stored. */
  upload(key: string, body: Readable, signal: AbortSignal): Promise<void>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Makes `from` available as `to`, with the digest recorded on it; `from` stays until deleted. */
  promote(from: string, to: string, digest: Digest): Promise<void>;
  /** Every object whose key starts with `prefix`, page by page. */
  list(prefix: string): AsyncIterable<StoredObject>;
  /** Deletes `key`; a key that is already gone is not an error. */
  delete(key: string): Promise<void>;
  download(key: string, signal: AbortSignal): Promise<Readable>;
  /** Aborts multipart uploads left under `prefix` by a crash (S3 only); returns how many. */
  abortStaleUploads?(prefix: string, before: Date): Promise<number>;
}

const cache = new WeakMap<Env, Promise<BackupTarget>>();

/**
 * The target for this environment: S3 when AWS_S3_BUCKET or AWS_S3_HOST is
 * set, otherwise `backups/` in the stack root. Built once per Env, so the
 * steps of a run share one S3 client. The AWS SDK is loaded only here, not by
 * every `railyard` command.
 */
export function openTarget(env: Env): Promise<BackupTarget> {
  let target = cache.get(env);
  if (target === undefined) {
    const s3 = s3Settings(env);
    target = s3 === undefined
      ? Promise.resolve(createLocalTarget(localBackupDir(env)))
      : Promise.all([import('./s3-client.ts'), import('./s3-target.ts')]).then(([c, t]) => t.createS3Target(c.createS3Client(s3), s3.bucket));
    cache.set(env, target);
  }
  return target;
}

export function localBackupDir(env: Env): string {
  return join(env.root, 'backups');
}

/** Runs a target operation, turning its failure into a BACKUP_TARGET_FAILED error. */
export async function onTarget<T>(target: BackupTarget, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof RailyardError) throw error;
    throw new RailyardError('BACKUP_TARGET_FAILED', `Could not ${what} on ${target.description}: ${oneLine(error)}`, { cause: error });
  }
}

export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  return message.split('\n')[0] ?? '';
}
