import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RailyardError } from '../core/errors.ts';

/**
 * The railyard package folder (package.json, db.yml.sample), whether this
 * module runs from the sources or compiled under dist/: the nearest folder
 * above it that holds a package.json.
 */
export const PACKAGE_ROOT = findUp(dirname(fileURLToPath(import.meta.url)));

/**
 * Whether this code runs from the bundle `npm run build` writes to dist/
 * (scripts/build.mjs) rather than from the TypeScript sources: in the bundle,
 * a module's own URL is its chunk's, so files are found from the package root.
 */
export const BUNDLED = !import.meta.url.endsWith('.ts');

/** A file of the bundle in dist/ (an entry such as `hooks/http-worker.js`). */
export function bundleFile(relative: string): string {
  return join(PACKAGE_ROOT, 'dist', relative);
}

function findUp(dir: string): string {
  if (existsSync(join(dir, 'package.json'))) return dir;
  const parent = dirname(dir);
  if (parent === dir) throw new RailyardError('UNEXPECTED', `railyard is installed without its package.json (looked above ${fileURLToPath(import.meta.url)})`);
  return findUp(parent);
}
