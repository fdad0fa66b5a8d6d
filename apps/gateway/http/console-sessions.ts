import { timingSafeEqual } from 'node:crypto';
import { sha256Hex } from './principals';

/** The console's session cookie (HttpOnly, SameSite=Lax, Secure over https). */
export const SESSION_COOKIE = 'workgate_session';
/** The cookie that ties a sign-in's callback to the browser that started it (its `state`). */
export const LOGIN_COOKIE = 'workgate_login';
/** The header a console write carries its session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/** How long a sign-in may take at the provider. */
export const LOGIN_TTL_MS = 10 * 60_000;
/** The most entries an `Expiring` keeps at once (the oldest go first). */
const MAX_KEPT = 10_000;

/** A signed-in person's console session: who they signed in as, their verified claims (kept by a `ConsoleSessionRepository`). */
export interface ConsoleSession {
  /** The principal id the claims mapped to at sign-in: the session ends once they map to another, or to none. */
  principal: string;
  claims: Record<string, unknown>;
  issuer: string;
  csrfToken: string;
  expiresAt: number;
}

/** A sign-in on its way through the provider: what its callback must match. */
export interface PendingLogin {
  nonce: string;
  codeVerifier: string;
  expiresAt: number;
}

/** Entries that expire, at most MAX_KEPT of them; a map keyed by the sha256 of a secret, never the secret. */
export class Expiring<T extends { expiresAt: number }> {
  private readonly byHash = new Map<string, T>();

  put(secret: string, value: T): void {
    const now = Date.now();
    for (const [k, v] of this.byHash) if (v.expiresAt <= now) this.byHash.delete(k);
    for (const oldest of this.byHash.keys()) {
      if (this.byHash.size < MAX_KEPT) break;
      this.byHash.delete(oldest);
    }
    this.byHash.set(sha256Hex(secret), value);
  }

  get(secret: string | undefined): T | undefined {
    if (!secret) return undefined;
    const value = this.byHash.get(sha256Hex(secret));
    if (value && value.expiresAt <= Date.now()) {
      this.byHash.delete(sha256Hex(secret));
      return undefined;
    }
    return value;
  }

  take(secret: string | undefined): T | undefined {
    const value = this.get(secret);
    if (secret) this.byHash.delete(sha256Hex(secret));
    return value;
  }
}

/** Whether `presented` is the session's CSRF token (compared in constant time). */
export function csrfMatches(session: ConsoleSession, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The value of cookie `name` in a request's Cookie header. */
export function cookieOf(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const header = headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** A Set-Cookie value: HttpOnly and SameSite=Lax always, Secure when the console is served over https. */
export function setCookie(
  name: string,
  value: string,
  options: { path: string; maxAgeS: number; secure: boolean },
): string {
  return [
    `${name}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeS))}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}
