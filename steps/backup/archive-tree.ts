import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { RailyardError } from '../../core/errors.ts';
import { gzipPieces } from './gzip-pump.ts';
import { encodeHeader, padding, TAR_END } from './tar-encode.ts';

export interface ArchiveOptions {
  /** Folder that holds the tree (the stack root). */
  readonly cwd: string;
  /** The folder archived, relative to `cwd`: entries are named `upstream/…`. */
  readonly folder: string;
  /** Top-level folders of `folder` left out (`BACKUP_EXCLUDE`). */
  readonly exclude: readonly string[];
  /** A file was skipped (it vanished mid-read, or is a socket) or changed while read. */
  readonly onWarning?: (path: string, reason: string) => void;
  /** An entry was read (for progress, and for tests that change the tree mid-archive). */
  readonly onEntry?: (path: string) => void;
}

/** Counts, final once the stream has ended. */
export interface ArchiveStats {
  entries: number;
  /** Bytes of file data read (before compression). */
  bytes: number;
  skipped: number;
}

const READ_CHUNK = 256 * 1024;

/**
 * Streams a tar.gz of `cwd/folder`, never holding more than a few chunks. The
 * walk is railyard's and tar encodes the entries (node-tar's Pack aborts when a
 * file vanishes between readdir and lstat). A file or folder that vanishes
 * mid-read is skipped and reported; one that cannot be read fails the stream
 * with BACKUP_ARCHIVE_FAILED: a backup with holes is not a backup.
 */
export function archiveTree(options: ArchiveOptions): { stream: Readable; stats: ArchiveStats } {
  const stats: ArchiveStats = { entries: 0, bytes: 0, skipped: 0 };
  const buffer = Buffer.allocUnsafe(READ_CHUNK); // reused for every read: see gzipPieces
  return { stream: gzipPieces(walk(options, stats, buffer)), stats };
}

async function* walk(options: ArchiveOptions, stats: ArchiveStats, buffer: Buffer): AsyncGenerator<Buffer> {
  const root = join(options.cwd, options.folder);
  // The folder itself may be a symlink (upstream -> /data/upstream); what is inside is archived as it is.
  const info = await stat(root).catch((error: unknown) => {
    throw unreadable(options.folder, error);
  });
  if (!info.isDirectory()) throw new RailyardError('BACKUP_ARCHIVE_FAILED', `${root} is not a folder`);
  yield* folder(options, stats, options.folder, info, buffer);
  yield TAR_END;
}

async function* folder(options: ArchiveOptions, stats: ArchiveStats, path: string, info: Stats, buffer: Buffer): AsyncGenerator<Buffer> {
  const absolute = join(options.cwd, path);
  let names: string[];
  try {
    names = (await readdir(absolute)).sort();
  } catch (error) {
    if (vanished(error)) return skip(options, stats, path, 'vanished while read');
    throw unreadable(path, error);
  }
  yield encodeHeader({ path: `${path}/`, type: 'Directory', stat: info, size: 0 });
  entry(options, stats, path);
  for (const name of names) {
    if (path === options.folder && options.exclude.includes(name)) continue;
    const child = `${path}/${name}`;
    const childInfo = await lstat(join(options.cwd, child)).catch((error: unknown) => {
      if (vanished(error)) return undefined;
      throw unreadable(child, error);
    });
    if (childInfo === undefined) skip(options, stats, child, 'vanished while read');
    else if (childInfo.isDirectory()) yield* folder(options, stats, child, childInfo, buffer);
    else if (childInfo.isFile()) yield* file(options, stats, child, buffer);
    else if (childInfo.isSymbolicLink()) yield* symlink(options, stats, child, childInfo);
    else skip(options, stats, child, 'not a file, folder or symlink');
  }
}

async function* file(options: ArchiveOptions, stats: ArchiveStats, path: string, buffer: Buffer): AsyncGenerator<Buffer> {
  let handle: FileHandle;
  try {
    // O_NOFOLLOW: a file swapped for a symlink since lstat is not followed out of the tree.
    handle = await open(join(options.cwd, path), constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if (vanished(error)) return skip(options, stats, path, 'vanished while read');
    throw unreadable(path, error);
  }
  try {
    const info = await handle.stat(); // the open file's own size, mode and time
    if (!info.isFile()) return skip(options, stats, path, 'not a file, folder or symlink');
    yield encodeHeader({ path, type: 'File', stat: info, size: info.size });
    const read = yield* fileData(handle, info.size, path, buffer);
    stats.bytes += read;
    if (read < info.size) options.onWarning?.(path, 'shrank while read: padded with zeros');
    yield padding(info.size);
    entry(options, stats, path);
  } finally {
    await handle.close();
  }
}

/**
 * Yields exactly `size` bytes, read into `buffer` (valid until the next
 * piece is pulled), then zeros if the file shrank. Returns the bytes read.
 */
async function* fileData(handle: FileHandle, size: number, path: string, buffer: Buffer): AsyncGenerator<Buffer, number> {
  let position = 0;
  while (position < size) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - position), position).catch((error: unknown) => {
      throw unreadable(path, error);
    });
    if (bytesRead === 0) {
      yield Buffer.alloc(size - position);
      return position;
    }
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
  return position;
}

async function* symlink(options: ArchiveOptions, stats: ArchiveStats, path: string, info: Stats): AsyncGenerator<Buffer> {
  let target: string;
  try {
    target = await readlink(join(options.cwd, path));
  } catch (error) {
    if (vanished(error)) return skip(options, stats, path, 'vanished while read');
    throw unreadable(path, error);
  }
  yield encodeHeader({ path, type: 'SymbolicLink', stat: info, size: 0, linkpath: target });
  entry(options, stats, path);
}

function entry(options: ArchiveOptions, stats: ArchiveStats, path: string): void {
  stats.entries += 1;
  options.onEntry?.(path);
}

function skip(options: ArchiveOptions, stats: ArchiveStats, path: string, reason: string): undefined {
  stats.skipped += 1;
  options.onWarning?.(path, reason);
  return undefined;
}

/** Gone (ENOENT), or replaced by something else between readdir and open (ENOTDIR, ELOOP). */
function vanished(error: unknown): boolean {
  return ['ENOENT', 'ENOTDIR', 'ELOOP'].includes((error as NodeJS.ErrnoException).code ?? '');
}

function unreadable(path: string, error: unknown): RailyardError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return new RailyardError('BACKUP_ARCHIVE_FAILED', `Cannot read ${path} (${code}); the backup would be incomplete`, { cause: error });
}
