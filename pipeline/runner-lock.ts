import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RailyardError } from '../core/errors.ts';

export interface RunnerLock {
  release(): void;
}

/**
 * Takes the "one runner per stack root" lock, or returns undefined when another
 * process (or another runner in this one) holds it. Two locks, both held by
 * the kernel for the process, so neither can outlive its holder:
 * - an SQLite exclusive transaction on `data/runner.lock` (seen by every
 *   process that opens that file, in any network namespace);
 * - on Linux, an abstract unix socket named after the `data` folder's device
 *   and inode: it has no file, so deleting `data/runner.lock` (which let a
 *   second serve take a fresh file's lock) does not free it.
 */
export function acquireRunnerLock(root: string): RunnerLock | undefined {
  const dir = join(root, 'data');
  mkdirSync(dir, { recursive: true });
  const socket = process.platform === 'linux' ? bindAbstract(dir) : null;
  if (socket === undefined) return undefined;
  const db = new Database(join(dir, 'runner.lock'), { timeout: 0 });
  try {
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    socket?.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return undefined;
    throw new RailyardError('STORE_FAILED', `Cannot take the runner lock in ${dir}: ${(error as Error).message}`, { cause: error });
  }
  return {
    release: () => {
      if (db.open) db.close();
      socket?.close();
    },
  };
}

/** The bound socket, or undefined when another holder has the name. */
function bindAbstract(dir: string): Server | undefined {
  const { dev, ino } = statSync(dir);
  const name = `\0railyard-runner-${createHash('sha256').update(`${dev}:${ino}`).digest('hex').slice(0, 32)}`;
  const server = createServer();
  server.on('error', () => undefined); // EADDRINUSE is reported (a tick later) by `listening` below
  // Outside a cluster worker, a unix socket is bound synchronously in listen():
  // `listening` is true right after when the name was free.
  server.listen({ path: name });
  if (!server.listening) {
    server.close();
    return undefined;
  }
  server.unref();
  return server;
}
