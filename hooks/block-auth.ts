import { RailyardError } from '../core/errors.ts';
import { keyMatches } from './auth.ts';
import { authenticate } from './authenticate.ts';
import type { RequestContext } from './context.ts';

/**
 * The block API's authentication: the API key (as everywhere), or HTTP Basic
 * `BLOCK_API_USER:BLOCK_API_PASSWORD`, which web-ipt-d's example curl and
 * fail2ban actions send. Same rate limit on failures as the API key.
 */
export function authenticateBlock(ctx: RequestContext): void {
  const { env } = ctx.config;
  const { basicUser, basicPassword } = env.blocks;
  const authorization = ctx.req.headers.authorization ?? '';
  const basic = /^Basic[ \t]+(\S*)\s*$/i.exec(authorization);
  if (basic === null && (env.apiKey !== undefined || basicUser === undefined)) {
    authenticate('api-key', ctx);
    return;
  }
  if (basicUser === undefined || basicPassword === undefined) {
    throw new RailyardError('AUTH_FAILED', 'HTTP Basic is not enabled here (BLOCK_API_USER, BLOCK_API_PASSWORD): use the API key');
  }
  const wait = ctx.deps.limiter.retryAfter(ctx.source);
  if (wait > 0) {
    throw new RailyardError('RATE_LIMITED', `Too many failed attempts from this address: retry in ${wait} s`, { data: { retryAfterSeconds: wait } });
  }
  const decoded = Buffer.from(basic?.[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon < 0 ? '' : decoded.slice(0, colon);
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  // Both compared, always: which of the two was wrong does not show in the timing.
  const userOk = keyMatches(basicUser, user);
  const passwordOk = keyMatches(basicPassword, password);
  if (!userOk || !passwordOk) {
    ctx.deps.limiter.fail(ctx.source);
    throw new RailyardError('AUTH_FAILED', 'Valid credentials are required: HTTP Basic user:password, Authorization: Bearer <key> or X-API-KEY');
  }
}
