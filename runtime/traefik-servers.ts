import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Minimal Traefik API read for the rollout's drain: whether any HTTP or TCP
 * service still lists a server on one of `ips`. (The full Traefik API client
 * is wt-proxy's; this is the one call the drain needs.)
 */
export async function traefikListsAny(apiUrl: string, ips: readonly string[], signal?: AbortSignal): Promise<boolean> {
  const base = apiUrl.replace(/\/+$/, '');
  for (const kind of ['http', 'tcp']) {
    const res = await fetch(`${base}/api/${kind}/services`, { signal: AbortSignal.any([AbortSignal.timeout(2000), ...(signal ? [signal] : [])]) });
    if (!res.ok) throw new Error(`Traefik API ${base}/api/${kind}/services answered ${res.status}`);
    const services = (await res.json()) as { loadBalancer?: { servers?: { url?: string; address?: string }[] } }[];
    for (const service of services) {
      for (const server of service.loadBalancer?.servers ?? []) {
        const where = server.url ?? server.address ?? '';
        if (ips.some((ip) => where.includes(`//${ip}:`) || where.startsWith(`${ip}:`))) return true;
      }
    }
  }
  return false;
}

/** Polls Traefik every 100 ms until it no longer routes to `ips`; false on timeout. */
export async function waitTraefikDropped(apiUrl: string, ips: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await traefikListsAny(apiUrl, ips, signal))) return true;
    await sleep(100, undefined, signal ? { signal } : {});
  }
  return false;
}
