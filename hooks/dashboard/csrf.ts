import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RailyardError } from '../../core/errors.ts';
import type { Session } from './session.ts';

/**
 * Every change the dashboard makes is a POST that passes two checks: it comes
 * from this origin (Origin, or Sec-Fetch-Site when a browser sends no Origin),
 * and it carries the session's CSRF token. SameSite=Strict already keeps the
 * cookie off cross-site requests; these hold when it does not (old browsers,
 * a sibling subdomain).
 */
export function checkChange(req: IncomingMessage, session: Session, token: string | undefined): void {
  const origin = req.headers.origin;
  const host = req.headers.host;
  const sameOrigin = origin !== undefined
    ? host !== undefined && (origin === `http://${host}` || origin === `https://${host}`)
    : req.headers['sec-fetch-site'] === 'same-origin';
  if (!sameOrigin) throw new RailyardError('CSRF_REFUSED', 'This change did not come from the dashboard (cross-site request refused)');
  const a = Buffer.from(token ?? '');
  const b = Buffer.from(session.csrf);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new RailyardError('CSRF_REFUSED', 'The form is stale or forged: reload the page and try again');
}
