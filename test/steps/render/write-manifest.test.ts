import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RenderedFile } from '../../../steps/render/types.ts';
import { writeFiles } from '../../../steps/render/write-files.ts';
import { manifestFile, readManifest, saveManifest } from '../../../steps/render/write-manifest.ts';

const file = (path: string, content: string): RenderedFile => ({ path, content, kind: 'compose' });
const entry = (hash: string) => ({ hash, ino: 1, size: 2, ctimeMs: 3 });

describe('steps/render/write-manifest', () => {
  it('hands back the manifest this process wrote while the file is the one it wrote', async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-manifest-'));
    await saveManifest(root, { entries: {}, text: undefined }, { a: entry('A') });
    const first = await readManifest(root);
    assert.deepEqual(first.entries, { a: entry('A') });
    assert.equal(first.text, await readFile(manifestFile(root), 'utf8'));
    assert.equal(await readManifest(root), first, 'not read again');
  });

  it('reads a manifest another process renamed over it, or one edited in place, never the one it kept', async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-manifest-'));
    await saveManifest(root, { entries: {}, text: undefined }, { a: entry('A') });
    await readManifest(root);
    // Another writer: same size, same mtime, another inode.
    const other = JSON.stringify({ version: 1, files: { a: entry('B') } });
    const before = await stat(manifestFile(root));
    await writeFile(`${manifestFile(root)}.other`, other);
    await utimes(`${manifestFile(root)}.other`, before.atime, before.mtime);
    await rename(`${manifestFile(root)}.other`, manifestFile(root));
    assert.deepEqual((await readManifest(root)).entries, { a: entry('B') });
    // In place, same size, mtime put back: the ctime moved.
    const now = await stat(manifestFile(root));
    await writeFile(manifestFile(root), other.replace('"B"', '"C"'));
    await utimes(manifestFile(root), now.atime, now.mtime);
    assert.deepEqual((await readManifest(root)).entries, { a: entry('C') });
    await rm(manifestFile(root));
    assert.deepEqual(await readManifest(root), { entries: {}, text: undefined });
  });

  it('lets writeFiles see a file edited by hand after a manifest another process wrote', async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-manifest-'));
    const files = [file('upstream/a/docker-compose.yml', 'a: 1\n')];
    await writeFiles(root, files);
    const kept = await readFile(manifestFile(root), 'utf8');
    await writeFile(join(root, 'upstream/a/docker-compose.yml'), 'a: 2\n');
    // Another process rewrites the manifest it read before the edit: recorded stats no longer match the file.
    await writeFile(`${manifestFile(root)}.other`, kept);
    await rename(`${manifestFile(root)}.other`, manifestFile(root));
    assert.deepEqual((await writeFiles(root, files)).changed, ['upstream/a/docker-compose.yml']);
    assert.equal(await readFile(join(root, 'upstream/a/docker-compose.yml'), 'utf8'), 'a: 1\n');
  });
});
