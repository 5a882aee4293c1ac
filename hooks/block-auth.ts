import { RailyardError } from '../core/errors.ts';
import { keyMatches } from './auth.ts';
import { authenticate, refusal } from './authenticate.ts';
import type { RequestContext } from './context.ts';

/**
 * The block API's authentication: the API key (as everywhere), or HTTP Basic
 * `BLOCK_API_USER:BLOCK_API_PASSWORD`, which web-ipt-d's example curl and
 * fail2ban actions send. Failures count and are limited as the API key's are
 * (authenticate.ts: the credentials are compared before the limit).
 */
export function authenticateBlock(ctx: RequestContext): void {
  const { env } = ctx.config;
  const { basicUser, basicPassword } = env.blocks;
  const basic = /^Basic[ \t]+(\S*)\s*$/i.exec(ctx.req.headers.authorization ?? '');
  if (basic === null && (env.apiKey !== undefined || basicUser === undefined)) {
    authenticate('api-key', ctx);
    return;
  }
  const failed = new RailyardError('AUTH_FAILED', 'Valid credentials are required: HTTP Basic user:password, Authorization: Bearer <key> or X-API-KEY');
  if (basicUser === undefined || basicPassword === undefined) {
    throw refusal(ctx, new RailyardError('AUTH_FAILED', 'HTTP Basic is not enabled here (BLOCK_API_USER, BLOCK_API_PASSWORD): use the API key'));
  }
  const decoded = Buffer.from(basic?.[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // Both compared, always: which of the two was wrong does not show in the timing.
  const userOk = keyMatches(basicUser, colon < 0 ? '' : decoded.slice(0, colon));
  const passwordOk = keyMatches(basicPassword, colon < 0 ? '' : decoded.slice(colon + 1));
  if (!userOk || !passwordOk) throw refusal(ctx, failed);
}
