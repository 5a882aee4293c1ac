import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { isRailyardError } from '../../../core/errors.ts';
import { archiveTree, type ArchiveOptions } from '../../../steps/backup/archive-tree.ts';
import { describeTree, stackWith, tempDir } from './fixture.ts';

/** Archives `root/upstream` to a file; returns the file, the warnings and the stats. */
async function archiveTo(root: string, options: Partial<ArchiveOptions> = {}) {
  const warnings: string[] = [];
  const file = join(await tempDir(), 'out.tar.gz');
  const { stream, stats } = archiveTree({
    cwd: root, folder: 'upstream', exclude: [], onWarning: (path, reason) => warnings.push(`${path}: ${reason}`), ...options,
  });
  await pipeline(stream, createWriteStream(file));
  return { file, warnings, stats };
}

/** Extracts with GNU tar: the archive must be a standard one. */
async function gnuExtract(file: string): Promise<string> {
  const dir = await tempDir('railyard-extract-');
  await execa('tar', ['xzf', file, '-C', dir]);
  return dir;
}

describe('archiveTree', () => {
  it('streams a tar.gz that GNU tar extracts to the same tree: long paths, symlinks, empty files, modes', async () => {
    const long = `${'deep/'.repeat(30)}file-with-a-long-name.txt`;
    const root = await stackWith({
      'app/docker-compose.yml': 'services: {}\n',
      'app/empty': '',
      [`app/${long}`]: 'deep\n',
      'app/big.bin': Buffer.alloc(3 * 1024 * 1024 + 7, 7),
      'app/link': { link: 'docker-compose.yml' },
      'app/dangling': { link: '../nowhere' },
    });
    await chmod(join(root, 'upstream/app/docker-compose.yml'), 0o600);
    const { file, warnings, stats } = await archiveTo(root);
    assert.deepEqual(warnings, []);
    assert.equal(stats.skipped, 0);
    const out = await gnuExtract(file);
    assert.deepEqual(await describeTree(join(out, 'upstream')), await describeTree(join(root, 'upstream')));
  });

  it('keeps every byte when many small files sit between large ones (reads share one buffer)', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 300; i += 1) files[`many/f${String(i).padStart(3, '0')}`] = randomBytes(i % 50 === 0 ? 700_000 + i : (i * 997) % 9000);
    const root = await stackWith(files);
    const { file } = await archiveTo(root);
    const out = await gnuExtract(file);
    assert.deepEqual(await describeTree(join(out, 'upstream')), await describeTree(join(root, 'upstream')));
  });

  it('leaves out the top-level folders in BACKUP_EXCLUDE, not same-named folders deeper down', async () => {
    const root = await stackWith({ 'cache/x': 'x', 'app/cache/y': 'y', 'app/z': 'z' });
    const { file } = await archiveTo(root, { exclude: ['cache'] });
    const { stdout } = await execa('tar', ['tzf', file]);
    assert.deepEqual(stdout.split('\n').sort(), ['upstream/', 'upstream/app/', 'upstream/app/cache/', 'upstream/app/cache/y', 'upstream/app/z']);
  });

  it('skips and reports files and folders that vanish mid-read, and sockets', async () => {
    const root = await stackWith({ 'a/1': 'one', 'a/2': 'two', 'a/3': 'three', 'b/gone/x': 'x', 'c/keep': 'keep' });
    const socket = createServer().listen(join(root, 'upstream/c/sock'));
    await once(socket, 'listening');
    const { file, warnings, stats } = await archiveTo(root, {
      // Deleting the next sibling after an entry is read: it vanishes between readdir and open.
      onEntry: (path) => {
        if (path === 'upstream/a/1') rmSync(join(root, 'upstream/a/2'));
        if (path === 'upstream/b') rmSync(join(root, 'upstream/b/gone'), { recursive: true });
      },
    });
    socket.close();
    assert.deepEqual(warnings.sort(), [
      'upstream/a/2: vanished while read',
      'upstream/b/gone: vanished while read',
      'upstream/c/sock: not a file, folder or symlink',
    ]);
    assert.equal(stats.skipped, 3);
    const { stdout } = await execa('tar', ['tzf', file]);
    assert.deepEqual(stdout.split('\n').filter((l) => !l.endsWith('/')).sort(), ['upstream/a/1', 'upstream/a/3', 'upstream/c/keep']);
  });

  it('fails with BACKUP_ARCHIVE_FAILED on a file it may not read', async () => {
    const root = await stackWith({ 'app/ok': 'ok', 'app/secret': 'no' });
    await chmod(join(root, 'upstream/app/secret'), 0o000);
    if (process.getuid?.() === 0) {
      // root reads anything: archive as nobody, in a child process.
      await chmod(root, 0o755);
      const code = await archiveAsNobody(root);
      assert.equal(code, 'BACKUP_ARCHIVE_FAILED');
      return;
    }
    await assert.rejects(archiveTo(root), (error) => isRailyardError(error, 'BACKUP_ARCHIVE_FAILED'));
  });

  it('fails when upstream/ is missing', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'other'));
    await writeFile(join(root, 'other/x'), 'x');
    await assert.rejects(archiveTo(root), (error) => isRailyardError(error, 'BACKUP_ARCHIVE_FAILED'));
  });
});

async function archiveAsNobody(root: string): Promise<string> {
  const script = `
    import { archiveTree } from ${JSON.stringify(new URL('../../../steps/backup/archive-tree.ts', import.meta.url).pathname)};
    const { stream } = archiveTree({ cwd: ${JSON.stringify(root)}, folder: 'upstream', exclude: [] });
    stream.on('error', (e) => { process.stdout.write(String(e.code)); process.exit(0); });
    stream.on('end', () => { process.stdout.write('ok'); });
    stream.resume();`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { uid: 65534, gid: 65534, cwd: process.cwd() });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await once(child, 'close');
  return out.trim();
}
