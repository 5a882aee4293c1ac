import { existsSync } from 'node:fs';
import { join, relative, resolve, isAbsolute } from 'node:path';
import type { Env } from './env.ts';
import { PACKAGE_ROOT } from './package-root.ts';

/** Where the config repo is cloned in a stack root when REPO_URL is set (its db.yml is read). */
export const cloneDir = (root: string): string => join(root, 'data', 'repo');

/** The sample shipped with railyard: the embedded default config. */
export const EMBEDDED_SAMPLE = join(PACKAGE_ROOT, 'db.yml.sample');

export interface DbLocation {
  /** Absolute path of the db.yml to read. */
  readonly path: string;
  /** How to name the file in messages: relative to the working directory when inside it. */
  readonly label: string;
  /** Set when the sample stands in for a missing db.yml. */
  readonly warning?: string;
}

/**
 * Which db.yml to read: `--file`, then RAILYARD_DB, then the clone's db.yml
 * when REPO_URL is set, then `<root>/db.yml`, then db.yml.sample (with a warning).
 */
export function locateDb(env: Env, file?: string): DbLocation {
  const explicit = file ?? env.dbFile;
  if (explicit !== undefined) return at(resolve(explicit));
  if (env.repoUrl !== undefined) return at(join(cloneDir(env.root), 'db.yml'));
  const own = join(env.root, 'db.yml');
  if (existsSync(own)) return at(own);
  const sample = [join(env.root, 'db.yml.sample'), EMBEDDED_SAMPLE].find((p) => existsSync(p)) ?? EMBEDDED_SAMPLE;
  return { ...at(sample), warning: `${own} not found; using ${sample} (the embedded default). Create db.yml to configure your own projects.` };
}

function at(path: string): DbLocation {
  const rel = relative(process.cwd(), path);
  return { path, label: rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path };
}
