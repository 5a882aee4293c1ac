export interface RateLimitOptions {
  /** Failed attempts a source may make in a burst. @default 10 */
  readonly failures?: number;
  /** Time in which a source earns back `failures` attempts. @default 60_000 */
  readonly windowMs?: number;
  /** Sources remembered at most (oldest forgotten first), so a flood cannot grow memory. @default 10_000 */
  readonly maxSources?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Rate limit on authentication failures, per source: a token bucket of
 * `failures` tokens refilled over `windowMs`. Each failure takes a token; a
 * source with no token left is refused (429, Retry-After) before its key or
 * signature is even compared, until a token is back.
 */
export class AuthLimiter {
  readonly #sources = new Map<string, Bucket>();
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #maxSources: number;

  constructor(options: RateLimitOptions = {}) {
    this.#capacity = options.failures ?? 10;
    this.#perMs = this.#capacity / (options.windowMs ?? 60_000);
    this.#maxSources = options.maxSources ?? 10_000;
  }

  /** Seconds `source` must wait before its next attempt; 0 when it may try now. */
  retryAfter(source: string, now = Date.now()): number {
    const bucket = this.#refill(source, now);
    if (bucket === undefined || bucket.tokens >= 1) return 0;
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perMs / 1000));
  }

  /** Records a failed attempt of `source`. */
  fail(source: string, now = Date.now()): void {
    const bucket = this.#refill(source, now) ?? { tokens: this.#capacity, at: now };
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.#sources.delete(source);
    this.#sources.set(source, bucket);
    if (this.#sources.size > this.#maxSources) {
      const oldest = this.#sources.keys().next().value;
      if (oldest !== undefined) this.#sources.delete(oldest);
    }
  }

  #refill(source: string, now: number): Bucket | undefined {
    const bucket = this.#sources.get(source);
    if (bucket === undefined) return undefined;
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + (now - bucket.at) * this.#perMs);
    bucket.at = now;
    if (bucket.tokens >= this.#capacity) {
      this.#sources.delete(source);
      return undefined;
    }
    return bucket;
  }
}
