// The bench client of bench/webhook.ts: signed deliveries, a closed loop for
// throughput and an open loop (sent on schedule) for latency.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { sign } from '@octokit/webhooks-methods';

export interface Delivery {
  readonly id: string;
  readonly body: string;
  readonly signature: string;
}

export interface Figures {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly statuses: Map<number, number>;
}

/** `count` push deliveries of ~6 KB (GitHub's size for a small push), each with its own id and commit, signed with sign(). */
export async function deliveries(count: number, prefix: string, secret: string, cloneUrl: string): Promise<Delivery[]> {
  const commits = Array.from({ length: 12 }, (_, i) => ({ id: `${i}`.padStart(40, '0'), message: 'x'.repeat(400), author: { name: 'octocat' } }));
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const body = JSON.stringify({
        ref: 'refs/heads/main', before: '0'.repeat(40), after: i.toString(16).padStart(40, '0'), deleted: false,
        repository: { full_name: 'acme/config', clone_url: cloneUrl }, sender: { login: 'octocat' }, commits,
      });
      return { id: `${prefix}-${i}`, body, signature: await sign(secret, body) };
    }),
  );
}

/** As fast as the server answers, on `concurrency` kept-alive connections. */
export async function closedLoop(url: string, list: readonly Delivery[], concurrency: number): Promise<Figures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) {
      const delivery = list[next++]!;
      const started = performance.now();
      count(statuses, await post(url, delivery, agent));
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return figures(list.length / ((performance.now() - started) / 1000), latencies, statuses);
}

/** At `rate` per second on schedule, answered or not; each latency runs from the scheduled time, so a stall is not hidden. */
export async function openLoop(url: string, list: readonly Delivery[], rate: number): Promise<Figures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const answers: Promise<void>[] = [];
  const started = performance.now();
  let next = 0;
  while (next < list.length) {
    for (; next < list.length && started + (next * 1000) / rate <= performance.now(); next += 1) {
      const due = started + (next * 1000) / rate;
      answers.push(post(url, list[next]!, agent).then((status) => {
        latencies.push(performance.now() - due);
        count(statuses, status);
      }));
    }
    await sleep(1);
  }
  await Promise.all(answers);
  agent.destroy();
  return figures(list.length / ((performance.now() - started) / 1000), latencies, statuses);
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

function count(statuses: Map<number, number>, status: number): void {
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
}

function figures(perSecond: number, latencies: number[], statuses: Map<number, number>): Figures {
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { perSecond, p50: at(0.5), p99: at(0.99), statuses };
}
