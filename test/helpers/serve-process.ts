// `railyard serve` as a real process (what `npm start` and systemd run), for
// the signal, socket-activation and embedded-default tests. Its stderr lines
// are kept for the secrets scan.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { join } from 'node:path';

export const BIN = new URL('../../bin/railyard.js', import.meta.url).pathname;

export interface ServeProcess {
  readonly child: ChildProcess;
  /** Every stderr line so far (JSON log lines). */
  readonly lines: string[];
  /** Resolves with the URL once the process logs `railyard serving`. */
  readonly url: Promise<string>;
  /** Resolves when a line matching `pattern` is logged after line `from`. */
  waitFor(pattern: RegExp, from?: number, ms?: number): Promise<string>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export interface SpawnServeOptions {
  readonly root: string;
  readonly environ?: Readonly<Record<string, string>>;
  /** Run through `sh -c` (to set LISTEN_PID to the process's own pid). */
  readonly shell?: string;
  readonly stdio?: StdioOptions;
}

export function spawnServe(options: SpawnServeOptions): ServeProcess {
  const env = {
    PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'debug', SHUTDOWN_GRACE: '5',
    DOCKER_HOST: `unix://${join(options.root, 'none.sock')}`, ...options.environ,
  };
  const child = options.shell === undefined
    ? spawn(process.execPath, [BIN, '--root', options.root, 'serve', '--no-schedule'], { env, stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'] })
    : spawn('sh', ['-c', options.shell], { env: { ...env, NODE: process.execPath, BIN, ROOT: options.root }, stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l !== ''));
    for (const wake of waiters) wake();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const waitFor = (pattern: RegExp, from = 0, ms = 15_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const line = lines.slice(from).find((l) => pattern.test(l));
        if (line === undefined) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(line);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${pattern}; stderr:\n${lines.join('\n')}`));
      }, ms);
      waiters.add(check);
      void exited.then(() => {
        if (waiters.has(check)) {
          clearTimeout(timer);
          waiters.delete(check);
          reject(new Error(`railyard exited while waiting for ${pattern}; stderr:\n${lines.join('\n')}`));
        }
      });
      check();
    });
  const url = waitFor(/"msg":"railyard serving"/).then((line) => (JSON.parse(line) as { url: string }).url);
  return {
    child, lines, url, waitFor,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A loopback port free right now, for a serve whose port a test must know before it logs it. */
export async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
