import { parseGenerationKey, stagingDate, type GenerationKey } from './keys.ts';
import type { BackupTarget, Digest, StoredObject } from './target.ts';

/** A backup in the target. */
export interface Generation extends GenerationKey {
  readonly size: number;
  readonly modified: Date;
}

/** A generation with what verify recorded: validated when the recorded size is the object's. */
export interface CheckedGeneration extends Generation {
  readonly digest: Digest | undefined;
  readonly validated: boolean;
}

export interface Listing {
  /** Newest first. */
  readonly generations: readonly Generation[];
  /** Staging objects (uploads never promoted), with the time their run started. */
  readonly staging: readonly (StoredObject & { readonly started: Date })[];
}

/** Every generation and staging object under the prefix, through every page of the listing. */
export async function listBackups(target: BackupTarget, prefix: string): Promise<Listing> {
  const generations: Generation[] = [];
  const staging: (StoredObject & { started: Date })[] = [];
  for await (const object of target.list(`${prefix}.`)) {
    const generation = parseGenerationKey(prefix, object.key);
    if (generation !== undefined) generations.push({ ...generation, size: object.size, modified: object.modified });
    const started = stagingDate(prefix, object.key);
    if (started !== undefined) staging.push({ ...object, started });
  }
  generations.sort((a, b) => (a.stamp < b.stamp ? 1 : a.stamp > b.stamp ? -1 : 0));
  return { generations, staging };
}

/** Reads each generation's recorded digest (a HEAD per key, `concurrency` at a time). */
export async function checkGenerations(
  target: BackupTarget,
  generations: readonly Generation[],
  concurrency = 8,
): Promise<CheckedGeneration[]> {
  return mapLimit(generations, concurrency, async (generation) => {
    const head = await target.head(generation.key);
    const digest = head?.digest;
    return { ...generation, digest, validated: digest !== undefined && head?.size === digest.size };
  });
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
