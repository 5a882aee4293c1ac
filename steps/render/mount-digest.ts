import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { DbConfig } from '../../config/db-types.ts';
import { sha256 } from './config-hash.ts';
import { configMounts } from './mounts.ts';

/** Files up to this size are hashed by content; bigger ones (media, dumps) by size. */
export const MAX_HASHED_FILE_BYTES = 1024 * 1024;
/** A mounted folder with more entries than this is data, not config: the rest is left out. */
export const MAX_FOLDER_ENTRIES = 10_000;
/** Files railyard writes itself in a project folder: their content is known at render time. */
const RENDERED = new Set(['docker-compose.yml', '.env']);
const TEMP_FILE = /^\..*\.railyard-tmp$/;

export interface MountRequest {
  readonly project: string;
  /** Relative to `upstream/<project>/`, posix, normalised. */
  readonly path: string;
  /** A folder's contents are read only when some service mounts it read-only. */
  readonly readOnly: boolean;
}

/** What the services of the enabled projects mount from their own folders. */
export function mountRequests(config: DbConfig): MountRequest[] {
  const requests = new Map<string, MountRequest>();
  for (const project of config.projects) {
    if (!project.enabled) continue;
    for (const service of project.services) {
      if (service.image === undefined) continue;
      for (const mount of configMounts(service)) {
        if (RENDERED.has(mount.path)) continue;
        const key = `${project.name}/${mount.path}`;
        const readOnly = mount.readOnly || requests.get(key)?.readOnly === true;
        requests.set(key, { project: project.name, path: mount.path, readOnly });
      }
    }
  }
  return [...requests.values()];
}

/**
 * Digests, keyed `<project>/<path>`, for `renderStack`'s `mountDigests`:
 * `file:<sha256>`, `dir:<sha256 of the tree>` (`dir:` alone when no service
 * mounts it read-only) or `link:<target>`. Symlinks are never followed.
 * A missing source digests as the empty folder Docker creates for it at the
 * first deploy, so the second deploy sees no change (issue 12: stateful
 * services were recreated for nothing).
 */
export async function digestMounts(root: string, requests: readonly MountRequest[]): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  for (const request of requests) {
    const path = join(root, 'upstream', request.project, request.path);
    digests.set(`${request.project}/${request.path}`, await digestPath(path, request.readOnly, request.path === '.'));
  }
  return digests;
}

async function digestPath(path: string, readFolder: boolean, projectRoot: boolean): Promise<string> {
  const stats = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
  if (stats === undefined) return readFolder ? `dir:${sha256('')}` : 'dir:';
  if (stats.isSymbolicLink()) return `link:${await readlink(path)}`;
  if (stats.isFile()) return `file:${await fileDigest(path, stats.size)}`;
  if (!stats.isDirectory()) return 'special';
  if (!readFolder) return 'dir:';
  const lines: string[] = [];
  await walk(path, '', projectRoot, lines);
  return `dir:${sha256(lines.sort().join('\n'))}`;
}

async function fileDigest(path: string, size: number): Promise<string> {
  return size <= MAX_HASHED_FILE_BYTES ? sha256(await readFile(path)) : `size-${size}`;
}

/** Appends `<relative path>\t<kind>\t<digest>` for everything under `dir`. */
async function walk(dir: string, prefix: string, projectRoot: boolean, lines: string[]): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (lines.length >= MAX_FOLDER_ENTRIES) return;
    if (TEMP_FILE.test(entry.name) || (projectRoot && prefix === '' && RENDERED.has(entry.name))) continue;
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    const full = join(dir, entry.name);
    if (entry.isSymbolicLink()) lines.push(`${rel}\tlink\t${await readlink(full)}`);
    else if (entry.isDirectory()) {
      lines.push(`${rel}\tdir\t`);
      await walk(full, rel, projectRoot, lines);
    } else if (entry.isFile()) lines.push(`${rel}\tfile\t${await fileDigest(full, (await lstat(full)).size)}`);
  }
}
