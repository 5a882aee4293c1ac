// Issue 12 item 2: the disk under the run history fills up during a run (a
// real tmpfs). The run used to stay `running` forever and `apply` hung. Now
// `apply` ends (exit 1, the run failed with STORE_FAILED), serve records the
// run as failed once the disk has room again, and no run is left running.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { storePath } from '../../pipeline/run-store.ts';
import { mountSmallDisk, type FullDisk } from '../helpers/full-disk.ts';
import { request } from '../helpers/http.ts';
import { spawnServe, BIN } from '../helpers/serve-process.ts';

const KEY = 'ry-full-disk-key-4e07';
const DB = 'projects:\n  - name: alpha\n    services:\n      - host: web\n        image: nginx:1\n';

/** Reads a run's status without writing (the disk is full). */
function statusOf(root: string, runId: string): string | undefined {
  const db = new Database(storePath(root), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT status FROM runs WHERE id = ?').get(runId) as { status: string } | undefined)?.status;
  } finally {
    db.close();
  }
}

async function until(what: string, check: () => boolean, ms = 20_000, extra?: () => string): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (check()) return;
  throw new Error(`timed out waiting for ${what}${extra?.() ?? ""}`);
}

describe('a full disk under the run history during a run (a real tmpfs)', () => {
  let disk: FullDisk;
  let hung: net.Server;
  const socket = join(tmpdir(), `railyard-hung-${process.pid}.sock`);
  before(async () => {
    disk = await mountSmallDisk(4096);
    // A Docker socket that accepts and never answers: the run waits at diff for 5 s, time to fill the disk.
    // It hangs up after 6 s, so a process that gave up on it can still exit.
    hung = net.createServer((c) => setTimeout(() => c.destroy(), 6000).unref()).listen(socket);
    await new Promise((resolve) => hung.once('listening', resolve));
  });
  after(async () => {
    hung.close();
    rmSync(socket, { force: true });
    await disk.unmount();
  });
  const stackRoot = (name: string): string => {
    const root = join(disk.dir, name);
    mkdirSync(root);
    writeFileSync(join(root, 'db.yml'), DB);
    return root;
  };

  it('apply ends with the run failed (STORE_FAILED) instead of hanging; the next start leaves nothing running', { timeout: 60_000 }, async () => {
    const root = stackRoot('cli');
    const env = { PATH: process.env['PATH'] ?? '', DOCKER_HOST: `unix://${socket}`, LOG_LEVEL: 'info' };
    const apply = execa(process.execPath, [BIN, '--root', root, 'apply', 'alpha'], { reject: false, extendEnv: false, env, timeout: 40_000 });
    try {
      await until('the run to start', () => { try { return statusOf(root, '1') === 'running'; } catch { return false; } });
      disk.fill();
      const done = await apply;
      assert.equal(done.timedOut, false, 'apply must not hang');
      assert.equal(done.exitCode, 1, done.stderr.slice(-500));
      assert.match(done.stdout, /#1 {2}deploy {2}alpha {2}failed .*\[STORE_FAILED\]/);
    } finally {
      disk.free();
    }
    await execa(process.execPath, [BIN, '--root', root, 'apply', 'alpha'], { reject: false, extendEnv: false, env, timeout: 40_000 });
    assert.notEqual(statusOf(root, '1'), 'running', 'the next start finished it');
  });

  it('serve records the run as failed once the disk has room again, and stays up', { timeout: 60_000 }, async () => {
    const root = stackRoot('serve');
    const p = spawnServe({ root, environ: { API_KEY: KEY, DOCKER_HOST: `unix://${socket}` } });
    try {
      const url = await p.url;
      const accepted = await request(url, '/api/projects/alpha/deploy', { method: 'POST', headers: { 'x-api-key': KEY } });
      const { runId } = accepted.json<{ runId: string }>();
      await until('the run to start', () => statusOf(root, runId) === 'running');
      disk.fill();
      await until('the run to end and its outcome to be refused', () => p.lines.some((l) => l.includes('the store refused it') || l.includes('run outcome still refused')), 20_000, () => p.lines.slice(-6).join('\n'));
      assert.equal(statusOf(root, runId), 'running', 'nothing could be written yet');
      disk.free();
      await until('the run to be recorded', () => statusOf(root, runId) === 'failed');
      const run = (await request(url, `/api/runs/${runId}`, { headers: { 'x-api-key': KEY } })).json<{ status: string; error: { code: string; message: string } }>();
      assert.deepEqual([run.status, run.error.code], ['failed', 'STORE_FAILED']);
      assert.match(run.error.message, /ended failed/);
      assert.equal((await request(url, '/healthz')).status, 200);
    } finally {
      disk.free();
      const code = await Promise.race([p.stop(), sleep(15_000).then(() => 'hung')]);
      if (code === 'hung') p.child.kill('SIGKILL');
      assert.equal(code, 0, `serve stopped with ${code}; last lines:\n${p.lines.slice(-8).join('\n')}`);
    }
  });
});
