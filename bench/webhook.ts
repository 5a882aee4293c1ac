/**
 * P3: webhook acknowledgement. Signed GitHub push deliveries per second, and
 * the p99 time from a delivery's send time to its 2xx, for
 *   - railyard: `railyard serve` as a process (LOG_LEVEL=info, its log to a
 *     file), every delivery verified, deduplicated and journaled (fsynced
 *     SQLite) before its 202, while the runner works on the syncs they start;
 *   - the baseline: a bare node:http server that only reads the body,
 *     verifies the HMAC and answers 202 (nothing journaled).
 * Same client, same deliveries (unique ids and commits, ~6 KB bodies signed
 * with the real sign()), in the same run; each side gets a warm-up first, then
 *   - throughput: a closed loop on BENCH_CONCURRENCY kept-alive connections,
 *     as fast as the server answers (deliveries/s; its latencies are queueing
 *     at saturation, printed for reference);
 *   - latency: an open loop at BENCH_RATE deliveries/s (sent on schedule
 *     whether or not earlier ones were answered, latency counted from the
 *     scheduled time, so a stall is not hidden), p50 and p99.
 * Afterwards the store must hold one run per 202.
 * Targets: ≥ 1,000 deliveries/s and p99 < 20 ms at 1,000/s.
 * Run: node --import tsx bench/webhook.ts
 *   (BENCH_DELIVERIES per phase, default 10000; BENCH_CONCURRENCY, default 16; BENCH_RATE, default 1000)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { sign } from '@octokit/webhooks-methods';
import { RunStore, storePath } from '../pipeline/run-store.ts';

const DELIVERIES = Number(process.env['BENCH_DELIVERIES'] ?? 10_000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16);
const RATE = Number(process.env['BENCH_RATE'] ?? 1000);
const WARMUP = 1000;
const SECRET = 'bench-webhook-secret-3f9a';
const BIN = new URL('../bin/railyard.js', import.meta.url).pathname;

interface Delivery {
  readonly id: string;
  readonly body: string;
  readonly signature: string;
}

interface Figures {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly statuses: Map<number, number>;
}

async function deliveries(count: number, prefix: string): Promise<Delivery[]> {
  const padding = Array.from({ length: 12 }, (_, i) => ({ id: `${i}`.padStart(40, '0'), message: 'x'.repeat(400), author: { name: 'octocat' } }));
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const body = JSON.stringify({
        ref: 'refs/heads/main', before: '0'.repeat(40), after: i.toString(16).padStart(40, '0'), deleted: false,
        repository: { full_name: 'acme/config', clone_url: 'https://github.com/acme/config.git' }, sender: { login: 'octocat' }, commits: padding,
      });
      return { id: `${prefix}-${i}`, body, signature: await sign(SECRET, body) };
    }),
  );
}

async function load(url: string, list: readonly Delivery[]): Promise<Figures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) {
      const delivery = list[next++]!;
      const started = performance.now();
      const status = await post(url, delivery, agent);
      latencies.push(performance.now() - started);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return figures(list.length / seconds, latencies, statuses);
}

/** Sends `list` at `RATE` per second on schedule; latency from each scheduled time to its answer. */
async function paced(url: string, list: readonly Delivery[]): Promise<Figures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  const answers: Promise<void>[] = [];
  let next = 0;
  while (next < list.length) {
    const now = performance.now();
    for (; next < list.length && started + (next * 1000) / RATE <= now; next += 1) {
      const due = started + (next * 1000) / RATE;
      answers.push(post(url, list[next]!, agent).then((status) => {
        latencies.push(performance.now() - due);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }));
    }
    await sleep(1);
  }
  await Promise.all(answers);
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return figures(list.length / seconds, latencies, statuses);
}

function figures(perSecond: number, latencies: number[], statuses: Map<number, number>): Figures {
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { perSecond, p50: at(0.5), p99: at(0.99), statuses };
}

