// Issue 12 items 4 and 7, the process under signals: a SIGTERM or SIGINT at
// any moment of start-up (the endpoint may already answer) is a clean stop
// (exit 0, "railyard stopped" logged), and every SIGHUP of a burst during slow
// reloads is answered by a reload that started after it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from '../helpers/http.ts';
import { tempRoot } from '../helpers/runner.ts';
import { freePort, spawnServe } from '../helpers/serve-process.ts';

const KEY = 'ry-signals-key-5b1e';
const NEW_KEY = 'ry-signals-key-rotated-c07a';

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

/** Polls every 2 ms until `ready`, then sends the signal. */
async function signalWhen(child: { kill(signal: NodeJS.Signals): boolean; exitCode: number | null }, ready: () => boolean | Promise<boolean>, signal: NodeJS.Signals): Promise<void> {
  for (let i = 0; i < 10_000 && child.exitCode === null; i += 1) {
    if (await ready()) {
      child.kill(signal);
      return;
    }
    await sleep(2);
  }
  throw new Error('never got ready');
}

/** The exit code once the process exits by itself; null (and a kill) after `ms`. */
function exitOf(child: { exitCode: number | null; signalCode: string | null; once(event: 'exit', f: () => void): unknown; kill(signal: NodeJS.Signals): boolean }, ms: number): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(child.exitCode);
    });
  });
}

describe('railyard serve under signals (the process)', () => {
  const moments = [
    ['SIGTERM', 'the store is open, the endpoint not yet up'],
    ['SIGTERM', 'the endpoint first answers'],
    ['SIGINT', 'the endpoint first answers'],
  ] as const;
  for (const [signal, moment] of moments) {
    it(`${signal} when ${moment}: a clean stop (exit 0, every line logged)`, async () => {
      const root = await tempRoot('railyard-early-');
      const port = await freePort();
      const p = spawnServe({ root, environ: { PORT: String(port), API_KEY: KEY } });
      const ready = moment.startsWith('the store')
        ? () => existsSync(join(root, 'data', 'railyard.db'))
        : () => accepts(port);
      await signalWhen(p.child, ready, signal);
      // No second signal: one during shutdown kills the process the default way (cli/stop-signals.ts).
      const code = await exitOf(p.child, 30_000);
      assert.deepEqual([code, p.child.signalCode], [0, null], p.lines.slice(-5).join('\n'));
      assert.ok(p.lines.some((l) => l.includes('"msg":"railyard stopped"')), p.lines.slice(-5).join('\n'));
    });
  }

  it('50 SIGHUPs during slow reloads: each is answered by a reload that started after it, and the last .env wins', async () => {
    const root = await tempRoot('railyard-hup-burst-');
    // A big db.yml makes each reload take a while, so the signals land during reloads.
    const projects = Array.from({ length: 1500 }, (_, i) => `  - name: p${i}\n    services:\n      - host: web\n        image: nginx:1\n`).join('');
    await writeFile(join(root, 'db.yml'), `projects:\n${projects}`);
    await writeFile(join(root, '.env'), `API_KEY=${KEY}\n`);
    const p = spawnServe({ root });
    try {
      const url = await p.url;
      const from = p.lines.length;
      for (let i = 0; i < 50; i += 1) {
        if (i === 49) await writeFile(join(root, '.env'), `API_KEY=${NEW_KEY}\n`);
        p.child.kill('SIGHUP');
        await sleep(10);
      }
      const count = (msg: string, weigh: (line: { requests?: number }) => number = () => 1): number =>
        p.lines.slice(from).filter((l) => l.includes(`"msg":"${msg}"`)).reduce((n, l) => n + weigh(JSON.parse(l) as { requests?: number }), 0);
      // The kernel merges signals that arrive before the process takes them: count those it took.
      const received = (): number => count('SIGHUP received');
      const answered = (): number => count('configuration reloaded', (l) => l.requests ?? 1);
      for (let i = 0; i < 200 && (received() === 0 || answered() < received()); i += 1) await sleep(100);
      const reloads = count('configuration reloaded');
      assert.ok(received() >= 10, `${received()} SIGHUPs taken`);
      assert.equal(answered(), received(), `${answered()} of ${received()} SIGHUPs answered (${reloads} reloads)`);
      assert.ok(reloads < received(), 'reloads overlapped the signals (and were shared)');
      assert.equal((await request(url, '/api/projects', { headers: { 'x-api-key': NEW_KEY } })).status, 200, 'the last .env is the one in force');
      assert.equal((await request(url, '/api/projects', { headers: { 'x-api-key': KEY } })).status, 401);
    } finally {
      assert.equal(await p.stop(), 0);
    }
  });
});
