import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import { RailyardError } from '../../core/errors.ts';

export interface ArchiveCheck {
  /** The one top-level folder every entry must be in (`upstream`). */
  readonly folder: string;
  /** `RESTORE_MAX_ENTRIES`. */
  readonly maxEntries: number;
}

/** What the scan remembers of earlier entries. */
interface Seen {
  count: number;
  readonly files: Set<string>;
  readonly symlinks: Set<string>;
}

const KINDS = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

/**
 * Reads a whole tar.gz before anything is extracted and refuses it, with
 * RESTORE_UNSAFE_ARCHIVE, when any entry could write outside `folder`: an
 * absolute path, `..`, an entry under an earlier symlink (a write through
 * it), a symlink or hardlink pointing outside, a device file or FIFO, or more
 * than `maxEntries` entries. Returns the number of entries.
 */
export async function checkArchive(file: string, check: ArchiveCheck): Promise<number> {
  const seen: Seen = { count: 0, files: new Set(), symlinks: new Set() };
  let problem: RailyardError | undefined;
  const input = createReadStream(file);
  const parser = new Parser(PARSE_OPTIONS);
  parser.on('entry', (entry: ReadEntry) => {
    entry.resume();
    const reason = problem === undefined ? refuse(entry, check, seen) : undefined;
    if (reason === undefined) return;
    problem = new RailyardError('RESTORE_UNSAFE_ARCHIVE', `The archive is refused: ${JSON.stringify(entry.path)} ${reason}`, {
      data: { path: entry.path, type: entry.type, linkpath: entry.linkpath },
    });
    input.destroy();
    parser.abort(problem);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      input.once('error', reject);
      parser.once('error', reject).once('abort', reject).once('end', () => resolve());
      input.pipe(parser as unknown as NodeJS.WritableStream);
    });
  } catch (error) {
    if (problem !== undefined) throw problem;
    throw new RailyardError('RESTORE_UNSAFE_ARCHIVE', `The archive cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (problem !== undefined) throw problem;
  if (seen.count === 0) throw new RailyardError('RESTORE_UNSAFE_ARCHIVE', `The archive is refused: it has no ${check.folder}/ entries`);
  return seen.count;
}

/**
 * Strict: a damaged header is an error, not a skipped entry. Deflate cannot
 * expand more than ~1032:1, which a backup of zero-filled files reaches, so
 * tar's ratio guard (1000) is lifted; the entry limit and the disk bound the rest.
 */
export const PARSE_OPTIONS = { strict: true, maxDecompressionRatio: Number.POSITIVE_INFINITY } as const;

/** Why an entry is refused, or undefined when it is safe. */
function refuse(entry: ReadEntry, check: ArchiveCheck, seen: Seen): string | undefined {
  seen.count += 1;
  if (seen.count > check.maxEntries) return `is past the limit of ${check.maxEntries} entries (RESTORE_MAX_ENTRIES)`;
  if (!KINDS.has(entry.type)) return `is a ${entry.type}: only files, folders and links are restored`;
  const path = inside(entry.path, check.folder);
  if (typeof path !== 'string') return path.reason;
  if ([...ancestors(path)].some((a) => seen.symlinks.has(a))) return 'is written through a symlink';
  if (entry.type === 'SymbolicLink') {
    const target = inside(posix.join(posix.dirname(path), entry.linkpath ?? ''), check.folder, entry.linkpath ?? '');
    if (typeof target !== 'string') return `is a symlink to ${JSON.stringify(entry.linkpath)}, which ${target.reason}`;
    seen.symlinks.add(path);
  } else if (entry.type === 'Link') {
    const target = inside(entry.linkpath ?? '', check.folder);
    if (typeof target !== 'string') return `is a hardlink to ${JSON.stringify(entry.linkpath)}, which ${target.reason}`;
    if (!seen.files.has(target)) return `is a hardlink to ${JSON.stringify(entry.linkpath)}, not a file earlier in the archive`;
  } else if (entry.type !== 'Directory') {
    if (path === check.folder) return `replaces the ${check.folder}/ folder with a file`;
    seen.files.add(path);
  }
  return undefined;
}

/**
 * The normalised path (`upstream/a/b`) when `raw` stays inside `folder`.
 * `original` is the path as written, checked for absolute paths and `..`
 * before joining hides them.
 */
function inside(raw: string, folder: string, original = raw): string | { reason: string } {
  if (raw.includes('\0') || original.includes('\\')) return { reason: 'has a NUL or backslash' };
  if (original.startsWith('/') || /^[a-zA-Z]:/.test(original)) return { reason: 'is an absolute path' };
  const parts = raw.split('/').filter((part) => part !== '' && part !== '.');
  if (original === raw && parts.includes('..')) return { reason: 'contains ".."' };
  const normal = posix.normalize(parts.join('/'));
  if (normal !== folder && !normal.startsWith(`${folder}/`)) return { reason: `is outside ${folder}/` };
  return normal;
}

function* ancestors(path: string): Generator<string> {
  for (let i = path.indexOf('/'); i > 0; i = path.indexOf('/', i + 1)) yield path.slice(0, i);
}
