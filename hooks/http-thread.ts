import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Env } from '../config/env.ts';
import { BUNDLED, bundleFile } from '../config/package-root.ts';
import { isRailyardError } from '../core/errors.ts';
import type { FromHttp, HttpWorkerData, ToHttp } from './http-messages.ts';

export interface HttpThreadOptions extends HttpWorkerData {
  /** Receives each log line of the thread (already scrubbed). */
  readonly logSink: (line: string) => void;
  /** The thread journaled a trigger: the runner should adopt it now. */
  readonly onTriggered: () => void;
  /** The thread changed the stored blocks: apply them (rejects with a RailyardError when the firewall refuses). */
  readonly onApplyBlocks: () => Promise<void>;
  /** The thread died: the endpoint is gone. */
  readonly onFailure: (error: Error) => void;
}

export interface HttpThread {
  readonly url: string;
  /** Hands the thread a new environment; resolves once it reloaded, with whether db.yml was taken. */
  reload(env: Env): Promise<{ readonly db: boolean }>;
  /** Stops accepting, lets requests in flight finish, closes the thread's store, ends the thread. */
  close(): Promise<void>;
}

/**
 * The thread's own V8 heap, kept small (issue 17 item 6: `serve` grew by 50–80 MB
 * under a stream of deliveries). A delivery's garbage is short-lived, so a small
 * young generation collects it as often as needed instead of growing to V8's
 * default (3 × 16 MB semi-spaces); the old generation is bounded well above
 * what the endpoint holds (its caches are bounded: rate limiter, dedup window).
 */
const HTTP_HEAP = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 128 };

/**
 * Starts the HTTP endpoint in its own thread (http-worker.ts): the main
 * thread keeps the runner and the scheduler, so pipelines' CPU work never
 * delays an acknowledgement, and a hung pipeline never holds the endpoint.
 */
export async function startHttpThread(options: HttpThreadOptions): Promise<HttpThread> {
  const { logSink, onTriggered, onApplyBlocks, onFailure, ...data } = options;
  // execArgv []: the entry registers tsx itself, whichever way the main thread loaded it.
  const entry = BUNDLED ? pathToFileURL(bundleFile('hooks/http-worker.js')) : new URL('./http-worker.js', import.meta.url);
  const worker = new Worker(entry, { workerData: data satisfies HttpWorkerData, execArgv: [], resourceLimits: HTTP_HEAP });
  // Per reply type, the callers waiting for one, first come first served: the thread answers in order.
  const waiting = new Map<FromHttp['type'], ((message: FromHttp) => void)[]>();
  let closing = false;
  worker.on('message', (message: FromHttp) => {
    if (message.type === 'log') logSink(message.line);
    else if (message.type === 'triggered') onTriggered();
    else if (message.type === 'apply-blocks') answerBlocks(message.id, onApplyBlocks, (answer) => worker.postMessage(answer));
    else waiting.get(message.type)?.shift()?.(message);
  });
  const next = <T extends FromHttp['type']>(type: T): Promise<Extract<FromHttp, { type: T }>> =>
    new Promise((resolve) => {
      const queue = waiting.get(type) ?? [];
      queue.push((message) => resolve(message as Extract<FromHttp, { type: T }>));
      waiting.set(type, queue);
    });
  const started = next('listening');
  const failed = new Promise<never>((_, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the HTTP thread exited (code ${code})`)));
  });
  failed.catch((error: Error) => {
    if (!closing) onFailure(error);
  });
  const listening = await Promise.race([started, failed]);
  const send = (message: ToHttp): void => worker.postMessage(message);
  return {
    url: listening.url,
    async reload(env) {
      const reloaded = next('reloaded');
      send({ type: 'reload', env });
      return reloaded;
    },
    async close() {
      if (closing) return;
      closing = true;
      const closed = next('closed');
      send({ type: 'close' });
      await Promise.race([closed, once(worker, 'exit')]);
      await worker.terminate();
    },
  };
}

function answerBlocks(id: number, apply: () => Promise<void>, send: (message: ToHttp) => void): void {
  apply().then(
    () => send({ type: 'blocks-applied', id }),
    (error: unknown) => {
      const code = isRailyardError(error) ? error.code : 'UNEXPECTED';
      const message = isRailyardError(error) ? error.userMessage : 'the firewall could not be changed; see the railyard log';
      send({ type: 'blocks-applied', id, error: { code, message } });
    },
  );
}
