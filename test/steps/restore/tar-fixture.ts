// Hand-built tar.gz archives for the restore tests, including the hostile ones
// node-tar's own writer would never produce (`..`, absolute paths, devices).
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { Header, type HeaderData } from 'tar';

export interface FixtureEntry {
  readonly path: string;
  /** @default 'File' */
  readonly type?: NonNullable<HeaderData['type']>;
  readonly linkpath?: string;
  readonly body?: string;
  /** @default 0o755 for folders, 0o644 otherwise */
  readonly mode?: number;
}

export function tarGz(entries: readonly FixtureEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.body ?? '');
    const type = entry.type ?? 'File';
    const header = new Header({
      path: entry.path, type, size: type === 'File' ? body.length : 0, mode: entry.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      mtime: new Date(0), uid: 0, gid: 0, ...(entry.linkpath !== undefined && { linkpath: entry.linkpath }),
    });
    header.encode();
    blocks.push(header.block!);
    if (type === 'File' && body.length > 0) blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** Stores an archive in a stack's local backup folder as a validated generation; returns its key. */
export async function storeLocalGeneration(root: string, archive: Buffer, stamp = '20260101000000'): Promise<string> {
  const key = `itsup.tar.gz.${stamp}`;
  await mkdir(join(root, 'backups'), { recursive: true });
  await writeFile(join(root, 'backups', key), archive);
  await writeFile(join(root, 'backups', `${key}.sha256`), `${createHash('sha256').update(archive).digest('hex')}  ${key}\n`);
  return key;
}

export const dir = (path: string): FixtureEntry => ({ path, type: 'Directory' });

/** Hostile archives, each with the entry that must be refused. */
export const HOSTILE: Readonly<Record<string, { entries: FixtureEntry[]; refused: string }>> = {
  'a ../ path': { entries: [dir('upstream/'), { path: 'upstream/../evil', body: 'x' }], refused: 'upstream/../evil' },
  'an absolute path': { entries: [dir('upstream/'), { path: '/tmp/railyard-evil', body: 'x' }], refused: '/tmp/railyard-evil' },
  'a symlink out, then a write through it': {
    entries: [dir('upstream/'), { path: 'upstream/out', type: 'SymbolicLink', linkpath: '../..' }, { path: 'upstream/out/evil', body: 'x' }],
    refused: 'upstream/out',
  },
  'an absolute symlink': { entries: [dir('upstream/'), { path: 'upstream/etc', type: 'SymbolicLink', linkpath: '/etc' }], refused: 'upstream/etc' },
  'a write through a symlink that points inside': {
    entries: [dir('upstream/'), dir('upstream/sub/'), { path: 'upstream/s', type: 'SymbolicLink', linkpath: 'sub' }, { path: 'upstream/s/f', body: 'x' }],
    refused: 'upstream/s/f',
  },
  'a hardlink out (absolute)': { entries: [dir('upstream/'), { path: 'upstream/passwd', type: 'Link', linkpath: '/etc/passwd' }], refused: 'upstream/passwd' },
  'a hardlink out (..)': { entries: [dir('upstream/'), { path: 'upstream/h', type: 'Link', linkpath: 'upstream/../../etc/passwd' }], refused: 'upstream/h' },
  'a hardlink to a file not in the archive': {
    entries: [dir('upstream/'), { path: 'upstream/h', type: 'Link', linkpath: 'upstream/already-on-disk' }],
    refused: 'upstream/h',
  },
  'a device file': { entries: [dir('upstream/'), { path: 'upstream/sda', type: 'BlockDevice' }], refused: 'upstream/sda' },
  'a FIFO': { entries: [dir('upstream/'), { path: 'upstream/pipe', type: 'FIFO' }], refused: 'upstream/pipe' },
  // Issue 12: each target reads as inside upstream/, but the filesystem follows the first link out.
  'a chain of in-tree symlinks that leads out': {
    entries: [dir('upstream/'), dir('upstream/app/'), { path: 'upstream/app/up', type: 'SymbolicLink', linkpath: '..' },
      { path: 'upstream/app/esc', type: 'SymbolicLink', linkpath: 'up/../../etc/passwd' }],
    refused: 'upstream/app/esc',
  },
  'the same chain, the outer link first': {
    entries: [dir('upstream/'), dir('upstream/app/'), { path: 'upstream/app/esc', type: 'SymbolicLink', linkpath: 'up/../../etc/passwd' },
      { path: 'upstream/app/up', type: 'SymbolicLink', linkpath: '..' }],
    refused: 'upstream/app/up',
  },
  'a symlink to a symlink': {
    entries: [dir('upstream/'), { path: 'upstream/a', type: 'SymbolicLink', linkpath: 'b' }, { path: 'upstream/b', type: 'SymbolicLink', linkpath: 'c' }],
    refused: 'upstream/b',
  },
  'a symlink through a symlinked folder to the Docker socket': {
    entries: [dir('upstream/'), dir('upstream/x/'), { path: 'upstream/x/run', type: 'SymbolicLink', linkpath: '..' },
      { path: 'upstream/x/sock', type: 'SymbolicLink', linkpath: 'run/x/run/../../var/run/docker.sock' }],
    refused: 'upstream/x/sock',
  },
  'an entry outside upstream/': { entries: [dir('upstream/'), { path: 'proxy/traefik.yml', body: 'x' }], refused: 'proxy/traefik.yml' },
};

/**
 * A gzip bomb: one tar entry `upstream/zeros` of `size` zero bytes, written
 * as gzip members (gunzip reads them as one stream), each 1 MiB of zeros
 * compressed once: 1 GiB gives about 1 MB, in milliseconds, never whole in memory.
 */
export async function writeBomb(file: string, size: number): Promise<void> {
  const header = new Header({ path: 'upstream/zeros', type: 'File', size, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 });
  header.encode();
  const MIB = 1024 * 1024;
  const member = gzipSync(Buffer.alloc(MIB), { level: 9 });
  const out = createWriteStream(file);
  async function* members(): AsyncGenerator<Buffer> {
    yield gzipSync(header.block!);
    for (let left = size; left > 0; left -= MIB) yield left >= MIB ? member : gzipSync(Buffer.alloc(left));
    yield gzipSync(Buffer.alloc(((512 - (size % 512)) % 512) + 1024));
  }
  await pipeline(Readable.from(members()), out);
}
