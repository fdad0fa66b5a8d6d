import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from './principals';

/** The console's session cookie (HttpOnly, SameSite=Lax, Secure over https). */
export const SESSION_COOKIE = 'workgate_session';
/** The cookie that ties a sign-in's callback to the browser that started it (its `state`). */
export const LOGIN_COOKIE = 'workgate_login';
/** The header a console write carries its session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/** The longest a console session lasts, whatever the ID token allows. */
const MAX_SESSION_MS = 12 * 3600_000;
/** How long a sign-in may take at the provider. */
export const LOGIN_TTL_MS = 10 * 60_000;
/** The most sessions and sign-ins in progress kept at once (the oldest go first). */
const MAX_KEPT = 10_000;

/** A signed-in person's console session: their verified claims, kept in this gateway's memory. */
export interface ConsoleSession {
  claims: Record<string, unknown>;
  issuer: string;
  csrfToken: string;
  expiresAt: number;
  /** The ID token, as the hint of the provider's end-session endpoint. */
  idToken?: string;
}

/** A sign-in on its way through the provider: what its callback must match. */
export interface PendingLogin {
  nonce: string;
  codeVerifier: string;
  expiresAt: number;
}

const token = () => randomBytes(32).toString('base64url');

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

/**
 * The console's sessions and sign-ins in progress. Kept in the gateway's memory: a restart signs
 * everyone out, and behind several gateways a browser must keep to one (sticky sessions).
 */
export class ConsoleSessions {
  private readonly sessions = new Expiring<ConsoleSession>();
  private readonly logins = new Expiring<PendingLogin>();

  /** A new session until the ID token's `exp` (at most 12 h): its cookie value. */
  open(session: Omit<ConsoleSession, 'csrfToken' | 'expiresAt'>, idTokenExp: number | undefined): string {
    const id = token();
    const until = Math.min(Date.now() + MAX_SESSION_MS, idTokenExp ? idTokenExp * 1000 : Infinity);
    this.sessions.put(id, { ...session, csrfToken: token(), expiresAt: until });
    return id;
  }

  session(id: string | undefined): ConsoleSession | undefined {
    return this.sessions.get(id);
  }

  /** Ends the session: its cookie no longer works. */
  end(id: string | undefined): ConsoleSession | undefined {
    return this.sessions.take(id);
  }

  /** A sign-in started: its `state` (also the login cookie's value), nonce and PKCE verifier. */
  startLogin(): { state: string } & PendingLogin {
    const state = token();
    const login = { nonce: token(), codeVerifier: token(), expiresAt: Date.now() + LOGIN_TTL_MS };
    this.logins.put(state, login);
    return { state, ...login };
  }

  /** The sign-in of `state`, once: a callback replayed finds nothing. */
  finishLogin(state: string | undefined): PendingLogin | undefined {
    return this.logins.take(state);
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
