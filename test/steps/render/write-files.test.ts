import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRailyardError } from '../../../core/errors.ts';
import type { RenderedFile } from '../../../steps/render/types.ts';
import { writeFiles } from '../../../steps/render/write-files.ts';
import { manifestFile } from '../../../steps/render/write-manifest.ts';

const file = (path: string, content: string): RenderedFile => ({ path, content, kind: 'compose' });
const unsafe = (error: unknown) => isRailyardError(error, 'RENDER_UNSAFE_PATH');
const tempRoot = () => mkdtemp(join(tmpdir(), 'railyard-write-'));

describe('writeFiles', () => {
  it('writes new files, returns them as changed, and leaves no temp files', async () => {
    const root = await tempRoot();
    const result = await writeFiles(root, [file('upstream/a/docker-compose.yml', 'a\n'), file('proxy/traefik/traefik.yml', 't\n')]);
    assert.deepEqual(result.changed, ['upstream/a/docker-compose.yml', 'proxy/traefik/traefik.yml']);
    assert.equal(await readFile(join(root, 'upstream/a/docker-compose.yml'), 'utf8'), 'a\n');
    assert.deepEqual(await readdir(join(root, 'upstream/a')), ['docker-compose.yml']);
    assert.equal((await stat(join(root, 'proxy/traefik/traefik.yml'))).mode & 0o777, 0o644);
  });

  it('does not rewrite a file whose content is unchanged', async () => {
    const root = await tempRoot();
    const files = [file('upstream/a/docker-compose.yml', 'a\n'), file('upstream/b/docker-compose.yml', 'b\n')];
    await writeFiles(root, files);
    const before = await stat(join(root, 'upstream/a/docker-compose.yml'));
    const result = await writeFiles(root, [files[0]!, file('upstream/b/docker-compose.yml', 'b2\n')]);
    assert.deepEqual(result.changed, ['upstream/b/docker-compose.yml']);
    const after = await stat(join(root, 'upstream/a/docker-compose.yml'));
    assert.equal(after.ino, before.ino);
    assert.equal(after.mtimeMs, before.mtimeMs);
  });

  it('replaces a changed file by rename (a new inode), keeping its mode', async () => {
    const root = await tempRoot();
    await writeFiles(root, [file('upstream/a/.env', 'A=1\n')]);
    await chmod(join(root, 'upstream/a/.env'), 0o600);
    const before = await stat(join(root, 'upstream/a/.env'));
    await writeFiles(root, [file('upstream/a/.env', 'A=2\n')]);
    const after = await stat(join(root, 'upstream/a/.env'));
    assert.notEqual(after.ino, before.ino);
    assert.equal(after.mode & 0o777, 0o600);
  });

  it('refuses a symlink planted at upstream/<project>, writing nothing at all', async () => {
    const root = await tempRoot();
    const elsewhere = await tempRoot();
    await mkdir(join(root, 'upstream'));
    await symlink(elsewhere, join(root, 'upstream', 'evil'));
    await assert.rejects(writeFiles(root, [file('proxy/docker-compose.yml', 'p\n'), file('upstream/evil/docker-compose.yml', 'x\n')]), unsafe);
    assert.deepEqual(await readdir(elsewhere), []);
    assert.deepEqual(await readdir(root), ['upstream'], 'the check comes before any write');
  });

  it('refuses a symlink planted at an output file', async () => {
    const root = await tempRoot();
    const target = join(await tempRoot(), 'victim');
    await writeFile(target, 'keep');
    await mkdir(join(root, 'proxy'), { recursive: true });
    await symlink(target, join(root, 'proxy', 'docker-compose.yml'));
    await assert.rejects(writeFiles(root, [file('proxy/docker-compose.yml', 'p\n')]), unsafe);
    assert.equal(await readFile(target, 'utf8'), 'keep');
  });

  it('refuses a symlink in the way of a data folder', async () => {
    const root = await tempRoot();
    await mkdir(join(root, 'upstream', 'a'), { recursive: true });
    await symlink('/etc', join(root, 'upstream', 'a', 'data'));
    await assert.rejects(writeFiles(root, [], ['upstream/a/data/x']), unsafe);
  });

  it('never writes outside the root', async () => {
    const root = await tempRoot();
    for (const path of ['../escape.yml', '/etc/passwd', 'upstream/../../x', 'upstream//x', 'upstream\\x']) {
      await assert.rejects(writeFiles(root, [file(path, 'x')]), unsafe, path);
    }
    await assert.rejects(writeFiles(root, [], ['upstream/a/../../../x']), unsafe);
  });

  it('creates data folders without touching what is in them', async () => {
    const root = await tempRoot();
    const first = await writeFiles(root, [file('upstream/db/docker-compose.yml', 'x\n')], ['upstream/db/var/lib/data']);
    assert.deepEqual(first.createdDirs, ['upstream/db/var/lib/data']);
    await writeFile(join(root, 'upstream/db/var/lib/data/PG_VERSION'), '16');
    const second = await writeFiles(root, [file('upstream/db/docker-compose.yml', 'x\n')], ['upstream/db/var/lib/data']);
    assert.deepEqual(second, { changed: [], createdDirs: [] });
    assert.equal(await readFile(join(root, 'upstream/db/var/lib/data/PG_VERSION'), 'utf8'), '16');
  });

  it('leaves the folders of projects that disappeared alone', async () => {
    const root = await tempRoot();
    await writeFiles(root, [file('upstream/old/docker-compose.yml', 'old\n')], ['upstream/old/data']);
    await writeFile(join(root, 'upstream/old/data/keep'), 'user data');
    await writeFiles(root, [file('upstream/new/docker-compose.yml', 'new\n')]);
    assert.equal(await readFile(join(root, 'upstream/old/docker-compose.yml'), 'utf8'), 'old\n');
    assert.equal(await readFile(join(root, 'upstream/old/data/keep'), 'utf8'), 'user data');
  });
  describe('the manifest of the last render (data/render-manifest.json)', () => {
    const files = [file('upstream/a/docker-compose.yml', 'a: 1\n'), file('upstream/b/docker-compose.yml', 'b: 1\n')];

    it('records what was written, and a second render writes nothing', async () => {
      const root = await tempRoot();
      await writeFiles(root, files);
      const manifest = JSON.parse(await readFile(manifestFile(root), 'utf8')) as { files: Record<string, { ino: number }> };
      assert.deepEqual(Object.keys(manifest.files), files.map((f) => f.path));
      assert.equal(manifest.files['upstream/a/docker-compose.yml']?.ino, (await stat(join(root, 'upstream/a/docker-compose.yml'))).ino);
      assert.deepEqual((await writeFiles(root, files)).changed, []);
    });

    it('rewrites a file edited by hand even when its size and mtime were put back', async () => {
      const root = await tempRoot();
      await writeFiles(root, files);
      const path = join(root, 'upstream/a/docker-compose.yml');
      const before = await stat(path);
      await writeFile(path, 'a: 2\n'); // same size
      await utimes(path, before.atime, before.mtime);
      assert.deepEqual((await writeFiles(root, files)).changed, ['upstream/a/docker-compose.yml']);
      assert.equal(await readFile(path, 'utf8'), 'a: 1\n');
    });

    it('rewrites a file deleted or replaced by hand', async () => {
      const root = await tempRoot();
      await writeFiles(root, files);
      await rm(join(root, 'upstream/a/docker-compose.yml'));
      await writeFile(join(root, 'upstream/b/other'), 'b: 9\n');
      await rename(join(root, 'upstream/b/other'), join(root, 'upstream/b/docker-compose.yml'));
      assert.deepEqual((await writeFiles(root, files)).changed, files.map((f) => f.path));
    });

    it('still refuses a symlink planted where a recorded file was', async () => {
      const root = await tempRoot();
      await writeFiles(root, files);
      const target = join(await tempRoot(), 'victim');
      await writeFile(target, 'keep');
      await rm(join(root, 'upstream/a/docker-compose.yml'));
      await symlink(target, join(root, 'upstream/a/docker-compose.yml'));
      await assert.rejects(writeFiles(root, files), unsafe);
      assert.equal(await readFile(target, 'utf8'), 'keep');
    });

    it('falls back to comparing contents when the manifest is damaged', async () => {
      const root = await tempRoot();
      await writeFiles(root, files);
      await writeFile(manifestFile(root), '{ not json');
      assert.deepEqual((await writeFiles(root, files)).changed, []);
      assert.equal(JSON.parse(await readFile(manifestFile(root), 'utf8')).version, 1, 'rewritten whole');
    });
  });
});
