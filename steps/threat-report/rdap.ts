import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpClient } from './http.ts';
import { retryAfterMs } from './http.ts';
import type { Target } from './ip.ts';
import { parseRdap, type RdapInfo } from './rdap-parse.ts';

export interface RdapOptions {
  readonly http: HttpClient;
  /** Ends in `/`; `ip/<address or CIDR>` is appended (RFC 9082). */
  readonly baseUrl: string;
  /** A 429 asking for a longer wait than this is not retried. @default 60_000 */
  readonly maxRetryWaitMs?: number;
  /** @default 3 */
  readonly attempts?: number;
}

const NOTHING: RdapInfo = { org_name: '', country: '', emails: '', phone: '', description: '' };

/**
 * Looks up who holds an address or network. No record (404) gives empty
 * fields; a failure is written into `org_name` as `RDAP error: …`, as itsUP
 * writes `Whois error: …`. A 429 is retried after its `Retry-After`.
 */
export async function lookupRdap(options: RdapOptions, target: Target, signal: AbortSignal): Promise<RdapInfo> {
  const url = new URL(`ip/${target.key}`, options.baseUrl).href;
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const response = await options.http
      .getJson(url, { accept: 'application/rdap+json, application/json' }, signal)
      .catch((error: unknown) => {
        signal.throwIfAborted();
        return { error: (error as { code?: string }).code ?? (error as Error).name };
      });
    if ('error' in response) return failed(response.error);
    if (response.status === 200) return parseRdap(response.body);
    if (response.status === 404) return NOTHING;
    const wait = response.status === 429 ? (retryAfterMs(response.headers) ?? 1000) : undefined;
    if (wait === undefined || attempt >= attempts || wait > (options.maxRetryWaitMs ?? 60_000)) {
      return failed(`HTTP ${response.status}`);
    }
    await sleep(wait, undefined, { signal });
  }
}

function failed(why: string): RdapInfo {
  return { ...NOTHING, org_name: `RDAP error: ${why}` };
}
