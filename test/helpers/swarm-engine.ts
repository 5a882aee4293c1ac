// Throwaway swarm nodes for tests: each a dockerd in its own network namespace
// with its own --data-root, --exec-root, --pidfile, unix socket and bridge
// (docker0 inside the namespace), iptables on inside it (a namespace's
// netfilter is its own). Nodes are linked by a veth pair, then the first runs
// `swarm init` and the others join as workers. The shared dockerd is never
// touched (no `swarm init` there). Images come by `docker save | docker load`:
// a namespace cannot reach the registry on the host's loopback.
// Same shape as wt-zero's second-engine.ts (dockerHost, docker, loadImages,
// kill, destroy): merge the two when both are on main.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { execa } from 'execa';

export interface SwarmNode {
  readonly name: string;
  readonly dockerHost: string;
  readonly docker: Docker;
  /** The node's address on the link between nodes. */
  readonly address: string;
  /** SIGKILLs this node's dockerd (a node going down). */
  kill(): Promise<void>;
}

export interface TestSwarm {
  readonly manager: SwarmNode;
  readonly workers: readonly SwarmNode[];
  loadImages(images: readonly string[]): Promise<void>;
  destroy(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/** Root, dockerd, ip, nsenter and runc: what a namespaced engine needs. */
export async function canStartSwarm(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const found = await Promise.all(['dockerd', 'ip', 'nsenter', 'runc', 'iptables'].map((bin) => execa('which', [bin], { reject: false })));
  return found.every((r) => r.exitCode === 0);
}

interface NodeProcess extends SwarmNode { readonly dir: string; readonly netns: string; stop(signal: NodeJS.Signals): Promise<void> }

/**
 * A swarm of `nodes` engines (1: a single-node swarm). Node i has 10.<net>.0.<i+1>
 * on a bridge-free link: node 0 ↔ node 1 by one veth pair (two nodes at most).
 */
export async function startSwarm(nodes: 1 | 2 = 1): Promise<TestSwarm> {
  const id = `${process.pid.toString(36)}${randomBytes(2).toString('hex')}`;
  const net = 200 + (randomBytes(1)[0]! % 50);
  const started: NodeProcess[] = [];
  const destroy = async (): Promise<void> => {
    for (const node of started.reverse()) await cleanupNode(node);
  };
  try {
    for (let i = 0; i < nodes; i += 1) started.push(await prepareNode(`rysw${id}${i}`, `10.${net}.${(randomBytes(1)[0]! % 200) + 1}.${i + 1}`));
    if (nodes === 2) await link(started[0]!, started[1]!);
    for (const [i, node] of started.entries()) await startDockerd(node, i);
    const manager = started[0]!;
    await manager.docker.swarmInit({ ListenAddr: `${manager.address}:2377`, AdvertiseAddr: manager.address, DefaultAddrPool: ['10.99.0.0/16'], SubnetSize: 24 });
    const tokens = ((await manager.docker.swarmInspect()) as { JoinTokens: { Worker: string } }).JoinTokens;
    for (const worker of started.slice(1)) {
      await worker.docker.swarmJoin({ ListenAddr: `${worker.address}:2377`, AdvertiseAddr: worker.address, RemoteAddrs: [`${manager.address}:2377`], JoinToken: tokens.Worker });
    }
    await waitNodesReady(manager.docker, nodes);
  } catch (error) {
    await destroy();
    throw error;
  }
  return {
    manager: started[0]!,
    workers: started.slice(1),
    async loadImages(images) {
      for (const node of started) {
        const save = execa('docker', ['save', ...images], { env: { DOCKER_HOST: '' }, buffer: false, encoding: 'buffer' });
        await Promise.all([save, execa('docker', ['-H', node.dockerHost, 'load', '-q'], { input: save.stdout! })]);
      }
    },
    destroy,
  };
}

async function prepareNode(name: string, address: string): Promise<NodeProcess> {
  // Unix socket paths are limited to 108 bytes: keep the folder short.
  const dir = `/tmp/${name}`;
  for (const sub of ['data', 'exec', 'log']) mkdirSync(`${dir}/${sub}`, { recursive: true });
  await execa('ip', ['netns', 'add', name]);
  await execa('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  const socket = `${dir}/docker.sock`;
  let child: ChildProcess | undefined;
  const node: NodeProcess & { child?: ChildProcess } = {
    name, dir, netns: name, address, dockerHost: `unix://${socket}`, docker: new Docker({ socketPath: socket }),
    kill: () => node.stop('SIGKILL'),
    async stop(signal) {
      const running = child;
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill(signal);
      const timer = new AbortController();
      await Promise.race([exited, sleep(20_000, undefined, { signal: timer.signal }).catch(() => undefined)]);
      timer.abort();
    },
  };
  Object.defineProperty(node, 'spawn', { value: (c: ChildProcess) => { child = c; } });
  return node;
}

async function link(a: NodeProcess, b: NodeProcess): Promise<void> {
  await execa('ip', ['link', 'add', `${a.name}l`.slice(0, 15), 'netns', a.netns, 'type', 'veth', 'peer', 'name', `${b.name}l`.slice(0, 15), 'netns', b.netns]);
  for (const node of [a, b]) {
    const dev = `${node.name}l`.slice(0, 15);
    await execa('ip', ['-n', node.netns, 'addr', 'add', `${node.address}/16`, 'dev', dev]);
    await execa('ip', ['-n', node.netns, 'link', 'set', dev, 'up']);
  }
}

async function startDockerd(node: NodeProcess, index: number): Promise<void> {
  if (index === 0) {
    // A single node still needs an address to advertise: a veth pair of its own (no dummy module on every kernel).
    const dev = `${node.name}l`.slice(0, 15);
    const has = await execa('ip', ['-n', node.netns, 'link', 'show', dev], { reject: false });
    if (has.exitCode !== 0) {
      await execa('ip', ['-n', node.netns, 'link', 'add', dev, 'type', 'veth', 'peer', 'name', `${dev.slice(0, 14)}p`]);
      await execa('ip', ['-n', node.netns, 'link', 'set', `${dev.slice(0, 14)}p`, 'up']);
      await execa('ip', ['-n', node.netns, 'addr', 'add', `${node.address}/16`, 'dev', dev]);
      await execa('ip', ['-n', node.netns, 'link', 'set', dev, 'up']);
    }
  }
  const socket = node.dockerHost.slice('unix://'.length);
  // Its own UTS namespace too, so each node has its own hostname (what Swarm names nodes by).
  const args = [
    `--net=/var/run/netns/${node.netns}`, 'unshare', '--uts', '--', 'sh', '-c', 'hostname "$0" && exec dockerd "$@"', node.name,
    '--data-root', `${node.dir}/data`, '--exec-root', `${node.dir}/exec`, '--pidfile', `${node.dir}/docker.pid`,
    '-H', node.dockerHost, '--storage-driver=vfs', '--bip', '10.98.0.1/24',
  ];
  // nsenter, not `ip netns exec`: that one remounts /sys and hides the cgroup mounts dockerd needs.
  const child = spawn('nsenter', args, { stdio: ['ignore', 'ignore', openSync(`${node.dir}/log/dockerd.log`, 'a')] });
  (node as unknown as { spawn(c: ChildProcess): void }).spawn(child);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await node.docker.ping().then(() => true, () => false)) return;
    if (child.exitCode !== null) throw new Error(`dockerd ${node.name} exited with ${child.exitCode}: ${lastLine(`${node.dir}/log/dockerd.log`)}`);
    await sleep(100);
  }
  throw new Error(`dockerd ${node.name} did not answer on ${socket} within ${START_TIMEOUT_MS} ms`);
}

async function waitNodesReady(docker: Docker, count: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const nodes = (await docker.listNodes()) as Array<{ Status?: { State?: string } }>;
    if (nodes.filter((n) => n.Status?.State === 'ready').length === count) return;
    await sleep(200);
  }
  throw new Error(`swarm: ${count} node(s) not ready within ${START_TIMEOUT_MS} ms`);
}

