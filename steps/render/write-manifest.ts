import { hash, randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What the last render wrote, per file: its content hash and the inode, size
 * and ctime it had right after. A file that still has all three was not touched
 * since, so its content need not be read again (issue 17: a no-change render
 * of 1,000 projects used to read all 2,006 files). ctime rather than mtime: any
 * write, chmod or rename updates it and `touch -r` cannot set it back, so a file
 * edited by hand, replaced or deleted is always read and rewritten.
 */
export interface ManifestEntry {
  readonly hash: string;
  readonly ino: number;
  readonly size: number;
  readonly ctimeMs: number;
}

export type Manifest = Readonly<Record<string, ManifestEntry>>;

const VERSION = 1;

/** Kept beside railyard.db in the root's `data/` folder. */
export function manifestFile(root: string): string {
  return join(root, 'data', 'render-manifest.json');
}

export function contentHash(content: string): string {
  // One-shot hash (Node >= 20.12): no Hash object per file. Not a security boundary: ino, size and ctime are.
  return hash('sha1', content, 'base64');
}

export function manifestEntry(hash: string, stats: Stats): ManifestEntry {
  return { hash, ino: stats.ino, size: stats.size, ctimeMs: stats.ctimeMs };
}

/** True when `stats` are those recorded right after railyard wrote `hash`. */
export function untouched(entry: ManifestEntry | undefined, hash: string, stats: Stats): boolean {
  return entry !== undefined && entry.hash === hash && entry.ino === stats.ino && entry.size === stats.size && entry.ctimeMs === stats.ctimeMs;
}

export interface LoadedManifest {
  readonly entries: Manifest;
  /** The file's text as read, to skip a rewrite that would change nothing. */
  readonly text: string | undefined;
}

/** An absent or damaged manifest is empty: every file is then compared by content, as before. */
export async function readManifest(root: string): Promise<LoadedManifest> {
  const text = await readFile(manifestFile(root), 'utf8').catch(() => undefined);
  if (text === undefined) return { entries: {}, text };
  try {
    const parsed = JSON.parse(text) as { version?: unknown; files?: unknown };
    const files = parsed.version === VERSION && parsed.files !== null && typeof parsed.files === 'object' ? (parsed.files as Manifest) : {};
    return { entries: files, text };
  } catch {
    return { entries: {}, text };
  }
}

/** Replaces the manifest (temp file + rename) when its content changed; losing it only costs reads. */
export async function saveManifest(root: string, loaded: LoadedManifest, entries: Manifest): Promise<void> {
  const text = JSON.stringify({ version: VERSION, files: entries });
  if (text === loaded.text) return;
  const file = manifestFile(root);
  await mkdir(join(root, 'data'), { recursive: true });
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`; // unique: another writer's temp is never renamed away
  await writeFile(temp, text);
  await rename(temp, file);
}
