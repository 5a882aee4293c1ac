// A real runner on a real SQLite store in a temporary stack root, with
// test-only pipelines built by the tests themselves (slow steps, failing steps),
// so nothing in production code exists only for tests.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Docker from 'dockerode';
import { loadEnv, type Env } from '../../config/env.ts';
import { createLogger } from '../../core/logger.ts';
import type { PipelineRegistry } from '../../pipeline/registry.ts';
import { RunStore, storePath } from '../../pipeline/run-store.ts';
import { Runner } from '../../pipeline/runner.ts';

export interface TestRunner {
  readonly runner: Runner;
  readonly store: RunStore;
  readonly env: Env;
  readonly root: string;
  /** Every line the runner and its runs logged (JSON). */
  readonly lines: string[];
  /** Stops the runner (draining by default); the store stays open to be read. */
  stop(options?: { readonly drain?: boolean }): Promise<void>;
  /** Stops the runner and closes the store (before a "restart" on the same root). */
  close(options?: { readonly drain?: boolean }): Promise<void>;
}

export interface TestRunnerOptions {
  readonly pipelines: PipelineRegistry;
  /** Reuse a stack root (a "restart"); a new temporary one by default. */
  readonly root?: string;
  /** Extra environment (e.g. RAILYARD_CONCURRENCY). */
  readonly environ?: Readonly<Record<string, string>>;
  /** Call runner.start() (recovery + queue). @default true */
  readonly start?: boolean;
}

export async function tempRoot(prefix = 'railyard-runner-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** A Writable collecting log lines. */
export function lineSink(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      done();
    },
  });
  return { stream, lines };
}

export async function createTestRunner(options: TestRunnerOptions): Promise<TestRunner> {
  const root = options.root ?? (await tempRoot());
  const env = loadEnv({ root, environ: { LOG_LEVEL: 'info', ...options.environ } });
  const store = RunStore.open(storePath(root));
  const { stream, lines } = lineSink();
  const log = createLogger({ level: 'info', destination: stream, pretty: false });
  const runner = new Runner({
    env, store, log, pipelines: options.pipelines, logDestination: stream, pollMs: 50,
    // Never called by the test pipelines; points nowhere on purpose.
    clients: { docker: new Docker({ socketPath: join(root, 'no-docker.sock') }) },
  });
  if (options.start !== false) runner.start();
  return {
    runner, store, env, root, lines,
    stop: (stopOptions = { drain: true }) => runner.stop(stopOptions),
    async close(closeOptions = { drain: true }) {
      await runner.stop(closeOptions);
      store.close();
    },
  };
}

/** A latch: `wait()` resolves once `open()` was called. */
export function gate(): { wait(): Promise<void>; open(): void; readonly opened: boolean } {
  let release!: () => void;
  let opened = false;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return {
    wait: () => promise,
    open: () => {
      opened = true;
      release();
    },
    get opened() {
      return opened;
    },
  };
}

/** Resolves when `predicate` holds, polling; rejects after `ms`. */
export async function until(predicate: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
