import { setTimeout as sleep } from 'node:timers/promises';
import { loadTraefikState, serverAddress } from './traefik-api.ts';

/** Whether any of Traefik's http services still lists a server on one of `ips` (through runtime/traefik-api.ts). */
export async function traefikListsAny(apiUrl: string, ips: readonly string[], signal?: AbortSignal): Promise<boolean> {
  const { services } = await loadTraefikState(apiUrl, signal);
  return services.some((service) =>
    (service.loadBalancer?.servers ?? []).some((server) => {
      const address = serverAddress(server) ?? '';
      return ips.some((ip) => address.startsWith(`${ip}:`));
    }),
  );
}

/** Polls Traefik every `pollMs` until it no longer routes to `ips` (a draining container); false on timeout. */
export async function waitTraefikDropped(apiUrl: string, ips: readonly string[], timeoutMs: number, signal?: AbortSignal, pollMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await traefikListsAny(apiUrl, ips, signal))) return true;
    await sleep(pollMs, undefined, signal ? { signal } : {});
  }
  return false;
}