function post(url: string, delivery: Delivery, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/hook`, {
      method: 'POST', agent,
      headers: {
        'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': delivery.id, 'x-github-hook-id': '1',
        'x-hub-signature-256': delivery.signature, 'content-length': Buffer.byteLength(delivery.body),
      },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(delivery.body);
  });
}

/** Starts a process and waits for the line holding its URL in `logFile`. */
async function startProcess(args: string[], env: NodeJS.ProcessEnv, logFile: string, urlOf: (text: string) => string | undefined): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')] });
  for (let i = 0; i < 200; i += 1) {
    const url = urlOf(readFileSync(logFile, 'utf8'));
    if (url !== undefined) return { child, url };
    if (child.exitCode !== null) break;
    await sleep(50);
  }
  throw new Error(`${args.join(' ')} did not start:\n${readFileSync(logFile, 'utf8')}`);
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
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

interface Side {
  readonly throughput: Figures;
  readonly latency: Figures;
}

interface Lists {
  readonly warm: readonly Delivery[];
  readonly closed: readonly Delivery[];
  readonly open: readonly Delivery[];
}

async function measure(url: string, lists: Lists): Promise<Side> {
  await load(url, lists.warm);
  const throughput = await load(url, lists.closed);
  const latency = await paced(url, lists.open);
  return { throughput, latency };
}

async function measureRailyard(root: string, lists: Lists): Promise<Side & { journaled: number }> {
  const env = {
    PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', GITHUB_WEBHOOK_SECRET: SECRET, API_KEY: 'bench-api-key-8d2e',
    DOCKER_HOST: `unix://${join(root, 'none.sock')}`, HOOK_ALLOWED_CIDRS: '127.0.0.1/32',
  };
  const { child, url } = await startProcess([BIN, '--root', root, 'serve', '--no-schedule'], env, join(root, 'railyard.log'), (text) =>
    /"msg":"railyard serving"/.test(text) ? /"url":"([^"]+)"/.exec(text.split('\n').find((l) => l.includes('railyard serving')) ?? '')?.[1] : undefined,
  );
  const side = await measure(url, lists);
  await stop(child);
  const store = RunStore.open(storePath(root));
  const journaled = store.countRuns().filter((c) => c.pipeline === 'sync').reduce((n, c) => n + c.count, 0) - lists.warm.length;
  store.close();
  return { ...side, journaled };
}

async function measureBaseline(root: string, lists: Lists): Promise<Side> {
  const { child, url } = await startProcess(['-e', BASELINE], { PATH: process.env['PATH'] ?? '', SECRET }, join(root, 'baseline.log'), (text) =>
    /listening (\S+)/.exec(text)?.[1],
  );
  const side = await measure(url, lists);
  await stop(child);
  return side;
}

const statusText = (f: Figures): string => JSON.stringify(Object.fromEntries(f.statuses));
const lines = (name: string, side: Side): string[] => [
  `  ${name}`,
  `    throughput (${CONCURRENCY} connections, closed loop): ${Math.round(side.throughput.perSecond)} deliveries/s   (p50 ${side.throughput.p50.toFixed(2)} ms, p99 ${side.throughput.p99.toFixed(2)} ms at saturation)   ${statusText(side.throughput)}`,
  `    latency at ${RATE}/s (open loop):             p50 ${side.latency.p50.toFixed(2)} ms   p99 ${side.latency.p99.toFixed(2)} ms   (achieved ${Math.round(side.latency.perSecond)}/s)   ${statusText(side.latency)}`,
];

const root = mkdtempSync(join(tmpdir(), 'railyard-bench-webhook-'));
try {
  const make = async (prefix: string): Promise<Lists> => ({
    warm: await deliveries(WARMUP, `${prefix}-warm`), closed: await deliveries(DELIVERIES, `${prefix}-closed`), open: await deliveries(DELIVERIES, `${prefix}-open`),
  });
  const [forRailyard, forBaseline] = await Promise.all([make('railyard'), make('baseline')]);
  const baseline = await measureBaseline(root, forBaseline);
  const railyard = await measureRailyard(root, forRailyard);
  const accepted = (railyard.throughput.statuses.get(202) ?? 0) + (railyard.latency.statuses.get(202) ?? 0);
  const ok = railyard.throughput.perSecond >= 1000 && railyard.latency.p99 < 20 && railyard.latency.perSecond >= RATE * 0.98;
  process.stdout.write(
    [
      `webhook: signed push deliveries (${forRailyard.closed[0]!.body.length} B), ${DELIVERIES} per phase, after ${WARMUP} warm-up deliveries`,
      ...lines('railyard serve (verified, deduplicated, journaled before the 202):', railyard),
      ...lines('baseline (bare node:http: HMAC check + 202, nothing journaled):', baseline),
      `  journaled: ${railyard.journaled} runs in the store for ${accepted} answers 202`,
      `  railyard / baseline throughput: ${(railyard.throughput.perSecond / baseline.throughput.perSecond).toFixed(2)}`,
      `  target (>= 1000 deliveries/s, p99 < 20 ms at 1000/s): ${ok ? 'met' : 'NOT met'}`,
      '',
    ].join('\n'),
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
