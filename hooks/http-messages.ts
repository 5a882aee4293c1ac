import type { Env } from '../config/env.ts';
import type { ErrorCode } from '../core/errors.ts';
import type { PipelineShapes } from './durable-accept.ts';
import type { RateLimitOptions } from './rate-limit.ts';
import type { Listen } from './server.ts';

/** What the HTTP thread starts with (structured-cloned: plain data only). */
export interface HttpWorkerData {
  readonly env: Env;
  readonly file: string | undefined;
  readonly listen: Listen;
  readonly pipelines: PipelineShapes;
  readonly rateLimit: RateLimitOptions | undefined;
  /** Human-readable log lines (the main thread's stderr is a terminal). */
  readonly pretty: boolean;
}

/** Main thread → HTTP thread. */
export type ToHttp =
  | { readonly type: 'reload'; readonly env: Env }
  | { readonly type: 'close' }
  | { readonly type: 'blocks-applied'; readonly id: number; readonly error?: { readonly code: ErrorCode; readonly message: string } };

/** HTTP thread → main thread. */
export type FromHttp =
  | { readonly type: 'listening'; readonly url: string }
  | { readonly type: 'triggered' }
  /** The thread changed the blocks table: the main process applies it to the firewall and answers `blocks-applied`. */
  | { readonly type: 'apply-blocks'; readonly id: number }
  | { readonly type: 'log'; readonly line: string }
  | { readonly type: 'reloaded'; readonly db: boolean }
  | { readonly type: 'closed' };
