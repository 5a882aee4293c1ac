// Issue 12: a restore runs in bounded memory, refuses a gzip bomb, and drops
// setuid/setgid bits. The RSS figures come from a child process that does
// nothing but the restore (restore-rss.ts), reading the kernel's peak.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { createLogger } from '../../../core/logger.ts';
import { restoreBackup } from '../../../steps/restore/index.ts';
import { envFor, tempDir } from '../backup/fixture.ts';
import { dir, storeLocalGeneration, tarGz, writeBomb } from './tar-fixture.ts';

const PROBE = new URL('./restore-rss.ts', import.meta.url).pathname;
const TSX = new URL('../../../node_modules/tsx/dist/esm/index.mjs', import.meta.url).pathname;

/** A stack whose only generation is a bomb of `size` zero bytes, and what a restore of it did. */
async function restoreBomb(size: number, dotenv = ''): Promise<{ outcome: string; maxRssMiB: number; compressed: number }> {
  const root = await tempDir('railyard-bomb-');
  await mkdir(join(root, 'upstream'));
  const file = join(root, 'bomb.tar.gz');
  await writeBomb(file, size);
  await storeLocalGeneration(root, await readFile(file));
  await writeFile(join(root, '.env'), dotenv);
  const { stdout } = await execa(process.execPath, ['--import', TSX, PROBE, root, join(root, 'restored')], { env: { PATH: process.env['PATH'] ?? '' }, extendEnv: false });
  return { ...(JSON.parse(stdout) as { outcome: string; maxRssMiB: number }), compressed: (await stat(file)).size };
}

describe('restore: bombs and modes', () => {
  it('refuses a 1 MB archive that expands to 1 GiB (RESTORE_MAX_RATIO) in bounded memory', async () => {
    const bomb = await restoreBomb(1024 ** 3);
    console.log(`# restore of a ${(bomb.compressed / 1e6).toFixed(2)} MB → 1 GiB gzip bomb: ${bomb.outcome}, peak RSS ${bomb.maxRssMiB} MiB`);
    assert.equal(bomb.outcome, 'RESTORE_UNSAFE_ARCHIVE');
    assert.ok(bomb.maxRssMiB < 200, `peak RSS ${bomb.maxRssMiB} MiB`);
  });

  it('restores a highly compressed archive the operator allows in bounded memory, and RESTORE_MAX_BYTES caps it too', async () => {
    const allowed = await restoreBomb(256 * 1024 ** 2, 'RESTORE_MAX_RATIO=100000\n');
    console.log(`# restore of an allowed 256 MiB zero file: ${allowed.outcome}, peak RSS ${allowed.maxRssMiB} MiB`);
    assert.equal(allowed.outcome, 'restored');
    assert.ok(allowed.maxRssMiB < 200, `peak RSS ${allowed.maxRssMiB} MiB`);
    const capped = await restoreBomb(8 * 1024 ** 2, 'RESTORE_MAX_RATIO=100000\nRESTORE_MAX_BYTES=4 MiB\n');
    assert.equal(capped.outcome, 'RESTORE_UNSAFE_ARCHIVE');
  });

  it('drops setuid and setgid bits, keeping the rest of each mode', async () => {
    const root = await tempDir('railyard-suid-');
    await mkdir(join(root, 'upstream'));
    await storeLocalGeneration(root, tarGz([
      dir('upstream/'), { path: 'upstream/suid', body: '#!/bin/sh\n', mode: 0o4755 }, { path: 'upstream/sgid', body: 'x', mode: 0o2750 },
      { path: 'upstream/plain', body: 'x', mode: 0o640 }, { path: 'upstream/d/', type: 'Directory', mode: 0o2755 },
    ]));
    const to = join(root, 'restored');
    await restoreBackup({ env: envFor(root), log: createLogger({ level: 'silent' }), key: 'latest', to });
    const mode = async (name: string): Promise<string> => ((await stat(join(to, name))).mode & 0o7777).toString(8);
    assert.deepEqual([await mode('suid'), await mode('sgid'), await mode('plain'), await mode('d')], ['755', '750', '640', '755']);
  });
});
