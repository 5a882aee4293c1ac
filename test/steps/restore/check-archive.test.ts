import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isRailyardError } from '../../../core/errors.ts';
import { checkArchive } from '../../../steps/restore/check-archive.ts';
import { tempDir } from '../backup/fixture.ts';
import { dir, HOSTILE, tarGz, type FixtureEntry } from './tar-fixture.ts';

async function check(entries: readonly FixtureEntry[], maxEntries = 100): Promise<number> {
  const file = join(await tempDir('railyard-check-'), 'a.tar.gz');
  await writeFile(file, tarGz(entries));
  return checkArchive(file, { folder: 'upstream', maxEntries });
}

describe('checkArchive', () => {
  for (const [name, { entries, refused }] of Object.entries(HOSTILE)) {
    it(`refuses ${name}`, async () => {
      await assert.rejects(check(entries), (error) => {
        assert.ok(isRailyardError(error, 'RESTORE_UNSAFE_ARCHIVE'), String(error));
        assert.equal((error.data as { path: string }).path, refused);
        return true;
      });
    });
  }

  it('accepts relative symlinks that stay inside, and hardlinks to earlier files', async () => {
    const count = await check([
      dir('upstream/'), dir('upstream/a/'), { path: 'upstream/a/f', body: 'x' },
      { path: 'upstream/a/up', type: 'SymbolicLink', linkpath: '../b' }, dir('upstream/b/'),
      { path: 'upstream/b/same', type: 'Link', linkpath: 'upstream/a/f' },
      { path: './upstream/c', body: 'dot-slash paths from GNU tar are fine' },
    ]);
    assert.equal(count, 7);
  });

  it('refuses more entries than RESTORE_MAX_ENTRIES, an empty archive, and garbage', async () => {
    const many = [dir('upstream/'), ...Array.from({ length: 10 }, (_, i) => ({ path: `upstream/${i}`, body: 'x' }))];
    await assert.rejects(check(many, 5), (error) => isRailyardError(error, 'RESTORE_UNSAFE_ARCHIVE'));
    assert.equal(await check(many, 11), 11);
    await assert.rejects(check([]), (error) => isRailyardError(error, 'RESTORE_UNSAFE_ARCHIVE'));
    const file = join(await tempDir('railyard-check-'), 'junk.tar.gz');
    await writeFile(file, 'this is not a tar.gz');
    await assert.rejects(checkArchive(file, { folder: 'upstream', maxEntries: 10 }), (error) => isRailyardError(error, 'RESTORE_UNSAFE_ARCHIVE'));
  });
});
