// Three network namespaces made for a test: client → router → server, with
// IPv4 forwarding in the router. railyard runs in the router (`ip netns exec`),
// so its nftables table is the router's: the host's own ruleset is never touched.
import { execa } from 'execa';

export interface Topology {
  readonly client: string;
  readonly router: string;
  readonly server: string;
  /** The client's first address; `clientAddresses` are extra ones on the same link. */
  readonly clientIp: string;
  readonly clientAddresses: readonly string[];
  readonly serverIp: string;
  /** Runs argv inside a namespace (no shell). */
  exec(ns: string, argv: readonly string[], options?: { readonly input?: string; readonly reject?: boolean }): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  readonly clientIp6: string;
  readonly serverIp6: string;
  /** True when the client reaches the server's `port` from `from` (IPv4 or IPv6) within `ms`. */
  reaches(port: number, from?: string, ms?: number): Promise<boolean>;
  remove(): Promise<void>;
}

/** Whether `ip netns` and `nft` work here (root, iproute2, nftables). */
export async function netnsAvailable(): Promise<string | undefined> {
  const probe = `ry-probe-${process.pid}`;
  try {
    await execa('ip', ['netns', 'add', probe]);
    await execa('ip', ['netns', 'exec', probe, 'nft', 'list', 'ruleset']);
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  } finally {
    await execa('ip', ['netns', 'del', probe], { reject: false });
  }
}

export async function createTopology(extraClients = 0): Promise<Topology> {
  const id = `ry${process.pid % 100_000}`;
  const [client, router, server] = [`${id}-c`, `${id}-r`, `${id}-s`];
  const ip = (...argv: string[]) => execa('ip', argv);
  const clientAddresses = Array.from({ length: extraClients }, (_, i) => `10.201.1.${10 + i}`);
  for (const ns of [client, router, server]) {
    await execa('ip', ['netns', 'del', ns], { reject: false });
    await ip('netns', 'add', ns);
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  await ip('-n', client, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'toc', 'netns', router);
  await ip('-n', server, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'tos', 'netns', router);
  await ip('-n', client, 'addr', 'add', '10.201.1.2/24', 'dev', 'eth0');
  for (const address of clientAddresses) await ip('-n', client, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
  await ip('-n', router, 'addr', 'add', '10.201.1.1/24', 'dev', 'toc');
  await ip('-n', router, 'addr', 'add', '10.201.2.1/24', 'dev', 'tos');
  await ip('-n', server, 'addr', 'add', '10.201.2.2/24', 'dev', 'eth0');
  for (const [ns, dev] of [[client, 'eth0'], [router, 'toc'], [router, 'tos'], [server, 'eth0']] as const) await ip('-n', ns, 'link', 'set', dev, 'up');
  // IPv6 as well (nodad: usable at once): fd01:201:1::/64 on the client side, fd01:201:2::/64 on the server side.
  await ip('-n', client, 'addr', 'add', 'fd01:201:1::2/64', 'dev', 'eth0', 'nodad');
  await ip('-n', router, 'addr', 'add', 'fd01:201:1::1/64', 'dev', 'toc', 'nodad');
  await ip('-n', router, 'addr', 'add', 'fd01:201:2::1/64', 'dev', 'tos', 'nodad');
  await ip('-n', server, 'addr', 'add', 'fd01:201:2::2/64', 'dev', 'eth0', 'nodad');
  await ip('-n', client, '-6', 'route', 'add', 'default', 'via', 'fd01:201:1::1');
  await ip('-n', server, '-6', 'route', 'add', 'default', 'via', 'fd01:201:2::1');
  await execa('ip', ['netns', 'exec', router, 'sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1']);
  await ip('-n', client, 'route', 'add', 'default', 'via', '10.201.1.1');
  await ip('-n', server, 'route', 'add', 'default', 'via', '10.201.2.1');
  await execa('ip', ['netns', 'exec', router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  const exec: Topology['exec'] = async (ns, argv, options = {}) => {
    const result = await execa('ip', ['netns', 'exec', ns, ...argv], { reject: options.reject ?? true, ...(options.input !== undefined && { input: options.input }) });
    return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
  };
  return {
    client, router, server, clientIp: '10.201.1.2', clientAddresses, serverIp: '10.201.2.2', clientIp6: 'fd01:201:1::2', serverIp6: 'fd01:201:2::2', exec,
    async reaches(port, from = '10.201.1.2', ms = 700) {
      const to = from.includes(':') ? '[fd01:201:2::2]' : '10.201.2.2';
      const result = await exec(client, ['curl', '-s', '-o', '/dev/null', '--interface', from, '--max-time', String(ms / 1000), `http://${to}:${port}/`], { reject: false });
      return result.exitCode === 0;
    },
    async remove() {
      for (const ns of [client, router, server]) await execa('ip', ['netns', 'del', ns], { reject: false });
    },
  };
}
