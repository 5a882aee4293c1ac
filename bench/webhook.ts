/**
 * P3: webhook acknowledgement. Signed GitHub push deliveries per second, and
 * the p99 time from a delivery's send time to its 2xx, for
 *   - railyard: `railyard serve` as a process (LOG_LEVEL=info), every delivery
 *     verified, deduplicated and journaled (fsynced SQLite) before its 202,
 *     in two runner states:
 *       busy: the first sync hangs in its git fetch (REPO_URL points at a
 *         server that never answers), so every later delivery is journaled and
 *         merged into the pending sync while the runner spends no CPU;
 *       storm: no REPO_URL, the sample db.yml and no Docker engine, so every
 *         sync fans out to a deploy of each of its 7 projects, which fail at
 *         `diff` and are due again at the next sync: the runner renders the
 *         stack all the time, the worst case for the endpoint;
 *   - the baseline: a bare node:http server that only reads the body,
 *     verifies the HMAC and answers 202 (nothing journaled).
 * Same client, same kind of deliveries (unique ids and commits, ~6 KB bodies
 * signed with the real sign()), in the same run. Each server gets a warm-up,
 * then a closed loop on BENCH_CONCURRENCY connections (throughput; its
 * latencies are queueing at saturation), then an open loop at BENCH_RATE/s
 * (latency). Afterwards the store must hold one run per 202.
 * Targets: ≥ 1,000 deliveries/s and p99 < 20 ms at 1,000/s.
 * Run: node --import tsx bench/webhook.ts
 *   (BENCH_DELIVERIES per phase, default 10000; BENCH_CONCURRENCY, default 16; BENCH_RATE, default 1000)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunStore, storePath } from '../pipeline/run-store.ts';
import { closedLoop, deliveries, openLoop, type Figures } from './webhook/load.ts';

const DELIVERIES = Number(process.env['BENCH_DELIVERIES'] ?? 10_000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16);
const RATE = Number(process.env['BENCH_RATE'] ?? 1000);
const WARMUP = 1000;
const SECRET = 'bench-webhook-secret-3f9a';
const BIN = new URL('../bin/railyard.js', import.meta.url).pathname;

interface Side {
  readonly throughput: Figures;
  readonly latency: Figures;
  readonly journaled?: number;
}

async function measure(url: string, cloneUrl: string, prefix: string): Promise<Side> {
  const list = (name: string, n: number) => deliveries(n, `${prefix}-${name}`, SECRET, cloneUrl);
  const [warm, closed, open] = await Promise.all([list('warm', WARMUP), list('closed', DELIVERIES), list('open', DELIVERIES)]);
  await closedLoop(url, warm, CONCURRENCY);
  const throughput = await closedLoop(url, closed, CONCURRENCY);
  const latency = await openLoop(url, open, RATE);
  return { throughput, latency };
}

/** Starts a process, returns the URL it prints (stdout or stderr); its output is read and dropped, as journald would take it. */
async function start(args: string[], env: NodeJS.ProcessEnv, urlOf: (text: string) => string | undefined): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  let url: string | undefined;
  const read = (chunk: Buffer): void => {
    if (url === undefined) url = urlOf((text += chunk.toString('utf8')));
  };
  child.stdout!.on('data', read);
  child.stderr!.on('data', read);
  for (let i = 0; i < 300 && url === undefined && child.exitCode === null; i += 1) await sleep(50);
  if (url !== undefined) return { child, url };
  child.kill('SIGKILL');
  throw new Error(`${args.join(' ')} did not start:\n${text}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

async function railyard(name: 'busy' | 'storm', gitUrl: string): Promise<Side> {
  const root = mkdtempSync(join(tmpdir(), `railyard-bench-webhook-${name}-`));
  const env = {
    PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', GITHUB_WEBHOOK_SECRET: SECRET, API_KEY: 'bench-api-key-8d2e',
    DOCKER_HOST: `unix://${join(root, 'none.sock')}`, HOOK_ALLOWED_CIDRS: '127.0.0.1/32', SHUTDOWN_GRACE: '0',
    ...(name === 'busy' && { REPO_URL: gitUrl, GIT_TIMEOUT: '3600' }),
  };
  const urlOf = (text: string): string | undefined => /"msg":"railyard serving"/.test(text) ? /"url":"([^"]+)"[^\n]*"msg":"railyard serving"/.exec(text)?.[1] : undefined;
  const { child, url } = await start([BIN, '--root', root, 'serve', '--no-schedule'], env, urlOf);
  try {
    const side = await measure(url, name === 'busy' ? gitUrl : 'https://github.com/acme/config.git', name).finally(() => stop(child));
    const store = RunStore.open(storePath(root));
    // Runs of the measured deliveries (not the warm-up's, nor the retry of the sync interrupted by the stop).
    const journaled = store.listRuns({ limit: 1_000_000 }).filter((run) => run.pipeline === 'sync' && run.trigger.kind === 'push' && run.retryOf === undefined).length - WARMUP;
    store.close();
    return { ...side, journaled };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const BASELINE = `
const http = require('node:http');
const { createHmac, timingSafeEqual } = require('node:crypto');
const secret = process.env.SECRET;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const given = Buffer.from(String(req.headers['x-hub-signature-256'] || '').replace(/^sha256=/, ''), 'hex');
    const expected = createHmac('sha256', secret).update(body).digest();
    const ok = given.length === expected.length && timingSafeEqual(given, expected);
    res.writeHead(ok ? 202 : 401, { 'content-type': 'application/json' });
    res.end(ok ? '{"accepted":true}' : '{}');
  });
});
server.listen(0, '127.0.0.1', () => console.log('listening http://127.0.0.1:' + server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

async function baseline(): Promise<Side> {
  const { child, url } = await start(['-e', BASELINE], { PATH: process.env['PATH'] ?? '', SECRET }, (text) => /listening (\S+)/.exec(text)?.[1]);
  return measure(url, 'https://github.com/acme/config.git', 'baseline').finally(() => stop(child));
}

/** A git server that accepts connections and never answers: the runner's first pull waits on it. */
async function blackHole(): Promise<{ server: Server; url: string }> {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}/acme/config.git` };
}