/** Stops dockerd, ends what it left (containers via runc, shims in the namespace), unmounts, removes folder and namespace. */
async function cleanupNode(node: NodeProcess): Promise<void> {
  if (await node.docker.ping().then(() => true, () => false)) {
    await node.docker.swarmLeave({ force: true }).catch(() => undefined);
    const left = await node.docker.listContainers({ all: true }).catch(() => []);
    await Promise.all(left.map((c) => node.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    await node.stop('SIGTERM');
  }
  await node.stop('SIGKILL');
  const runc = ['--root', `${node.dir}/exec/runtime-runc/moby`];
  const ids = (await execa('runc', [...runc, 'list', '-q'], { reject: false })).stdout.split('\n').filter(Boolean);
  for (const id of ids) {
    await execa('runc', [...runc, 'kill', id, 'KILL'], { reject: false });
    await execa('runc', [...runc, 'delete', '--force', id], { reject: false });
  }
  const pids = (await execa('ip', ['netns', 'pids', node.netns], { reject: false })).stdout.split('\n').filter(Boolean);
  for (const pid of pids) await execa('kill', ['-9', pid], { reject: false });
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((line) => line.split(' ')[1] ?? '').filter((m) => m.startsWith(`${node.dir}/`) || m.includes(`/run/docker/netns`) && m.includes(node.dir)).sort().reverse();
  for (const mount of mounts) await execa('umount', ['-l', mount], { reject: false });
  await execa('ip', ['netns', 'delete', node.netns], { reject: false });
  rmSync(node.dir, { recursive: true, force: true });
}

function lastLine(file: string): string {
  return readFileSync(file, 'utf8').trim().split('\n').at(-1) ?? '';
}

/**
 * GETs http://<task>:<port>/ for every task of a swarm service, from a one-off
 * container on `network` (task addresses from Swarm's DNS `tasks.<service>`:
 * no IPVS on this kernel, so no service VIP). Returns each page's text.
 */
export async function fetchTasks(node: SwarmNode, network: string, service: string, port: number, image: string): Promise<string[]> {
  // busybox nc, not wget: the static busybox's wget crashes resolving in these images.
  const get = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 $ip ${port} | tail -n 1`;
  const script = `for ip in $(nslookup tasks.${service} 127.0.0.11 | sed -n 's/^Address: *\\([0-9.]*\\)$/\\1/p'); do out=$(${get}); echo "\${out:-FAILED $ip}"; done`;
  const result = await execa('docker', ['-H', node.dockerHost, 'run', '--rm', '--network', network, '--entrypoint', 'sh', image, '-c', script], { reject: false });
  return result.stdout.split('\n').filter(Boolean);
}
