import { RailyardError } from '../core/errors.ts';
import { keyMatches, providedApiKey } from './auth.ts';
import type { RequestContext } from './context.ts';
import type { Auth } from './router.ts';

/**
 * Fails closed: no key configured is a 503 (never an open door), a source
 * that failed too often is a 429 before its key is even compared, and a
 * missing, empty or wrong API key is a 401 that counts as a failure. A
 * webhook's signature needs the body: github.ts verifies it (and counts a
 * failure) once the body is read.
 */
export function authenticate(auth: Auth, ctx: RequestContext): void {
  if (auth === 'none') return;
  const { env } = ctx.config;
  const secret = auth === 'signature' ? env.githubWebhookSecret : env.apiKey;
  if (secret === undefined) {
    const name = auth === 'signature' ? 'GITHUB_WEBHOOK_SECRET (or API_KEY)' : 'API_KEY';
    throw new RailyardError('AUTH_NOT_CONFIGURED', `${name} is not set on the server: this endpoint is disabled`);
  }
  const wait = ctx.deps.limiter.retryAfter(ctx.source);
  if (wait > 0) {
    throw new RailyardError('RATE_LIMITED', `Too many failed attempts from this address: retry in ${wait} s`, { data: { retryAfterSeconds: wait } });
  }
  if (auth !== 'api-key') return;
  const provided = providedApiKey(ctx.req, ctx.url.query);
  if (provided === undefined || !keyMatches(secret, provided)) {
    ctx.deps.limiter.fail(ctx.source);
    throw new RailyardError('AUTH_FAILED', 'A valid API key is required: Authorization: Bearer <key>, X-API-KEY or ?apikey=');
  }
}
