/** Limits of the memory held by request bodies not yet authenticated. */
export interface BudgetLimits {
  /** All sources together (HOOK_UNAUTH_MEMORY). */
  readonly total: number;
  /** One source address (HOOK_UNAUTH_PER_SOURCE). */
  readonly perSource: number;
}

/** What one request holds; `release` gives it back (idempotent). */
export interface Lease {
  /** Takes `bytes` more; false (and nothing taken) when a limit would be passed. */
  take(bytes: number): boolean;
  release(): void;
}

/**
 * Bounds the memory held by unsigned `/hook` bodies, which must be read
 * whole before their HMAC can be checked (issue 12: 400 connections, each
 * sending up to HOOK_MAX_BODY, held 2.1 GB). A body that does not fit is
 * refused at once (503, Retry-After) instead of buffered; what a request
 * took is given back as soon as its signature was checked or it failed.
 */
export class UnverifiedBudget {
  #total = 0;
  readonly #sources = new Map<string, number>();

  /** Bytes held now, all sources together (for tests and metrics). */
  get held(): number {
    return this.#total;
  }

  lease(source: string, limits: BudgetLimits): Lease {
    let mine = 0;
    let released = false;
    return {
      take: (bytes) => {
        if (released) return false;
        const theirs = this.#sources.get(source) ?? 0;
        if (this.#total + bytes > limits.total || theirs + bytes > limits.perSource) return false;
        this.#total += bytes;
        this.#sources.set(source, theirs + bytes);
        mine += bytes;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.#total -= mine;
        const left = (this.#sources.get(source) ?? 0) - mine;
        if (left <= 0) this.#sources.delete(source);
        else this.#sources.set(source, left);
      },
    };
  }
}
