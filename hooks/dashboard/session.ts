import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export const COOKIE = 'railyard_session';
/** A session lasts this long from sign-in; signing in again starts a new one. */
export const SESSION_MS = 12 * 3_600_000;
const MAX_SESSIONS = 1000;

export interface Session {
  readonly id: string;
  /** Sent in every form and the X-CSRF-Token header; compared on every change. */
  readonly csrf: string;
  readonly expires: number;
  /** Which API key signed in: a changed API_KEY (SIGHUP) ends the session. */
  readonly keyHash: string;
}

export const keyHash = (key: string): string => createHash('sha256').update(key).digest('hex');

/**
 * Dashboard sessions, held in the HTTP thread's memory: the browser keeps only
 * a random id in an HttpOnly cookie, never the API key. A restart signs
 * everyone out, which is the safe way to fail. Bounded: the oldest go first.
 */
export class Sessions {
  readonly #byId = new Map<string, Session>();

  create(apiKey: string, now = Date.now()): Session {
    const session = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(24).toString('base64url'), expires: now + SESSION_MS, keyHash: keyHash(apiKey) };
    this.#byId.set(session.id, session);
    for (const [id, s] of this.#byId) {
      if (this.#byId.size <= MAX_SESSIONS && s.expires > now) break;
      this.#byId.delete(id);
    }
    return session;
  }

  /** The request's live session for the current API key, if any. */
  of(req: IncomingMessage, apiKey: string | undefined, now = Date.now()): Session | undefined {
    const id = cookieValue(req.headers.cookie, COOKIE);
    const session = id === undefined ? undefined : this.#byId.get(id);
    if (session === undefined) return undefined;
    if (session.expires <= now || apiKey === undefined || session.keyHash !== keyHash(apiKey)) {
      this.#byId.delete(session.id);
      return undefined;
    }
    return session;
  }

  destroy(id: string): void {
    this.#byId.delete(id);
  }
}

/** The cookie that holds a session: HttpOnly, SameSite=Strict, Secure when the page came over TLS. */
export function sessionCookie(req: IncomingMessage, value: string, maxAgeS: number, trustProxy: boolean): string {
  const tls = (req.socket as TLSSocket).encrypted === true || (trustProxy && req.headers['x-forwarded-proto'] === 'https');
  return `${COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${tls ? '; Secure' : ''}`;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
