// The deploy workflow's network, for real (issue 12 item 6): three network
// namespaces and Debian's openvpn and easy-rsa.
//
//   runner ── 192.0.2.0/24 ("the internet") ── vpn ── proxynet ── host
//   (GitHub's runner:          (the kylemanna/openvpn       (the Docker host:
//    openvpn client, the        container: openvpn server,   railyard listens on
//    workflow's steps; its      10.8.0.0/24, NATs its        0.0.0.0:PORT and sees
//    own default route)         clients onto proxynet)       the container's address)
//
// The server and client files have the shape ovpn_genconfig and ovpn_getclient
// write (block-outside-dns and DNS pushed, `redirect-gateway def1` in the
// client file, tls-auth, key-direction), written here from OpenVPN's manual.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { dockerRequired } from '../helpers/docker.ts';

const EASYRSA = '/usr/share/easy-rsa/easyrsa';
/** The runner's side of "the internet" and the VPN server's public address there. */
const INTERNET = { runner: '192.0.2.2', server: '192.0.2.1', prefix: 24 } as const;
/** The VPN's own subnet (ovpn_genconfig's default). */
export const VPN_SUBNET = '10.8.0.0/24';

export interface VpnLab {
  /** Network namespace names. */
  readonly ns: { readonly runner: string; readonly vpn: string; readonly host: string };
  /** The runner's interface to "the internet" (its default route). */
  readonly runnerLink: string;
  /** The client file, as ovpn_getclient prints it. */
  readonly clientFile: string;
  /** The VPN container's address on proxynet: what railyard sees as the source. */
  readonly natAddress: string;
  /** `ip netns exec NS ...argv` (no shell). */
  exec(ns: string, argv: readonly string[]): Promise<string>;
  close(): Promise<void>;
}

/** Why the lab cannot run here, or undefined. With REQUIRE_DOCKER=1 (CI) a missing piece is an error. */
export function vpnLabMissing(): string | undefined {
  const missing = [
    process.getuid?.() !== 0 && 'root',
    !existsSync('/usr/sbin/openvpn') && 'openvpn',
    !existsSync(EASYRSA) && 'easy-rsa',
    !existsSync('/usr/sbin/nft') && 'nftables',
    !existsSync('/usr/bin/jq') && 'jq',
    !existsSync('/dev/net/tun') && '/dev/net/tun',
  ].filter((m): m is string => typeof m === 'string');
  if (missing.length === 0) return undefined;
  const why = `the OpenVPN lab needs ${missing.join(', ')} (sudo bash scripts/test-host.sh installs them)`;
  if (dockerRequired()) throw new Error(`REQUIRE_DOCKER=1 but ${why}`);
  process.stderr.write(`SKIP deploy workflow over OpenVPN: ${why}\n`);
  return why;
}

/**
 * Builds the three namespaces and starts the VPN server. `proxynet` is the
 * subnet and `gateway` the host's address on it (README step 3).
 */
