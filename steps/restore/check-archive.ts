import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import { RailyardError } from '../../core/errors.ts';
import { expansionCap, tarStream, tooExpanded, type ExpansionLimits } from './expansion.ts';

export interface ArchiveCheck extends Partial<ExpansionLimits> {
  /** The one top-level folder every entry must be in (`upstream`). */
  readonly folder: string;
  /** `RESTORE_MAX_ENTRIES`. */
  readonly maxEntries: number;
}

/** Defaults of RESTORE_MAX_BYTES and RESTORE_MAX_RATIO (config/env.ts). */
export const DEFAULT_EXPANSION: ExpansionLimits = { maxBytes: 8 * 1024 ** 3, maxRatio: 100 };

/** What the scan remembers of earlier entries. */
interface Seen {
  count: number;
  /** Sum of the sizes the headers declare. */
  bytes: number;
  readonly cap: number;
  readonly compressed: number;
  readonly limits: ExpansionLimits;
  readonly files: Set<string>;
  readonly symlinks: Set<string>;
  /** The places each symlink's target walks through, to refuse a later link on that way. */
  readonly targets: Map<string, Set<string>>;
}

const KINDS = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

/**
 * Reads a whole tar.gz before anything is extracted and refuses it, with
 * RESTORE_UNSAFE_ARCHIVE, when any entry could write outside `folder`: an
 * absolute path, `..`, an entry under an earlier symlink (a write through
 * it), a symlink or hardlink pointing outside, a symlink that leads to
 * another symlink (a chain the filesystem would follow out, issue 12), a
 * device file or FIFO, more than `maxEntries` entries, or entries that expand
 * past RESTORE_MAX_BYTES or RESTORE_MAX_RATIO times the archive (refused at
 * the header, before the body is expanded). Returns the number of entries.
 */
export async function checkArchive(file: string, check: ArchiveCheck): Promise<number> {
  const limits = { ...DEFAULT_EXPANSION, ...definedLimits(check) };
  const compressed = (await stat(file)).size;
  const seen: Seen = {
    count: 0, bytes: 0, cap: expansionCap(compressed, limits), compressed, limits, files: new Set(), symlinks: new Set(), targets: new Map(),
  };
  let problem: RailyardError | undefined;
  const input = await tarStream(file, limits);
  const parser = new Parser(PARSE_OPTIONS);
  parser.on('entry', (entry: ReadEntry) => {
    entry.resume();
    const reason = problem === undefined ? refuse(entry, check, seen) : undefined;
    if (reason === undefined) return;
    problem = reason instanceof RailyardError ? reason : new RailyardError('RESTORE_UNSAFE_ARCHIVE', `The archive is refused: ${JSON.stringify(entry.path)} ${reason}`, {
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
    if (error instanceof RailyardError) throw error;
    throw new RailyardError('RESTORE_UNSAFE_ARCHIVE', `The archive cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (problem !== undefined) throw problem;
  if (seen.count === 0) throw new RailyardError('RESTORE_UNSAFE_ARCHIVE', `The archive is refused: it has no ${check.folder}/ entries`);
  return seen.count;
}

/**
 * Strict: a damaged header is an error, not a skipped entry. The parser is
 * given the tar stream already expanded by expansion.ts (bounded memory, and
 * RESTORE_MAX_RATIO instead of tar's own ratio guard).
 */
export const PARSE_OPTIONS = { strict: true } as const;

function definedLimits(check: ArchiveCheck): Partial<ExpansionLimits> {
  return { ...(check.maxBytes !== undefined && { maxBytes: check.maxBytes }), ...(check.maxRatio !== undefined && { maxRatio: check.maxRatio }) };
}

/** Why an entry is refused, or undefined when it is safe. */
function refuse(entry: ReadEntry, check: ArchiveCheck, seen: Seen): string | RailyardError | undefined {
  seen.count += 1;
  if (seen.count > check.maxEntries) return `is past the limit of ${check.maxEntries} entries (RESTORE_MAX_ENTRIES)`;
  seen.bytes += entry.size ?? 0;
  if (seen.bytes > seen.cap) return tooExpanded(seen.bytes, seen.compressed, seen.limits);
  if (!KINDS.has(entry.type)) return `is a ${entry.type}: only files, folders and links are restored`;
  const path = inside(entry.path, check.folder);
  if (typeof path !== 'string') return path.reason;
  if ([...ancestors(path)].some((a) => seen.symlinks.has(a))) return 'is written through a symlink';
  if (entry.type === 'SymbolicLink') {
    const target = inside(posix.join(posix.dirname(path), entry.linkpath ?? ''), check.folder, entry.linkpath ?? '');
    if (typeof target !== 'string') return `is a symlink to ${JSON.stringify(entry.linkpath)}, which ${target.reason}`;
    const chained = linkChain(path, entry.linkpath ?? '', seen);
    if (chained !== undefined) return chained;
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
 * The target is walked component by component as the kernel walks it, and
 * every place the walk passes is remembered: a symlink whose walk passes
 * another symlink of the archive (before or after it in the archive) is
 * refused. A text-only check misses `up -> ..` plus `esc -> up/../../etc/passwd`,
 * which reads as `upstream/etc/passwd` but leaves the tree (issue 12).
 */
function linkChain(path: string, linkpath: string, seen: Seen): string | undefined {
  const visited = walk(posix.dirname(path), linkpath);
  const via = visited.find((p) => seen.symlinks.has(p));
  if (via !== undefined) return `is a symlink to ${JSON.stringify(linkpath)}, which passes through the symlink ${JSON.stringify(via)}: links through links are refused`;
  for (const [link, passes] of seen.targets) {
    if (passes.has(path)) return `is a symlink, and the earlier symlink ${JSON.stringify(link)} passes through it: links through links are refused`;
  }
  seen.targets.set(path, new Set(visited));
  return undefined;
}

/** Every path a walk from folder `from` along `linkpath` stands on, in order. */
function walk(from: string, linkpath: string): string[] {
  const parts = from.split('/').filter((p) => p !== '' && p !== '.');
  const visited: string[] = [];
  for (const part of linkpath.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
    visited.push(parts.join('/'));
  }
  return visited;
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
