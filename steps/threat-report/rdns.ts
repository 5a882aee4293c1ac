import { Resolver } from 'node:dns/promises';
import { cleanPtrName } from './clean-text.ts';

export interface ReverseDns {
  /** The first PTR name of an IP, cleaned; undefined when there is none or the answer took too long. */
  lookup(ip: string, signal: AbortSignal): Promise<string | undefined>;
  /** Cancels queries still outstanding. */
  close(): void;
}

export interface ReverseDnsOptions {
  /** `host[:port]` servers; empty for the system's. */
  readonly servers: readonly string[];
  /** @default 3000 (itsUP's) */
  readonly timeoutMs?: number;
}

/**
 * Reverse DNS through c-ares (node:dns Resolver), which runs many queries at
 * once on one socket, unlike getnameinfo on the libuv thread pool. c-ares'
 * own timeout overshoots by up to a second, so each lookup also has a hard deadline.
 */
export function createReverseDns(options: ReverseDnsOptions): ReverseDns {
  const timeoutMs = options.timeoutMs ?? 3000;
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  if (options.servers.length > 0) resolver.setServers([...options.servers]);
  return {
    async lookup(ip, signal) {
      signal.throwIfAborted();
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const stop = new Promise<undefined>((resolve, reject) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
        onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      const query = resolver.reverse(ip).then(
        (names) => (names[0] === undefined ? undefined : cleanPtrName(names[0]) || undefined),
        () => undefined, // NXDOMAIN, SERVFAIL, timeout: no name, as itsUP
      );
      try {
        return await Promise.race([query, stop]);
      } finally {
        clearTimeout(timer);
        if (onAbort) signal.removeEventListener('abort', onAbort);
      }
    },
    close: () => resolver.cancel(),
  };
}
