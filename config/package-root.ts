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

function findUp(dir: string): string {
  if (existsSync(join(dir, 'package.json'))) return dir;
  const parent = dirname(dir);
  if (parent === dir) throw new RailyardError('UNEXPECTED', `railyard is installed without its package.json (looked above ${fileURLToPath(import.meta.url)})`);
  return findUp(parent);
}
