import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { localHead } from '../../../steps/pull/local-head.ts';

const git = (cwd: string, ...args: string[]) => execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd });
const revParse = async (cwd: string) => (await git(cwd, 'rev-parse', 'HEAD')).stdout.trim();

async function repo(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ry-head-'));
  await git(dir, 'init', '-q', '-b', 'main');
  await writeFile(join(dir, 'db.yml'), 'projects: []\n');
  await git(dir, 'add', 'db.yml');
  await git(dir, 'commit', '-q', '-m', 'one');
  return dir;
}

describe('steps/pull/local-head', () => {
  it('reads HEAD as git does: loose ref, packed ref, detached, linked worktree', async () => {
    const dir = await repo();
    assert.equal(await localHead(dir), await revParse(dir));
    await git(dir, 'pack-refs', '--all');
    assert.equal(await localHead(dir), await revParse(dir), 'packed-refs');
    await writeFile(join(dir, 'db.yml'), 'projects: [] # two\n');
    await git(dir, 'commit', '-q', '-am', 'two');
    await git(dir, 'checkout', '-q', '--detach', 'HEAD~1');
    assert.equal(await localHead(dir), await revParse(dir), 'detached');
    const linked = join(await mkdtemp(join(tmpdir(), 'ry-head-wt-')), 'wt');
    await git(dir, 'worktree', 'add', '-q', '-b', 'side', linked, 'main');
    assert.equal(await localHead(linked), await revParse(linked), 'linked worktree');
  });

  it('is undefined outside a repository and in one without commits', async () => {
    const plain = await mkdtemp(join(tmpdir(), 'ry-head-none-'));
    assert.equal(await localHead(plain), undefined);
    await git(plain, 'init', '-q');
    assert.equal(await localHead(plain), undefined);
  });
});
