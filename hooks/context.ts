import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Env } from '../config/env.ts';
import type { Logger } from '../core/logger.ts';
import type { RunStore } from '../pipeline/run-store.ts';
import type { Accepted, TriggerRequest } from '../core/types.ts';
import type { ProtectedRange } from '../app/blocks/protected.ts';
import type { BlockStore } from '../pipeline/block-store.ts';
import type { Allowlist } from './cidr.ts';
import type { DbSource } from './db-source.ts';
import type { DockerProbe } from './docker-probe.ts';
import type { Metrics } from './metrics.ts';
import type { AuthLimiter } from './rate-limit.ts';
import type { RequestUrl } from './request-url.ts';
import type { UnverifiedBudget } from './unverified-budget.ts';

/** The part of the server's configuration that SIGHUP replaces: `.env` and db.yml. */
export interface ServerConfig {
  readonly env: Env;
  /** Scrubs this env's secrets. */
  readonly log: Logger;
  readonly allowlist: Allowlist;
  readonly db: DbSource;
}

/** What every request handler may use; fixed for the life of the server. */
export interface ServerDeps {
  /** The current configuration; a request reads it once and keeps it to the end. */
  config(): ServerConfig;
  /** Journals a trigger (the runner, in the main thread, runs it); resolves once it is committed. */
  readonly triggers: { accept(request: TriggerRequest): Promise<Accepted> };
  readonly store: RunStore;
  readonly docker: DockerProbe;
  readonly metrics: Metrics;
  readonly limiter: AuthLimiter;
  /** Memory of unauthenticated bodies, bounded in total and per source. */
  readonly unverified: UnverifiedBudget;
  readonly blocks: BlockDeps;
}

/** What the block API (api-blocks.ts) uses. */
export interface BlockDeps {
  readonly store: BlockStore;
  /** Has the main thread apply the stored blocks to the firewall; rejects with FIREWALL_* (the blocks stay stored). */
  apply(): Promise<void>;
  /** What no block may cover, now. */
  protectedRanges(env: Env): Promise<readonly ProtectedRange[]>;
}

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: RequestUrl;
  /** Route parameters, percent-decoded (and not yet checked). */
  readonly params: Readonly<Record<string, string>>;
  /** The client address (see source.ts). */
  readonly source: string;
  readonly config: ServerConfig;
  readonly deps: ServerDeps;
  /** Aborted when the client goes away or the server shuts down (ends streams). */
  readonly signal: AbortSignal;
  /** Fields added to the request's one log line (delivery id, run id...). Never secrets. */
  readonly logFields: Record<string, unknown>;
}
