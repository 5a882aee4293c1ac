import type { AddressInfo } from 'node:net';
import type { ServerDeps } from './context.ts';
import { createHandler, type HandlerState } from './handler.ts';
import type { Route } from './router.ts';
import { ROUTES } from './routes.ts';

/**
 * node:http as CommonJS: an ESM import of it builds its namespace, which reads
 * its lazy WebSocket/MessageEvent exports and so loads Node's bundled undici
 * (~2 MB of heap, ~5 MB RSS in the HTTP thread) that the endpoint never uses.
 */
const http = process.getBuiltinModule('node:http');

/** Where to listen: an address, or an inherited socket (systemd socket activation passes fd 3). */
export type Listen = { readonly host: string; readonly port: number } | { readonly fd: number };

export interface StartServerOptions {
  readonly deps: ServerDeps;
  readonly listen: Listen;
  /** @default ROUTES */
  readonly routes?: readonly Route[];
}

export interface HookServer {
  /** `http://host:port`, for messages and tests. */
  readonly url: string;
  readonly port: number;
  /**
   * Stops accepting connections, ends event streams, lets requests in flight
   * finish (new requests on kept-alive connections get 503 and `Connection:
   * close`), and after `graceMs` cuts what is left.
   */
  close(options?: { readonly graceMs?: number }): Promise<void>;
}

/**
 * The HTTP endpoint on node:http (no framework: a dozen routes, and the
 * webhook path must stay close to the socket for P3). Timeouts bound slow
 * clients: headers within 10 s, the whole request within 30 s.
 */
export async function startServer(options: StartServerOptions): Promise<HookServer> {
  const stop = new AbortController();
  const state: HandlerState = { closing: false, signal: stop.signal };
  const server = http.createServer(
    { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 },
    createHandler(options.deps, options.routes ?? ROUTES, state),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen('fd' in options.listen ? { fd: options.listen.fd } : { host: options.listen.host, port: options.listen.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close(closeOptions = {}) {
      closed ??= (async () => {
        state.closing = true;
        stop.abort();
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), closeOptions.graceMs ?? 10_000);
        await done;
        clearTimeout(timer);
      })();
      return closed;
    },
  };
}