const lines = (name: string, side: Side, ok?: boolean): string[] => {
  const statuses = (f: Figures): string => JSON.stringify(Object.fromEntries(f.statuses));
  return [
    `  ${name}`,
    `    throughput (${CONCURRENCY} connections, closed loop): ${Math.round(side.throughput.perSecond)} deliveries/s   (p50 ${side.throughput.p50.toFixed(2)} ms, p99 ${side.throughput.p99.toFixed(2)} ms at saturation)   ${statuses(side.throughput)}`,
    `    latency at ${RATE}/s (open loop):             p50 ${side.latency.p50.toFixed(2)} ms   p99 ${side.latency.p99.toFixed(2)} ms   (achieved ${Math.round(side.latency.perSecond)}/s)   ${statuses(side.latency)}`,
    ...(side.journaled === undefined ? [] : [`    journaled: ${side.journaled} runs for ${(side.throughput.statuses.get(202) ?? 0) + (side.latency.statuses.get(202) ?? 0)} answers 202; target (>= 1000/s, p99 < 20 ms at 1000/s) ${ok ? 'met' : 'NOT met'}`]),
  ];
};
const met = (side: Side): boolean => side.throughput.perSecond >= 1000 && side.latency.p99 < 20 && side.latency.perSecond >= RATE * 0.98;

const hole = await blackHole();
try {
  const base = await baseline();
  const busy = await railyard('busy', hole.url);
  const storm = await railyard('storm', hole.url);
  process.stdout.write(
    [
      `webhook: signed push deliveries of ~6 KB, ${DELIVERIES} per phase after ${WARMUP} warm-up deliveries`,
      ...lines('railyard serve, runner busy in a git fetch (the acknowledgement path):', busy, met(busy)),
      ...lines('railyard serve, runner re-deploying 7 projects all along (Docker unreachable):', storm, met(storm)),
      ...lines('baseline, bare node:http (HMAC check + 202, nothing journaled):', base),
      '',
    ].join('\n'),
  );
} finally {
  hole.server.close();
}
