import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, posix, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BackupTarget, Digest, StoredObject } from './target.ts';

/** The digest of `<key>` lives beside it in `<key>.sha256`, in `sha256sum -c` format. */
const SIDECAR = '.sha256';

/**
 * Backups in a local folder (`backups/` in the stack root), with the same
 * staging, verify and promote steps as S3: the archive is written and fsynced
 * under its staging name, hard-linked to its final name (which never replaces
 * an existing file), and its digest is written beside it; the promote step
 * then deletes the staging name.
 */
export function createLocalTarget(dir: string): BackupTarget {
  const pathOf = (key: string): string => {
    const path = resolve(dir, key);
    if (!path.startsWith(`${resolve(dir)}${sep}`)) throw new TypeError(`Backup key ${JSON.stringify(key)} leaves ${dir}`);
    return path;
  };
  return {
    description: dir,
    async upload(key, body, signal) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      try {
        // `flush` fsyncs the file before it is closed.
        await pipeline(body, createWriteStream(path, { flags: 'wx', flush: true }), { signal });
      } catch (error) {
        await unlink(path).catch(() => undefined);
        throw error;
      }
      await syncDir(dirname(path));
    },
    async head(key) {
      const path = pathOf(key);
      const info = await stat(path).catch(ignoreMissing);
      if (info === undefined || !info.isFile()) return undefined;
      const sha256 = await readSidecar(`${path}${SIDECAR}`);
      const digest: Digest | undefined = sha256 === undefined ? undefined : { sha256, size: info.size };
      return { key, size: info.size, modified: info.mtime, digest };
    },
    async promote(from, to, digest) {
      const [source, target] = [pathOf(from), pathOf(to)];
      await link(source, target); // EEXIST rather than replacing a generation
      const sidecar = `${target}${SIDECAR}`;
      await writeDurably(sidecar, `${digest.sha256}  ${posix.basename(to)}\n`);
      await syncDir(dirname(target));
    },
    async *list(prefix) {
      const folder = posix.dirname(prefix) === '.' ? '' : `${posix.dirname(prefix)}/`;
      const names = (await readdir(resolve(dir, folder)).catch(ignoreMissing)) ?? [];
      for (const name of names.sort()) {
        const key = `${folder}${name}`;
        if (!key.startsWith(prefix) || name.endsWith(SIDECAR) || name.endsWith('.tmp')) continue;
        const info = await stat(pathOf(key)).catch(ignoreMissing);
        if (info?.isFile()) yield { key, size: info.size, modified: info.mtime } satisfies StoredObject;
      }
    },
    async delete(key) {
      const path = pathOf(key);
      // The digest goes first: a crash in between leaves an unverified archive, never a digest without one.
      await unlink(`${path}${SIDECAR}`).catch(ignoreMissing);
      await unlink(path).catch(ignoreMissing);
    },
    async download(key) {
      const stream = createReadStream(pathOf(key));
      await new Promise<void>((done, failed) => stream.once('open', () => done()).once('error', failed));
      return stream;
    },
  };
}

async function readSidecar(path: string): Promise<string | undefined> {
  const text = await readFile(path, 'utf8').catch(ignoreMissing);
  return /^([0-9a-f]{64}) {2}\S/.exec(text ?? '')?.[1];
}

/** Writes a small file under a temporary name, fsyncs it and renames it into place. */
async function writeDurably(path: string, content: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, content, { flush: true });
  await rename(tmp, path);
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function ignoreMissing(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  throw error;
}
