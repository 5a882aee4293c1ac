import { lookup } from 'node:dns/promises';
import { createSocket } from 'node:dgram';
import { isIP, connect } from 'node:net';

/** What dialling a backend from this network namespace (the host's, where Traefik runs) found. */
export type ProbeResult =
  | { readonly ok: true; readonly address: string; readonly detail: string }
  | { readonly ok: false; readonly address: string | undefined; readonly detail: string };

export interface ProbeOptions {
  /** @default 1500 */
  readonly timeoutMs?: number;
}

/**
 * Resolves `host` with the host's resolver (what a host-networked Traefik
 * uses), then opens a TCP connection, or for udp sends one datagram and waits
 * for an ICMP refusal. UDP has no handshake: "no refusal" is the most a probe
 * can learn, and it says so.
 */
export async function probeBackend(host: string, port: number, protocol: 'tcp' | 'udp', options: ProbeOptions = {}): Promise<ProbeResult> {
  const timeoutMs = options.timeoutMs ?? 1500;
  let address: string;
  try {
    address = isIP(host) ? host : (await lookup(host)).address;
  } catch (error) {
    return { ok: false, address: undefined, detail: `${host} does not resolve here (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  return protocol === 'tcp' ? probeTcp(address, port, timeoutMs) : probeUdp(address, port, timeoutMs);
}

function probeTcp(address: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: timeoutMs });
    const done = (result: ProbeResult): void => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done({ ok: true, address, detail: 'accepts tcp' }));
    socket.once('timeout', () => done({ ok: false, address, detail: `no answer on tcp ${address}:${port} within ${timeoutMs} ms` }));
    socket.once('error', (error: NodeJS.ErrnoException) => done({ ok: false, address, detail: `tcp ${address}:${port}: ${error.code ?? error.message}` }));
  });
}

function probeUdp(address: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    // An ICMP port-unreachable comes back within a round trip; a quarter of the timeout is plenty on one host.
    const wait = Math.max(200, Math.floor(timeoutMs / 4));
    let timer: NodeJS.Timeout | undefined;
    const done = (result: ProbeResult): void => {
      clearTimeout(timer);
      socket.close();
      resolve(result);
    };
    socket.once('message', () => done({ ok: true, address, detail: 'answers udp' }));
    socket.once('error', (error: NodeJS.ErrnoException) => done({ ok: false, address, detail: `udp ${address}:${port}: ${error.code ?? error.message}` }));
    socket.connect(port, address, () => {
      socket.send(Buffer.from('railyard-probe\n'), (error) => {
        if (error) return done({ ok: false, address, detail: `udp ${address}:${port}: ${(error as NodeJS.ErrnoException).code ?? error.message}` });
        timer = setTimeout(() => done({ ok: true, address, detail: 'udp: no refusal (UDP has no handshake)' }), wait);
      });
    });
  });
}
