// A real DNS server for tests: UDP on 127.0.0.1 and a free port, answering
// PTR queries from a table (node:dgram + dns-packet, which writes label bytes
// as given, so a test can serve a hostile name with control characters).
// Point a resolver at it with `Resolver#setServers([server.address])`.
import { once } from 'node:events';
import { createSocket, type RemoteInfo } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import dnsPacket, { type Answer, type Packet } from 'dns-packet';

export interface DnsServerOptions {
  /** IP address → PTR name. IPs not listed get NXDOMAIN. */
  readonly ptr?: Readonly<Record<string, string>>;
  /** Delay before each answer, in ms. @default 0 */
  readonly latencyMs?: number;
  /** IPs whose queries are never answered (to test the resolver's timeout). */
  readonly silent?: readonly string[];
}

export interface DnsServer {
  /** `127.0.0.1:<port>`, for `Resolver#setServers` and THREAT_DNS_SERVERS. */
  readonly address: string;
  /** IPs asked for so far, in arrival order. */
  readonly queries: readonly string[];
  close(): Promise<void>;
}

export async function startDnsServer(options: DnsServerOptions = {}): Promise<DnsServer> {
  const ptr = new Map(Object.entries(options.ptr ?? {}).map(([ip, name]) => [reverseName(ip), name]));
  const silent = new Set((options.silent ?? []).map(reverseName));
  const queries: string[] = [];
  const socket = createSocket('udp4');
  socket.on('message', (message: Buffer, remote: RemoteInfo) => {
    let query: Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return; // not DNS: ignore, as a real server would
    }
    const question = query.questions?.[0];
    if (question === undefined) return;
    queries.push(ipOf(question.name));
    if (silent.has(question.name.toLowerCase())) return;
    const name = question.type === 'PTR' ? ptr.get(question.name.toLowerCase()) : undefined;
    const answers: Answer[] = name === undefined ? [] : [{ type: 'PTR', name: question.name, ttl: 60, data: name }];
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      // QR + RD + RA; RCODE 3 (NXDOMAIN) when there is no record.
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (name === undefined ? 3 : 0),
      questions: [question],
      answers,
    });
    void sleep(options.latencyMs ?? 0).then(() => socket.send(reply, remote.port, remote.address));
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    queries,
    close: async () => {
      socket.close();
      await once(socket, 'close').catch(() => undefined);
    },
  };
}

/** `192.0.2.1` → `1.2.0.192.in-addr.arpa`; IPv6 → the nibble form under ip6.arpa. */
export function reverseName(ip: string): string {
  if (!ip.includes(':')) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const [head = '', tail = ''] = ip.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = groups(tail);
  const full = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const nibbles = full.map((g) => g.padStart(4, '0')).join('').toLowerCase().split('');
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}

/** The IP a reverse name stands for (IPv4 dotted, IPv6 as the nibble string), for `queries`. */
function ipOf(name: string): string {
  const lower = name.toLowerCase();
  if (lower.endsWith('.in-addr.arpa')) return lower.slice(0, -'.in-addr.arpa'.length).split('.').reverse().join('.');
  if (lower.endsWith('.ip6.arpa')) {
    const hex = lower.slice(0, -'.ip6.arpa'.length).split('.').reverse().join('');
    // The WHATWG URL parser prints IPv6 in its canonical (compressed) form.
    return new URL(`http://[${(hex.match(/.{4}/g) ?? []).join(':')}]`).hostname.slice(1, -1);
  }
  return lower;
}
