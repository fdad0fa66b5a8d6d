import { randomBytes } from 'node:crypto';
import { ConsoleSession, Expiring, LOGIN_TTL_MS, PendingLogin } from './console-sessions';

/** The longest a console session lasts, whatever the ID token allows. */
const MAX_SESSION_MS = 12 * 3600_000;

const token = () => randomBytes(32).toString('base64url');

/** Provider token of the console's session repository. */
export const CONSOLE_SESSIONS = Symbol('workgate:console-sessions');

/**
 * Where the console's sessions and sign-ins in progress are kept (docs/sign-in.md, The console):
 * the sign-in service and the edge's identification ask it, never the HTTP routes. Ids and states
 * are the cookies' values; a store keeps them only by their hash.
 */
export interface ConsoleSessionRepository {
  /** A new session until the ID token's `exp` (at most 12 h): its cookie value. */
  open(session: Omit<ConsoleSession, 'csrfToken' | 'expiresAt'>, idTokenExp: number | undefined): string;
  /** The live session of a cookie value, if any. */
  session(id: string | undefined): ConsoleSession | undefined;
  /** Ends the session: its cookie no longer works. */
  end(id: string | undefined): ConsoleSession | undefined;
  /** A sign-in started: its `state` (also the login cookie's value), nonce and PKCE verifier. */
  startLogin(): { state: string } & PendingLogin;
  /** The sign-in of `state`, once: a callback replayed finds nothing. */
  finishLogin(state: string | undefined): PendingLogin | undefined;
}

/**
 * The sessions in the gateway's memory: a restart signs everyone out, and behind several gateways
 * a browser must keep to one (sticky sessions).
 */
export class InMemoryConsoleSessions implements ConsoleSessionRepository {
  private readonly sessions = new Expiring<ConsoleSession>();
  private readonly logins = new Expiring<PendingLogin>();

  open(session: Omit<ConsoleSession, 'csrfToken' | 'expiresAt'>, idTokenExp: number | undefined): string {
    const id = token();
    const until = Math.min(Date.now() + MAX_SESSION_MS, idTokenExp ? idTokenExp * 1000 : Infinity);
    this.sessions.put(id, { ...session, csrfToken: token(), expiresAt: until });
    return id;
  }

  session(id: string | undefined): ConsoleSession | undefined {
    return this.sessions.get(id);
  }

  end(id: string | undefined): ConsoleSession | undefined {
    return this.sessions.take(id);
  }

  startLogin(): { state: string } & PendingLogin {
    const state = token();
    const login = { nonce: token(), codeVerifier: token(), expiresAt: Date.now() + LOGIN_TTL_MS };
    this.logins.put(state, login);
    return { state, ...login };
  }

  finishLogin(state: string | undefined): PendingLogin | undefined {
    return this.logins.take(state);
  }
}
