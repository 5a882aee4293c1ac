// A stand-in for Traefik's docker provider (no Traefik runs here): an HTTP
// load balancer on 127.0.0.1 that routes, round robin, to the running
// containers of one compose service that are healthy or have no healthcheck,
// on the given network, and re-reads that list on every container event. Like
// Traefik, it applies a new list only after a throttle (Traefik's
// providersThrottleDuration, 2 s by default; shorter here to keep tests fast),
// and it serves Traefik's API shape (`/api/http/services`) so railyard's
// TRAEFIK_API_URL wait runs against it. A prober GETs through it every 20 ms.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Docker from 'dockerode';

export interface StandInOptions {
  readonly project: string;
  readonly service: string;
  /** Network the backends are reached on (Traefik's `traefik.docker.network`). */
  readonly network: string;
  readonly port: number;
  /** @default 300 ms */
  readonly throttleMs?: number;
}

export interface StandIn {
  /** `http://127.0.0.1:<port>`: the load balancer, and Traefik's API under /api/. */
  readonly url: string;
  /** Backends in rotation now (`ip:port`). */
  backends(): readonly string[];
  close(): Promise<void>;
}

const noKeepAlive = new http.Agent({ keepAlive: false });

export async function startStandIn(docker: Docker, options: StandInOptions): Promise<StandIn> {
  let backends: string[] = [];
  let next = 0;
  let pending: NodeJS.Timeout | undefined;
  const labels = [`com.docker.compose.project=${options.project}`, `com.docker.compose.service=${options.service}`];
  const refresh = async (): Promise<void> => {
    // As Traefik's docker provider: list, then inspect each container for its
    // state and health (Podman's list carries no health in its status text).
    const list = await docker.listContainers({ filters: { label: labels } });
    const inspected = await Promise.all(list.map((c) => docker.getContainer(c.Id).inspect().catch(() => undefined)));
    backends = inspected
      .filter((info) => info !== undefined && info.State.Running && isRoutable(info.State.Health?.Status))
      .map((info) => info!.NetworkSettings.Networks[options.network]?.IPAddress)
      .filter((ip): ip is string => ip !== undefined && ip !== '')
      .map((ip) => `${ip}:${options.port}`);
  };
  // One refresh at a time, in order: a slow listing must never overwrite a newer one.
  let chain = Promise.resolve();
  const schedule = (): void => {
    pending ??= setTimeout(() => {
      pending = undefined;
      chain = chain.then(refresh).catch(() => undefined);
    }, options.throttleMs ?? 300);
  };
  const events = await docker.getEvents({ filters: { type: ['container'], label: labels } });
  events.on('data', schedule);
  events.on('error', () => undefined);
  await refresh();

  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/api/')) return api(req.url, backends, res);
    const target = backends.length === 0 ? undefined : backends[next++ % backends.length];
    if (target === undefined) return void res.writeHead(503).end('no backend\n');
    const [host, port] = target.split(':');
    const upstream = http.request({ host, port: Number(port), path: req.url, method: req.method, agent: noKeepAlive, timeout: 2000 }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502).end(`backend ${target}: ${error.message}\n`);
      else res.destroy();
    });
    upstream.on('timeout', () => upstream.destroy(new Error('timeout')));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    backends: () => backends,
    async close() {
      clearTimeout(pending);
      (events as NodeJS.ReadableStream & { destroy(): void }).destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Traefik's container filter: no healthcheck, or healthy (`starting` and `unhealthy` are out). */
/** Traefik routes to a container without a healthcheck, or with one that is `healthy`. */
function isRoutable(health: string | undefined): boolean {
  return health === undefined || health === '' || health === 'healthy';
}

function api(url: string, backends: readonly string[], res: http.ServerResponse): void {
  const body = url.startsWith('/api/http/services')
    ? [{ name: 'stand-in@docker', loadBalancer: { servers: backends.map((b) => ({ url: `http://${b}` })) } }]
    : [];
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export interface ProbeResult {
  readonly sent: number;
  readonly failed: number;
  /** The first failures: time since the start, and status or error. */
  readonly failures: readonly string[];
}

/** GETs `url` every `everyMs` (20) without waiting for the previous answer; a non-200 or an error is a failure. */
export function startProber(url: string, everyMs = 20): { stop(): Promise<ProbeResult> } {
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  const failures: string[] = [];
  let sent = 0;
  let failed = 0;
  const fail = (why: string): void => {
    failed++;
    if (failures.length < 20) failures.push(`${Date.now() - started} ms: ${why}`);
  };
  const probe = (): void => {
    sent++;
    const request = fetch(url, { signal: AbortSignal.timeout(3000), headers: { connection: 'close' } })
      .then(async (res) => {
        const text = await res.text();
        if (res.status !== 200) fail(`${res.status} ${text.trim()}`);
      })
      .catch((error: Error) => fail(error.message))
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };
  const timer = setInterval(probe, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return { sent, failed, failures };
    },
  };
}
