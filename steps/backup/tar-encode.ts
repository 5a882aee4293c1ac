import type { Stats } from 'node:fs';
import { Header, Pax } from 'tar';

export type TarType = 'File' | 'Directory' | 'SymbolicLink';

export interface TarEntry {
  /** Path inside the archive, `/`-separated; folders end with `/`. */
  readonly path: string;
  readonly type: TarType;
  readonly stat: Pick<Stats, 'mode' | 'uid' | 'gid' | 'mtime'>;
  /** Data bytes that follow (files only). */
  readonly size: number;
  readonly linkpath?: string;
}

const BLOCK = 512;
/** What ends a tar archive: two zero blocks. */
export const TAR_END = Buffer.alloc(2 * BLOCK);

/**
 * The header block of an entry, preceded by a PAX extended header when the
 * ustar fields cannot hold it (long paths, large sizes), as node-tar writes it.
 */
export function encodeHeader(entry: TarEntry): Buffer {
  const fields = {
    path: entry.path,
    type: entry.type,
    mode: entry.stat.mode & 0o7777,
    uid: entry.stat.uid,
    gid: entry.stat.gid,
    size: entry.size,
    mtime: entry.stat.mtime,
    ...(entry.linkpath !== undefined && { linkpath: entry.linkpath }),
  };
  const header = new Header(fields);
  const needsPax = header.encode();
  if (header.block === undefined) throw new Error(`tar header for ${entry.path} could not be encoded`);
  return needsPax ? Buffer.concat([new Pax(fields).encode(), header.block]) : header.block;
}

/** Zero bytes that pad `size` data bytes to a whole block. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest);
}
