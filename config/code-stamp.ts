import { hash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLED, PACKAGE_ROOT } from './package-root.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
/**
 * The folders whose code decides what a validated or rendered project is: in
 * the sources config/ and steps/render/; in the bundle, where that code sits
 * in shared chunks, every file of dist/.
 */
const FOLDERS = BUNDLED
  ? [join(PACKAGE_ROOT, 'dist', 'cli'), join(PACKAGE_ROOT, 'dist', 'config'), join(PACKAGE_ROOT, 'dist', 'hooks'), join(PACKAGE_ROOT, 'dist', 'chunks')]
  : [HERE, join(HERE, '..', 'steps', 'render')];

let stamp: string | undefined;

/**
 * Names the code that runs: the size and mtime of every module of config/ and
 * steps/render/ (or of the bundle in dist/). Caches keyed with it are dropped by an
 * upgrade or an edit, never reused by a railyard that would compute otherwise.
 */
export function codeStamp(): string {
  if (stamp !== undefined) return stamp;
  const parts: string[] = [HERE];
  for (const folder of FOLDERS) {
    for (const name of readdirSync(folder).sort()) {
      if (!/\.(c?js|ts)$/.test(name)) continue;
      const stats = statSync(join(folder, name), { throwIfNoEntry: false });
      if (stats?.isFile()) parts.push(`${name}:${stats.size}:${stats.mtimeMs}`);
    }
  }
  return (stamp = hash('sha1', parts.join('\n'), 'base64'));
}

/** A hash of a small file's content (a stack's .env), or `absent`. */
export function fileStamp(path: string): string {
  try {
    return hash('sha1', readFileSync(path), 'base64');
  } catch {
    return 'absent';
  }
}
