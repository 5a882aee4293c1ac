import { RailyardError } from '../core/errors.ts';
import { keyMatches, providedApiKey } from './auth.ts';
import type { RequestContext } from './context.ts';
import type { Auth } from './router.ts';

/**
 * Fails closed: no key configured is a 503 (never an open door), and a
 * missing, empty or wrong API key is a 401 that counts as a failure. The key
 * is compared before the limit is looked at, so a correct key always passes
 * (issue 12: one bad try every 6 s from behind the VPN's NAT locked out
 * everyone behind it); a wrong one from a source that failed too often is a
 * 429. A webhook's signature needs the body: github.ts verifies it (and
 * calls `refuse`) once the body is read.
 */
export function authenticate(auth: Auth, ctx: RequestContext): void {
  if (auth === 'none') return;
  const { env } = ctx.config;
  const secret = auth === 'signature' ? env.githubWebhookSecret : env.apiKey;
  if (secret === undefined) {
    const name = auth === 'signature' ? 'GITHUB_WEBHOOK_SECRET (or API_KEY)' : 'API_KEY';
    throw new RailyardError('AUTH_NOT_CONFIGURED', `${name} is not set on the server: this endpoint is disabled`);
  }
  if (auth !== 'api-key') return;
  const provided = providedApiKey(ctx.req, ctx.url.query);
  if (provided !== undefined && keyMatches(secret, provided)) return;
  throw refusal(ctx, new RailyardError('AUTH_FAILED', 'A valid API key is required: Authorization: Bearer <key>, X-API-KEY or ?apikey='));
}

/** A failed attempt: 429 while the source is over its limit, else `error`, counted. */
export function refusal(ctx: RequestContext, error: RailyardError): RailyardError {
  const wait = ctx.deps.limiter.retryAfter(ctx.source);
  if (wait > 0) {
    return new RailyardError('RATE_LIMITED', `Too many failed attempts from this address: retry in ${wait} s`, { data: { retryAfterSeconds: wait } });
  }
  ctx.deps.limiter.fail(ctx.source);
  return error;
}
