// A second, throwaway Docker engine for tests that must kill or restart one
// (the shared dockerd at /var/run/docker.sock is never touched). DESIGN.md §5:
// it runs in its own network namespace, with its own --data-root, --exec-root,
// --pidfile, unix socket and bridge (dockerd's docker0 inside that
// namespace), so it cannot clash with the host's networks. Images come from
// the shared engine by `docker save | docker load` (the namespace cannot reach
// the registry on the host's loopback). Needs root.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { execa } from 'execa';

export interface SecondEngine {
  /** `unix:///tmp/ry-engine-…/docker.sock`, for DOCKER_HOST. */
  readonly dockerHost: string;
  readonly docker: Docker;
  /** The dockerd process id (SIGKILL it to simulate a crash). */
  pid(): number;
  /** SIGKILLs dockerd and waits until it is gone. */
  kill(): Promise<void>;
  /** Copies images from the shared engine into this one. */
  loadImages(images: readonly string[]): Promise<void>;
  /** Removes its containers (through the API, or runc after a kill), stops dockerd, removes its folder and namespace. */
  destroy(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/** Whether this machine can run a second engine (root, dockerd, ip). */
export async function canStartSecondEngine(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const found = await Promise.all(['dockerd', 'ip', 'nsenter', 'runc'].map((bin) => execa('which', [bin], { reject: false })));
  return found.every((r) => r.exitCode === 0);
}

export async function startSecondEngine(): Promise<SecondEngine> {
  const id = `ry-engine-${process.pid}-${randomBytes(3).toString('hex')}`;
  // Unix socket paths are limited to 108 bytes: keep the folder short.
  const dir = `/tmp/${id}`;
  const netns = id;
  const socket = `${dir}/docker.sock`;
  for (const sub of ['data', 'exec', 'log']) mkdirSync(`${dir}/${sub}`, { recursive: true });
  await execa('ip', ['netns', 'add', netns]);
  await execa('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  let child: ChildProcess | undefined;
  const docker = new Docker({ socketPath: socket });

  const start = async (): Promise<void> => {
    const args = [
      `--net=/var/run/netns/${netns}`, 'dockerd',
      '--data-root', `${dir}/data`, '--exec-root', `${dir}/exec`, '--pidfile', `${dir}/docker.pid`,
      '-H', `unix://${socket}`, '--iptables=false', '--ip6tables=false', '--storage-driver=vfs',
      '--bip', '10.250.0.1/24', '--default-address-pool', 'base=10.251.0.0/16,size=24',
    ];
    // nsenter, not `ip netns exec`: that one remounts /sys and hides the cgroup mounts dockerd needs.
    child = spawn('nsenter', args, { stdio: ['ignore', 'ignore', openSync(`${dir}/log/dockerd.log`, 'a')], detached: false });
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (await docker.ping().then(() => true, () => false)) return;
      if (child.exitCode !== null) throw new Error(`second dockerd exited with ${child.exitCode} (netns ${netns}): ${lastLine(`${dir}/log/dockerd.log`)}`);
      await sleep(100);
    }
    throw new Error(`second dockerd did not answer on ${socket} within ${START_TIMEOUT_MS} ms`);
  };
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    const running = child;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal); // nsenter execs dockerd: this is dockerd's pid
    const timeout = new AbortController();
    await Promise.race([exited, sleep(20_000, undefined, { signal: timeout.signal }).catch(() => undefined)]);
    timeout.abort(); // a pending 20 s timer would keep the test process alive
  };

  try {
    await start();
  } catch (error) {
    await stop('SIGKILL');
    await cleanup(dir, netns);
    throw error;
  }
  return {
    dockerHost: `unix://${socket}`,
    docker,
    pid: () => child?.pid ?? -1,
    kill: () => stop('SIGKILL'),
    async loadImages(images) {
      const save = execa('docker', ['save', ...images], { env: { DOCKER_HOST: '' }, extendEnv: true, buffer: false, encoding: 'buffer' });
      const load = execa('docker', ['-H', `unix://${socket}`, 'load', '-q'], { input: save.stdout! });
      await Promise.all([save, load]);
    },
    async destroy() {
      // A live engine removes its containers itself; after a kill, runc (below) ends what the dead one left.
      if (await docker.ping().then(() => true, () => false)) {
        const left = await docker.listContainers({ all: true }).catch(() => []);
        await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
        await stop('SIGTERM');
      }
      await stop('SIGKILL');
      await cleanup(dir, netns);
    },
  };
}

/**
 * Ends what a killed engine leaves (its containers through runc's state, then
 * containerd and the shims still in the namespace: processes this helper
 * started), unmounts, removes the folder and the namespace.
 */
async function cleanup(dir: string, netns: string): Promise<void> {
  const runc = ['--root', `${dir}/exec/runtime-runc/moby`];
  const ids = (await execa('runc', [...runc, 'list', '-q'], { reject: false })).stdout.split('\n').filter(Boolean);
  for (const id of ids) {
    await execa('runc', [...runc, 'kill', id, 'KILL'], { reject: false });
    await execa('runc', [...runc, 'delete', '--force', id], { reject: false });
  }
  const pids = (await execa('ip', ['netns', 'pids', netns], { reject: false })).stdout.split('\n').filter(Boolean);
  for (const pid of pids) await execa('kill', ['-9', pid], { reject: false });
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((line) => line.split(' ')[1] ?? '').filter((m) => m.startsWith(`${dir}/`)).sort().reverse();
  for (const mount of mounts) await execa('umount', ['-l', mount], { reject: false });
  await execa('ip', ['netns', 'delete', netns], { reject: false });
  rmSync(dir, { recursive: true, force: true });
}

function lastLine(file: string): string {
  return readFileSync(file, 'utf8').trim().split('\n').at(-1) ?? '';
}
