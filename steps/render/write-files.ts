import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { lstatSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import PQueue from 'p-queue';
import { RailyardError } from '../../core/errors.ts';
import type { RenderedFile } from './types.ts';
import { contentHash, manifestEntry, readManifest, saveManifest, untouched, type ManifestEntry } from './write-manifest.ts';

/** Mode of a file railyard creates; an existing file keeps its own (an operator's chmod 600 survives). */
const NEW_FILE_MODE = 0o644;
/** A rendered .env holds the project's secrets: owner only, also when it exists with a wider mode (issue 12). */
const modeOf = (file: RenderedFile, existing: Stats | undefined): number =>
  file.kind === 'dotenv' ? (existing ? existing.mode & 0o7700 : 0o600) : existing ? existing.mode & 0o7777 : NEW_FILE_MODE;
/** Files compared with the disk at once. */
const CHECK_READS = 64;
/** Files written (and fsynced) at once: libuv's threads overlap the fsyncs. */
const WRITE_SYNCS = 32;

export interface WriteResult {
  /** Files written because their content changed (or they were new), in the order given. */
  readonly changed: readonly string[];
  /** Data folders that did not exist and were created. */
  readonly createdDirs: readonly string[];
}

/**
 * Writes rendered files under `root`: each one atomically (temp file, fsync,
 * rename) and only when its content changed; then creates the data folders.
 * Every path is checked first, so a refused path leaves everything untouched:
 * no absolute paths or `..`, and no symlink at any component below `root`.
 * Nothing is ever deleted.
 */
export async function writeFiles(root: string, files: readonly RenderedFile[], dirs: readonly string[] = []): Promise<WriteResult> {
  const base = resolve(root);
  await mkdir(base, { recursive: true });
  const guard = new PathGuard(base);
  const manifest = await readManifest(base);
  const entries: Record<string, ManifestEntry> = {};
  // A file the manifest says is as railyard left it is only stat-ed (in one synchronous pass: 2,000
  // lstat calls take a few ms, a pool of promises costs more than the calls); the others are read.
  const unknown: { file: RenderedFile; hash: string; existing: Stats | undefined }[] = [];
  // Nothing is written to an untouched file, so its folders need no symlink check; every other file gets it.
  for (const file of files) {
    const hash = hashOf(file);
    const known = manifest.entries[file.path];
    const quick = known === undefined || known.hash !== hash ? undefined : statOf(base, file.path);
    if (quick !== undefined && quick.isFile() && untouched(known, hash, quick)) {
      entries[file.path] = manifestEntry(hash, quick);
      continue;
    }
    unknown.push({ file, hash, existing: guard.check(file.path, 'file') });
  }
  const checked = await pooled(unknown, CHECK_READS, async ({ file, hash, existing }) => {
    if (existing && (await readFile(join(base, file.path), 'utf8')) === file.content) {
      let stats = existing;
      if (file.kind === 'dotenv' && (existing.mode & 0o077) !== 0) {
        await chmod(join(base, file.path), modeOf(file, existing));
        stats = await lstat(join(base, file.path)); // the chmod moved its ctime
      }
      entries[file.path] = manifestEntry(hash, stats);
      return undefined;
    }
    return { file, hash, mode: modeOf(file, existing) };
  });
  const pending = checked.filter((item) => item !== undefined);
  // A data folder that is there already is left alone (nothing is created); a missing one is checked.
  const missing = dirs.filter((dir) => statOf(base, dir)?.isDirectory() !== true);
  for (const dir of missing) guard.check(dir, 'dir');
  for (const { file } of pending) await guard.ensureParents(file.path);
  const folders = await pooled(pending, WRITE_SYNCS, async ({ file, hash, mode }) => {
    const path = join(base, file.path);
    const dir = await writeAtomic(path, file.content, mode).catch((error: unknown) => {
      throw fsError(error, file.path);
    });
    // Stat-ed after the rename, which sets the ctime the next render compares with.
    entries[file.path] = manifestEntry(hash, await lstat(path));
    return dir;
  });
  // Makes the renames durable: each folder once, however many files it got.
  await pooled([...new Set(folders)], WRITE_SYNCS, syncDir);
  const createdDirs: string[] = [];
  for (const dir of missing) if (await guard.ensureDir(dir)) createdDirs.push(dir);
  const kept: Record<string, ManifestEntry> = {};
  for (const { path } of files) if (entries[path] !== undefined) kept[path] = entries[path];
  await saveManifest(base, manifest, kept);
  return { changed: pending.map(({ file }) => file.path), createdDirs };
}

/** Content hashes of rendered files, by file: a project the render memo reused hands over the same objects. */
const hashes = new WeakMap<RenderedFile, readonly [string, string]>();

function hashOf(file: RenderedFile): string {
  const known = hashes.get(file);
  if (known !== undefined && known[0] === file.content) return known[1];
  const hash = contentHash(file.content);
  hashes.set(file, [file.content, hash]);
  return hash;
}

/** lstat of a path under the root (a plain relative path), or undefined when it is absent. */
function statOf(base: string, path: string): Stats | undefined {
  segments(path);
  try {
    // A plain relative path under a resolved root: joined without join's normalising pass (3,000 paths a render).
    return lstatSync(base.endsWith('/') ? base + path : `${base}/${path}`, { throwIfNoEntry: false });
  } catch {
    return undefined; // e.g. ENOTDIR: the careful check that follows says why
  }
}

/** `fn` of each item, at most `concurrency` at once; the results in the order of the items. */
async function pooled<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  return new PQueue({ concurrency }).addAll(items.map((item) => () => fn(item)));
}

