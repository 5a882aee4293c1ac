import { hash, randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
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

/** What identifies one version of the manifest file: a rename gives another inode, a write another ctime. */
type Signature = Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs' | 'ctimeMs'>;

const sameFile = (a: Signature, b: Signature): boolean =>
  a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;

/**
 * The manifest this process last read or wrote, per file, with the signature
 * of the file it was: while the file keeps it, it is not read and parsed again
 * (issue 17 item 4: a JSON of 2,000 entries per render). Another process's
 * manifest (renamed over it) or an edit has another signature and is read.
 */
const lastSeen = new Map<string, { readonly loaded: LoadedManifest; readonly signature: Signature }>();

/** An absent or damaged manifest is empty: every file is then compared by content, as before. */
export async function readManifest(root: string): Promise<LoadedManifest> {
  const file = manifestFile(root);
  // Stat-ed before it is read: a file replaced in between is read again next time, never taken for the older one.
  const stats = await lstat(file).catch(() => undefined);
  const last = lastSeen.get(file);
  if (stats !== undefined && last !== undefined && stats.isFile() && sameFile(stats, last.signature)) return last.loaded;
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const loaded = parseManifest(text);
  if (stats?.isFile() === true && text !== undefined) lastSeen.set(file, { loaded, signature: stats });
  else lastSeen.delete(file);
  return loaded;
}

function parseManifest(text: string | undefined): LoadedManifest {
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
  lastSeen.delete(file);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(text);
    await rename(temp, file);
    // The inode this process wrote, whoever renames another over it since: stat-ed through its descriptor, after the rename (which moves its ctime).
    lastSeen.set(file, { loaded: { entries, text }, signature: await handle.stat() });
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  } finally {
    await handle.close();
  }
}
