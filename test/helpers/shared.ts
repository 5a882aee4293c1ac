import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The project's shared folder (fixtures every version must handle, JSON Schemas
 * for rendered files), beside the repository: `../shared`. It is not part of
 * the repository, so where it is absent (e.g. GitHub Actions) the suites that
 * read it skip with one loud line; REQUIRE_SHARED=1 (set by .ci/run) makes
 * that a failure.
 */
export const SHARED_DIR = process.env['RAILYARD_SHARED_DIR'] ?? fileURLToPath(new URL('../../../shared', import.meta.url));

/** Absolute path of a file in the shared folder, e.g. `sharedPath('fixtures/itsup-db.yml')`. */
export function sharedPath(relative: string): string {
  return `${SHARED_DIR}/${relative}`;
}

let warned = false;

/** node:test options for suites that read the shared folder. */
export function sharedSuiteOptions(): { skip?: string } {
  if (existsSync(SHARED_DIR)) return {};
  const why = `no shared folder at ${SHARED_DIR} (set RAILYARD_SHARED_DIR)`;
  if (process.env['REQUIRE_SHARED'] === '1') throw new Error(`REQUIRE_SHARED=1 but ${why}`);
  if (!warned) process.stderr.write(`SKIP shared-fixture suites: ${why}\n`);
  warned = true;
  return { skip: why };
}