export async function startVpnLab(proxynet: { readonly cidr: string; readonly gateway: string }): Promise<VpnLab> {
  const id = `ry${randomBytes(2).toString('hex')}`;
  const ns = { runner: `${id}-runner`, vpn: `${id}-vpn`, host: `${id}-host` };
  const dir = await mkdtemp(join(tmpdir(), 'railyard-vpn-lab-'));
  const prefix = proxynet.cidr.split('/')[1]!;
  const natAddress = nextAddress(proxynet.gateway);
  const ip = (...argv: string[]) => execa('ip', argv);
  const exec = async (name: string, argv: readonly string[]) => (await execa('ip', ['netns', 'exec', name, ...argv])).stdout;
  const lab: VpnLab = {
    ns, runnerLink: `${id}r0`, clientFile: '', natAddress, exec,
    async close() {
      const pid = await readFile(join(dir, 'server.pid'), 'utf8').catch(() => '');
      if (/^\d+\s*$/.test(pid)) process.kill(Number(pid), 'SIGTERM');
      // Deleting a namespace deletes its veth ends (and their peers).
      await Promise.all(Object.values(ns).map((name) => execa('ip', ['netns', 'del', name], { reject: false })));
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    for (const name of Object.values(ns)) await ip('netns', 'add', name);
    await ip('link', 'add', `${id}r0`, 'netns', ns.runner, 'type', 'veth', 'peer', 'name', `${id}v0`, 'netns', ns.vpn);
    await ip('link', 'add', `${id}v1`, 'netns', ns.vpn, 'type', 'veth', 'peer', 'name', `${id}h0`, 'netns', ns.host);
    await link(ns.runner, `${id}r0`, `${INTERNET.runner}/${INTERNET.prefix}`);
    await execa('ip', ['-n', ns.runner, 'route', 'add', 'default', 'via', INTERNET.server]);
    await link(ns.vpn, `${id}v0`, `${INTERNET.server}/${INTERNET.prefix}`);
    await link(ns.vpn, `${id}v1`, `${natAddress}/${prefix}`);
    await execa('ip', ['-n', ns.vpn, 'route', 'add', 'default', 'via', proxynet.gateway]);
    await link(ns.host, `${id}h0`, `${proxynet.gateway}/${prefix}`);
    // What kylemanna/openvpn's ovpn_run does with iptables: forward, and masquerade the VPN's clients.
    await exec(ns.vpn, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    await exec(ns.vpn, ['nft', 'add table ip nat']);
    await exec(ns.vpn, ['nft', 'add chain ip nat postrouting { type nat hook postrouting priority srcnat ; }']);
    await exec(ns.vpn, ['nft', `add rule ip nat postrouting ip saddr ${VPN_SUBNET} oifname "${id}v1" masquerade`]);
    const pki = await buildPki(dir);
    await startServer(lab, dir, pki);
    return { ...lab, clientFile: await clientFile(pki) };
  } catch (error) {
    await lab.close();
    throw error;
  }
}

async function link(ns: string, name: string, address: string): Promise<void> {
  await execa('ip', ['-n', ns, 'addr', 'add', address, 'dev', name]);
  await execa('ip', ['-n', ns, 'link', 'set', name, 'up']);
  await execa('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
}

function nextAddress(address: string): string {
  const parts = address.split('.').map(Number);
  parts[3] = parts[3]! + 1;
  return parts.join('.');
}

interface Pki {
  readonly dir: string;
}

/** A CA, the server's and the client's certificates (EC keys: seconds, not minutes), and the tls-auth key. */
async function buildPki(dir: string): Promise<Pki> {
  const pki = join(dir, 'pki');
  const env = { EASYRSA_BATCH: '1', EASYRSA_PKI: pki, EASYRSA_ALGO: 'ec', EASYRSA_CURVE: 'prime256v1' };
  const easyrsa = (...argv: string[]) => execa(EASYRSA, argv, { env, cwd: dir });
  await easyrsa('init-pki');
  await easyrsa('--req-cn=railyard-test-ca', 'build-ca', 'nopass');
  await easyrsa('build-server-full', 'server', 'nopass');
  await easyrsa('build-client-full', 'github-deploy', 'nopass');
  await execa('openvpn', ['--genkey', 'secret', join(pki, 'ta.key')]);
  return { dir: pki };
}

async function startServer(lab: VpnLab, dir: string, pki: Pki): Promise<void> {
  const [network, mask] = ['10.8.0.0', '255.255.255.0'];
  const config = [
    `server ${network} ${mask}`, 'verb 3',
    `key ${pki.dir}/private/server.key`, `ca ${pki.dir}/ca.crt`, `cert ${pki.dir}/issued/server.crt`,
    'dh none', `tls-auth ${pki.dir}/ta.key`, 'key-direction 0', 'keepalive 10 60', 'persist-key', 'persist-tun',
    'proto udp', 'port 1194', 'dev tun', 'user nobody', 'group nogroup', 'comp-lzo no',
    'push "block-outside-dns"', 'push "dhcp-option DNS 8.8.8.8"', 'push "dhcp-option DNS 8.8.4.4"', 'push "comp-lzo no"',
  ];
  await writeFile(join(dir, 'server.conf'), `${config.join('\n')}\n`);
  const log = join(dir, 'server.log');
  await lab.exec(lab.ns.vpn, ['openvpn', '--config', join(dir, 'server.conf'), '--daemon', '--writepid', join(dir, 'server.pid'), '--log', log]);
  for (let i = 0; i < 100; i += 1) {
    if ((await readFile(log, 'utf8').catch(() => '')).includes('Initialization Sequence Completed')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the OpenVPN server did not start:\n${await readFile(log, 'utf8').catch(() => '(no log)')}`);
}

/** The combined client file, in ovpn_getclient's order, `redirect-gateway def1` included. */
async function clientFile(pki: Pki): Promise<string> {
  const read = (path: string) => readFile(join(pki.dir, path), 'utf8').then((s) => s.trim());
  // easy-rsa's .crt starts with the text dump; ovpn_getclient keeps the PEM block only (openssl x509).
  const issued = await read('issued/github-deploy.crt');
  const cert = issued.slice(issued.indexOf('-----BEGIN'));
  return [
    '', 'client', 'nobind', 'dev tun', 'remote-cert-tls server', '', `remote ${INTERNET.server} 1194 udp`, '',
    '<key>', await read('private/github-deploy.key'), '</key>',
    '<cert>', cert, '</cert>',
    '<ca>', await read('ca.crt'), '</ca>',
    'key-direction 1',
    '<tls-auth>', await read('ta.key'), '</tls-auth>', '',
    'redirect-gateway def1',
  ].join('\n');
}
