import { setMaxListeners } from 'node:events';
import { cleanText } from './clean-text.ts';
import { header, retryAfterMs, type HttpClient, type JsonResponse } from './http.ts';
import { RateLimiter, type RateLimit } from './rate-limiter.ts';

/** What the report takes from AbuseIPDB's `check` answer. */
export interface AbuseInfo {
  readonly abuse_score: string;
  readonly total_reports: string;
  readonly usage_type: string;
  readonly is_tor: string;
  readonly last_reported: string;
}

/** Why no further lookups can be made in this run. */
export interface AbuseStop {
  readonly reason: 'quota' | 'refused';
  /** One line for the log and, for `refused`, the run's error. */
  readonly message: string;
}

export type AbuseResult = { readonly info: AbuseInfo } | { readonly stop: AbuseStop };

export interface AbuseIpdbOptions {
  readonly http: HttpClient;
  /** Ends in `/`; `check` is appended. */
  readonly baseUrl: string;
  readonly apiKey: string;
  /** At most `cap` requests (retries included) in any `intervalMs` window. */
  readonly rate: RateLimit;
  /** A 429 asking for a longer wait than this means the daily quota is used up. @default 120_000 */
  readonly maxRetryWaitMs?: number;
  /** Tries per IP while answered 429. @default 4 */
  readonly attempts?: number;
}

/**
 * AbuseIPDB's v2 `check` (https://docs.abuseipdb.com/#check-endpoint): the key
 * goes in the `Key` header, never the URL. Requests share one rate limiter
 * (see RateLimiter); a 429 pauses it for `Retry-After` and the request
 * is retried; a used-up daily quota or a refused key stops every later check.
 */
export class AbuseIpdb {
  readonly #options: AbuseIpdbOptions;
  readonly #limiter: RateLimiter;
  #stop: AbuseStop | undefined;
  /** Aborted on stop: requests still waiting for the rate limiter leave the queue at once. */
  readonly #stopped = new AbortController();

  constructor(options: AbuseIpdbOptions) {
    this.#options = options;
    setMaxListeners(0, this.#stopped.signal); // one listener per waiting request
    this.#limiter = new RateLimiter(options.rate);
  }

  /** Set once the quota is used up or the key refused. */
  get stopped(): AbuseStop | undefined {
    return this.#stop;
  }

  async check(ip: string, signal: AbortSignal): Promise<AbuseResult> {
    const url = new URL('check', this.#options.baseUrl);
    url.searchParams.set('ipAddress', ip);
    url.searchParams.set('maxAgeInDays', '90');
    const headers = { Key: this.#options.apiKey, Accept: 'application/json' };
    const attempts = this.#options.attempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      if (this.#stop) return { stop: this.#stop };
      // Retries go first once the queue resumes: they have waited longest.
      const waiting = AbortSignal.any([signal, this.#stopped.signal]);
      const response = await this.#limiter
        .run(() => this.#options.http.getJson(url.href, headers, signal), { signal: waiting, priority: attempt })
        .catch((error: unknown) => {
          signal.throwIfAborted();
          return this.#stop ? undefined : { error: (error as { code?: string }).code ?? (error as Error).name };
        });
      if (response === undefined) return { stop: this.#stop! };
      if ('error' in response) return failed(response.error);
      const outcome = this.#answer(response, attempt >= attempts);
      if (outcome !== 'retry') return outcome;
    }
  }

  /** Stops the rate limiter's timers. */
  close(): void {
    this.#limiter.close();
  }

  #answer(response: JsonResponse, lastAttempt: boolean): AbuseResult | 'retry' {
    const remaining = header(response.headers, 'x-ratelimit-remaining');
    if (response.status === 200) {
      if (remaining === '0') this.#halt({ reason: 'quota', message: 'AbuseIPDB daily quota used up' });
      return parseCheck(response.body);
    }
    if (response.status === 401 || response.status === 403) {
      return { stop: this.#halt({ reason: 'refused', message: `AbuseIPDB refused the API key (HTTP ${response.status})` }) };
    }
    if (response.status !== 429) return failed(`HTTP ${response.status}${detail(response.body)}`);
    const wait = retryAfterMs(response.headers) ?? 1000;
    const daily = remaining === '0' || /daily/i.test(detail(response.body));
    if (daily || lastAttempt || wait > (this.#options.maxRetryWaitMs ?? 120_000)) {
      const until = new Date(Date.now() + wait).toISOString();
      return { stop: this.#halt({ reason: 'quota', message: `AbuseIPDB rate limit reached; it resets at ${until}` }) };
    }
    this.#limiter.pauseFor(wait);
    return 'retry';
  }

  /** Records why checks stop (the first reason wins) and releases every request still waiting. */
  #halt(stop: AbuseStop): AbuseStop {
    this.#stop ??= stop;
    this.#stopped.abort();
    return this.#stop;
  }
}

function parseCheck(body: unknown): AbuseResult {
  const data = (body as { data?: Record<string, unknown> } | undefined)?.data;
  if (typeof data !== 'object' || data === null) return failed('unexpected answer');
  const number = (value: unknown): string => (typeof value === 'number' && Number.isFinite(value) ? String(value) : '0');
  return {
    info: {
      abuse_score: number(data['abuseConfidenceScore']),
      total_reports: number(data['totalReports']),
      usage_type: typeof data['usageType'] === 'string' ? cleanText(data['usageType']) : '',
      is_tor: data['isTor'] === true ? 'Yes' : '',
      last_reported: typeof data['lastReportedAt'] === 'string' ? cleanText(data['lastReportedAt']) : '',
    },
  };
}

/** AbuseIPDB's error detail (`{ errors: [{ detail }] }`), as ` (detail)`. */
function detail(body: unknown): string {
  const errors = (body as { errors?: { detail?: unknown }[] } | undefined)?.errors;
  const text = Array.isArray(errors) && typeof errors[0]?.detail === 'string' ? cleanText(errors[0].detail).slice(0, 120) : '';
  return text === '' ? '' : ` (${text})`;
}

/** itsUP writes a failed check into `usage_type`. */
function failed(why: string): AbuseResult {
  return { info: { abuse_score: '', total_reports: '', usage_type: `AbuseIPDB error: ${why}`, is_tor: '', last_reported: '' } };
}
