import { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import type { Env } from '../config/env.ts';
import { locateDb } from '../config/stack.ts';
import { compactWhenIdle } from '../core/compact-when-idle.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { protectedRanges } from '../app/blocks/protected.ts';
import { RailyardError } from '../core/errors.ts';
import { BlockStore } from '../pipeline/block-store.ts';
import { RunStore, storePath } from '../pipeline/run-store.ts';
import { lazyClients } from '../runtime/docker.ts';
import { enginePing } from '../runtime/engine-ping.ts';
import { createAllowlist } from './cidr.ts';
import type { ServerConfig } from './context.ts';
import { DbSource } from './db-source.ts';
import { dockerProbe } from './docker-probe.ts';
import { durableAccept, shapeRegistry } from './durable-accept.ts';
import type { FromHttp, HttpWorkerData, ToHttp } from './http-messages.ts';
import { Metrics } from './metrics.ts';
import { AuthLimiter } from './rate-limit.ts';
import { reloadServerConfig } from './reload.ts';
import { startServer } from './server.ts';
import { UnverifiedBudget } from './unverified-budget.ts';

/**
 * The HTTP thread: the endpoint, with its own store connection, so answering
 * GitHub never waits behind a pipeline's CPU work (a render of a large
 * db.yml) in the main thread. It journals triggers; the main thread's runner
 * adopts and runs them.
 */
const port = parentPort!;
const data = workerData as HttpWorkerData;
const post = (message: FromHttp): void => port.postMessage(message);

const lines = new Writable({
  write(chunk: Buffer, _encoding, done) {
    post({ type: 'log', line: chunk.toString('utf8') });
    done();
  },
});
const logger = (env: Env): Logger => createLogger({ level: env.logLevel, secrets: env.secrets, destination: lines, pretty: data.pretty });

const log = logger(data.env);
const db = new DbSource(locateDb(data.env, data.file), data.env.vars, log);
await db.refresh();
let config: ServerConfig = { env: data.env, log, allowlist: createAllowlist(data.env.hookAllowedCidrs), db };
// No busy timeout: durable-accept.ts waits for the runner's write lock in finer steps than SQLite's.
const store = RunStore.open(storePath(data.env.root), { busyTimeoutMs: 0 });
// dockerode loads once the API lists containers or asks for proxynet: /healthz pings over node:http.
const clients = lazyClients(data.env.dockerHost);
const applying = new Map<number, (message: Extract<ToHttp, { type: 'blocks-applied' }>) => void>();
let applyId = 0;
const blocks = {
  store: new BlockStore(store),
  protectedRanges: protectedRanges(() => clients.docker, log),
  apply: () =>
    new Promise<void>((resolve, reject) => {
      const id = ++applyId;
      applying.set(id, (answer) => {
        applying.delete(id);
        if (answer.error === undefined) resolve();
        else reject(new RailyardError(answer.error.code, answer.error.message));
      });
      post({ type: 'apply-blocks', id });
    }),
};
const server = await startServer({
  listen: data.listen,
  deps: {
    config: () => config,
    triggers: { accept: durableAccept(store, shapeRegistry(data.pipelines), () => post({ type: 'triggered' })) },
    store,
    docker: dockerProbe(clients, enginePing(data.env.dockerHost)),
    metrics: new Metrics(),
    limiter: new AuthLimiter(data.rateLimit),
    unverified: new UnverifiedBudget(),
    blocks,
  },
});
post({ type: 'listening', url: server.url });
const compaction = compactWhenIdle();

port.on('message', (message: ToHttp) => {
  if (message.type === 'blocks-applied') {
    applying.get(message.id)?.(message);
  } else if (message.type === 'reload') {
    reloadServerConfig(config, message.env, { file: data.file, logger }).then(
      (reloaded) => {
        config = reloaded.config;
        post({ type: 'reloaded', db: reloaded.db });
      },
      (error: unknown) => {
        config.log.error({ err: error }, 'reload failed: the old configuration is kept');
        post({ type: 'reloaded', db: false });
      },
    );
  } else {
    compaction.stop();
    void server.close().then(() => {
      store.close();
      post({ type: 'closed' });
    });
  }
});
