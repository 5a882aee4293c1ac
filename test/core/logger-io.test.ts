// Issue 12 item 2: a failing log write never kills serve. Its stderr is a
// pipe nobody reads any more (EPIPE), or a file on a full disk (ENOSPC, a real
// tmpfs); serve keeps answering, runs its jobs, reloads, and stops with 0.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { mountSmallDisk, type FullDisk } from '../helpers/full-disk.ts';
import { request } from '../helpers/http.ts';
import { tempRoot } from '../helpers/runner.ts';
import { freePort, spawnServe } from '../helpers/serve-process.ts';

const KEY = 'ry-logger-io-key-2d9f';

async function untilUp(url: string): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    if (await request(url, '/healthz').then(() => true, () => false)) return;
    await sleep(50);
  }
  throw new Error('serve never answered');
}

/** What makes serve log: requests, a deploy run (it fails at diff: no engine), a reload. */
async function exercise(url: string, child: { kill(signal: NodeJS.Signals): boolean; exitCode: number | null }): Promise<void> {
  for (let round = 0; round < 3; round += 1) {
    const accepted = await request(url, '/api/projects/whoami/deploy', { method: 'POST', headers: { 'x-api-key': KEY } });
    assert.equal(accepted.status, 202, accepted.text);
    await request(url, '/api/runs', { headers: { 'x-api-key': 'wrong-key-logged-as-failure' } });
    child.kill('SIGHUP');
    await sleep(300);
    assert.equal(child.exitCode, null, 'serve is still running');
  }
  assert.equal((await request(url, '/healthz')).status, 200);
}

describe('log writes that fail (real pipes, a real full tmpfs)', () => {
  let disk: FullDisk;
  before(async () => {
    disk = await mountSmallDisk(256);
  });
  after(() => disk.unmount());

  it('stdout and stderr pipes closed by their reader (EPIPE): serve stays up and stops with 0', async () => {
    const root = await tempRoot('railyard-epipe-');
    const port = await freePort();
    const p = spawnServe({ root, environ: { PORT: String(port), API_KEY: KEY }, stdio: ['ignore', 'pipe', 'pipe'] });
    p.url.catch(() => undefined);
    const url = `http://127.0.0.1:${port}`;
    await untilUp(url);
    p.child.stdout!.destroy();
    p.child.stderr!.destroy();
    await exercise(url, p.child);
    assert.equal(await p.stop(), 0);
  });

  it('stderr a file on a full disk (ENOSPC): serve stays up and stops with 0', async () => {
    const root = await tempRoot('railyard-enospc-');
    const port = await freePort();
    const file = join(disk.dir, 'serve.log');
    const fd = openSync(file, 'a');
    try {
      const p = spawnServe({ root, environ: { PORT: String(port), API_KEY: KEY }, stdio: ['ignore', 'ignore', fd] });
      p.url.catch(() => undefined);
      const url = `http://127.0.0.1:${port}`;
      await untilUp(url);
      disk.fill();
      await exercise(url, p.child);
      assert.equal(await p.stop(), 0);
      disk.free();
      assert.match(readFileSync(file, 'utf8'), /railyard serving/, 'what fitted was written');
    } finally {
      closeSync(fd);
      disk.free();
    }
  });
});