/** lstat-checks each component of relative paths under a root, remembering what it saw. */
class PathGuard {
  readonly #seen = new Map<string, Stats | null>();
  constructor(readonly root: string) {}

  /** Refuses unsafe paths; returns the stats of an existing target (a regular file or folder). */
  check(path: string, want: 'file' | 'dir'): Stats | undefined {
    const parts = segments(path);
    for (let i = 1; i < parts.length; i++) {
      const stats = this.#lstat(parts.slice(0, i).join('/'));
      if (stats === null) return undefined;
      if (!stats.isDirectory()) throw unsafe(path, `${parts.slice(0, i).join('/')} is ${stats.isSymbolicLink() ? 'a symlink' : 'not a folder'}`);
    }
    const stats = this.#lstat(path);
    if (stats === null) return undefined;
    const ok = want === 'file' ? stats.isFile() : stats.isDirectory();
    if (!ok) throw unsafe(path, stats.isSymbolicLink() ? 'it is a symlink' : `it exists and is not a ${want === 'file' ? 'regular file' : 'folder'}`);
    return stats;
  }

  async ensureParents(path: string): Promise<void> {
    const parts = segments(path);
    for (let i = 1; i < parts.length; i++) await this.ensureDir(parts.slice(0, i).join('/'));
  }

  /** Creates one folder level at a time, re-checking each; true when the last level was created. */
  async ensureDir(path: string): Promise<boolean> {
    const parts = segments(path);
    let created = false;
    for (let i = 1; i <= parts.length; i++) {
      const sub = parts.slice(0, i).join('/');
      created = false;
      if (this.check(sub, 'dir') !== undefined) continue;
      await mkdir(join(this.root, sub)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw fsError(error, sub);
      });
      this.#seen.delete(sub);
      this.check(sub, 'dir'); // something may have raced us to it
      created = true;
    }
    return created;
  }

  #lstat(path: string): Stats | null {
    if (this.#seen.has(path)) return this.#seen.get(path) ?? null;
    let stats: Stats | null;
    try {
      stats = lstatSync(join(this.root, path), { throwIfNoEntry: false }) ?? null;
    } catch (error) {
      throw fsError(error, path);
    }
    this.#seen.set(path, stats);
    return stats;
  }
}

/** The `/`-separated parts of a path that must stay under the root. */
function segments(path: string): string[] {
  const parts = path.split('/');
  if (path === '' || path.startsWith('/') || path.includes('\\') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw unsafe(path, 'it is not a plain path inside the stack root');
  }
  return parts;
}

/** Writes a temp file, fsyncs it and renames it over `path`; returns the folder to fsync. */
async function writeAtomic(path: string, content: string, mode: number): Promise<string> {
  const dir = path.slice(0, path.lastIndexOf('/'));
  const temp = join(dir, `.${path.slice(dir.length + 1)}.${randomBytes(6).toString('hex')}.railyard-tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, path).catch(async (error: unknown) => {
    await rm(temp, { force: true });
    throw error;
  });
  return dir;
}

/** Makes the rename durable; some file systems cannot fsync a folder, which is fine. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}

function unsafe(path: string, why: string): RailyardError {
  return new RailyardError('RENDER_UNSAFE_PATH', `Refusing to write ${path}: ${why}`, { data: { path } });
}

function fsError(error: unknown, path: string): RailyardError {
  if (error instanceof RailyardError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return new RailyardError('RENDER_FAILED', `Cannot write ${path} (${code})`, { cause: error, data: { path } });
}
