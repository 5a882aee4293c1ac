/**
 * P8: memory of `railyard serve` (target: ≤ 80 MB RSS at rest, and flat after
 * 10,000 deliveries). The process as users run it (bin/railyard.js, compiled
 * dist/ when it is current, LOG_LEVEL=info, output read and dropped), with the
 * runner busy in a git fetch that never answers, so every delivery is verified,
 * journaled and merged into the pending sync. RSS (VmRSS of /proc) at rest,
 * after BENCH_DELIVERIES deliveries and after as many again; each figure after
 * the process has been quiet for BENCH_SETTLE_MS. The baseline, in the same
 * run: a bare `node -e` HTTP server's RSS (the floor of any Node process).
 * Run: node --import tsx bench/serve-memory.ts   (BENCH_DELIVERIES, default 10000;
 * BENCH_NODE_ARGS: node options for the serve process alone, e.g. `--max-semi-space-size=1`)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { closedLoop, deliveries } from './webhook/load.ts';

const DELIVERIES = Number(process.env['BENCH_DELIVERIES'] ?? 10_000);
const SETTLE_MS = Number(process.env['BENCH_SETTLE_MS'] ?? 3000);
const NODE_ARGS = (process.env['BENCH_NODE_ARGS'] ?? '').split(' ').filter((arg) => arg !== '');
const SECRET = 'bench-memory-secret-77c1';
const BIN = new URL('../bin/railyard.js', import.meta.url).pathname;

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

async function start(args: string[], env: NodeJS.ProcessEnv, pattern: RegExp): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  let url: string | undefined;
  const read = (chunk: Buffer): void => {
    if (url === undefined) url = pattern.exec((text += chunk.toString('utf8')))?.[1];
  };
  child.stdout!.on('data', read);
  child.stderr!.on('data', read);
  for (let i = 0; i < 400 && url === undefined && child.exitCode === null; i++) await sleep(50);
  if (url === undefined) throw new Error(`did not start:\n${text}`);
  return { child, url };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

const hole = createServer(() => undefined);
await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
const gitUrl = `http://127.0.0.1:${(hole.address() as { port: number }).port}/acme/config.git`;
const root = mkdtempSync(join(tmpdir(), 'railyard-bench-memory-'));
try {
  const env = {
    PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', GITHUB_WEBHOOK_SECRET: SECRET, API_KEY: 'bench-api-key-31aa',
    DOCKER_HOST: `unix://${join(root, 'none.sock')}`, SHUTDOWN_GRACE: '0', REPO_URL: gitUrl, GIT_TIMEOUT: '3600',
  };
  const floor = await start(['-e', "require('node:http').createServer((q,s)=>s.end()).listen(0,'127.0.0.1',function(){console.log('listening http://127.0.0.1:'+this.address().port)})"], env, /listening (\S+)/);
  await sleep(SETTLE_MS);
  const floorMb = rssMb(floor.child.pid!);
  await stop(floor.child);

  const { child, url } = await start([...NODE_ARGS, BIN, '--root', root, 'serve', '--no-schedule'], env, /"url":"([^"]+)"[^\n]*"msg":"railyard serving"/);
  try {
    await sleep(SETTLE_MS);
    const rest = rssMb(child.pid!);
    const figures: number[] = [];
    for (const round of [1, 2, 3]) {
      const list = await deliveries(DELIVERIES, `mem-${round}`, SECRET, gitUrl);
      const result = await closedLoop(url, list, 16);
      if ((result.statuses.get(202) ?? 0) !== DELIVERIES) throw new Error(`round ${round}: ${JSON.stringify(Object.fromEntries(result.statuses))}`);
      await sleep(SETTLE_MS);
      figures.push(rssMb(child.pid!));
    }
    const [after1 = NaN, after2 = NaN, after3 = NaN] = figures;
    console.log(`serve memory (VmRSS, runner busy in a git fetch, ${DELIVERIES} signed push deliveries per round, quiet ${SETTLE_MS} ms before each figure):`);
    if (NODE_ARGS.length > 0) console.log(`  (serve run with node ${NODE_ARGS.join(' ')})`);
    console.log(`  railyard serve at rest:              ${rest.toFixed(1)} MB   (target <= 80 MB)`);
    console.log(`  after ${DELIVERIES} deliveries:          ${after1.toFixed(1)} MB   (+${(after1 - rest).toFixed(1)} MB)`);
    console.log(`  after ${2 * DELIVERIES} deliveries:          ${after2.toFixed(1)} MB   (${after2 - after1 >= 0 ? '+' : ''}${(after2 - after1).toFixed(1)} MB over the second ${DELIVERIES}; flat means ~0)`);
    console.log(`  after ${3 * DELIVERIES} deliveries:          ${after3.toFixed(1)} MB   (${after3 - after2 >= 0 ? '+' : ''}${(after3 - after2).toFixed(1)} MB over the third)`);
    console.log(`  baseline, bare node:http process:    ${floorMb.toFixed(1)} MB`);
  } finally {
    await stop(child);
  }
} finally {
  hole.close();
  rmSync(root, { recursive: true, force: true });
}
