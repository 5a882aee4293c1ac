// Several processes opening one fresh run store at the same moment (`serve`
// and an `apply` on a new root) all get a store: the migrations run once, each
// under the write lock. Before, each process read schema version 0, and all
// but the first failed with STORE_FAILED "table runs already exists".
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { MIGRATIONS } from '../../pipeline/migrations.ts';
import Database from 'better-sqlite3';

const STORE = new URL('../../pipeline/run-store.ts', import.meta.url).href;
const PROCESSES = 6;

// Each process waits for the same wall-clock moment, then opens the store.
const opener = (file: string, at: number): string =>
  `import { RunStore } from ${JSON.stringify(STORE)};\n` +
  `while (Date.now() < ${at}) {}\n` +
  `RunStore.open(${JSON.stringify(file)}).close();\n`;

describe('opening a fresh run store from several processes at once', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  for (let round = 1; round <= 3; round++) {
    it(`round ${round}: ${PROCESSES} processes all open it, and the schema is current`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'ry-open-race-'));
      dirs.push(dir);
      const file = join(dir, 'data', 'railyard.db');
      const at = Date.now() + 1500; // after every process has loaded
      const results = await Promise.all(
        Array.from({ length: PROCESSES }, () =>
          execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', opener(file, at)], { reject: false, timeout: 60_000 }),
        ),
      );
      for (const result of results) assert.equal(result.exitCode, 0, result.stderr);
      const db = new Database(file, { readonly: true });
      try {
        assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
      } finally {
        db.close();
      }
    });
  }
});
