import { Provider } from '@nestjs/common';
import { BaseClient, generators, TokenSet } from 'openid-client';
import { WorkgateError } from '@workgate/contracts';
import { ConsoleSession, cookieOf, LOGIN_COOKIE, LOGIN_TTL_MS, SESSION_COOKIE, setCookie } from './console-sessions';
import { SIGN_IN, SignIn, SignInRequest } from './sign-in';

/** Provider token of the ConsoleSignIn (null without WORKGATE_OIDC_ISSUER). */
export const CONSOLE_SIGN_IN = Symbol('workgate:console-sign-in');

/** What the console asks before it shows its sign-in: the issuer, and the session if there is one. */
export interface ConsoleSessionAnswer {
  /** null: workgate has no OpenID provider, only the API key signs in. */
  issuer: string | null;
  /** What the sign-in button names the provider (WORKGATE_OIDC_NAME, or the issuer's host); null with no provider. */
  provider: string | null;
  signedIn: boolean;
  /** Sent back in `X-CSRF-Token` with every write of this session. */
  csrfToken?: string;
}

/** A step of the sign-in that sends the browser on: where to, with the cookies it sets. */
export interface SignInRedirect {
  location: string;
  cookies: string[];
}

/** The request as the console's sign-in reads it: the sign-in's view of it, and its URL (the callback's parameters). */
export interface ConsoleSignInRequest extends SignInRequest {
  url: string;
}

/**
 * The console's OpenID Connect sign-in (docs/sign-in.md, The console): the authorization code
 * flow with PKCE, `state` and `nonce`, the token exchange, the claims (the userinfo endpoint's
 * when the ID token lacks the mapped ones) and the session, kept by the SignIn's session
 * repository. It answers what to send; the routes only turn it into HTTP.
 */
export class ConsoleSignIn {
  constructor(private readonly signIn: SignIn) {}

  /**
   * The provider, and whether the request's cookie is a live session (with its CSRF token); a
   * session that just ended (its claims no longer make its principal) is signed out.
   */
  async session(req: SignInRequest): Promise<ConsoleSessionAnswer> {
    const session = await this.signIn.sessionOf(req).catch((error: unknown) => {
      if (error instanceof WorkgateError && error.code !== 'unavailable') return undefined;
      throw error;
    });
    const provider = { issuer: this.signIn.issuerUrl, provider: this.signIn.providerName };
    return session ? { ...provider, signedIn: true, csrfToken: session.csrfToken } : { ...provider, signedIn: false };
  }

  /** The start of a sign-in: to the provider's authorization endpoint, the sign-in's `state` in the login cookie. */
  async start(req: ConsoleSignInRequest): Promise<SignInRedirect> {
    const [client, issuer] = await Promise.all([this.signIn.client(req), this.signIn.issuer()]);
    const login = await this.signIn.sessions.startLogin();
    const scopes: unknown = issuer.metadata.scopes_supported;
    const groups = Array.isArray(scopes) && scopes.includes('groups') ? ' groups' : '';
    const location = client.authorizationUrl({
      scope: `openid profile email${groups}`,
      state: login.state,
      nonce: login.nonce,
      code_challenge: generators.codeChallenge(login.codeVerifier),
      code_challenge_method: 'S256',
    });
    return {
      location,
      cookies: [this.cookie(req, LOGIN_COOKIE, login.state, '/console/callback', LOGIN_TTL_MS / 1000)],
    };
  }

  /** The end of a sign-in: the code exchanged, a session opened, back to the console with its cookie. */
  async finish(req: ConsoleSignInRequest): Promise<SignInRedirect> {
    const client = await this.signIn.client(req);
    const params = client.callbackParams(req.url);
    const state = cookieOf(req.headers, LOGIN_COOKIE);
    // The state must be the one this browser's sign-in started with, and is good once.
    const login =
      state !== undefined && state === params.state ? await this.signIn.sessions.finishLogin(state) : undefined;
    if (!login)
      throw new WorkgateError(
        'bad_request',
        'this sign-in was not started in this browser, or has expired: sign in again',
      );
    let tokens;
    try {
      tokens = await client.callback(this.signIn.redirectUri(req), params, {
        state,
        nonce: login.nonce,
        code_verifier: login.codeVerifier,
      });
    } catch (error) {
      throw new WorkgateError(
        'bad_request',
        `the sign-in failed: ${(error instanceof Error ? error.message : String(error)).slice(0, 200)}`,
      );
    }
    const claims = await this.claimsOf(client, tokens);
    const principal = this.signIn.principalOf(claims).id;
    const { id, session } = await this.signIn.sessions.open(
      { principal, claims, issuer: this.signIn.issuerUrl },
      tokens.claims().exp,
    );
    const maxAgeS = session.expiresAt / 1000 - Date.now() / 1000;
    return {
      location: '/console',
      cookies: [
        this.cookie(req, SESSION_COOKIE, id, '/', maxAgeS),
        this.cookie(req, LOGIN_COOKIE, '', '/console/callback', 0),
      ],
    };
  }

  /**
   * Ends the request's session (a write: its CSRF token and origin are checked): the cookie that
   * clears it, and the provider's end-session address when it has one. 401 without a session.
   */
  async signOut(req: SignInRequest): Promise<{ cookies: string[]; answer: { endSessionUrl?: string } }> {
    await this.writingSession(req);
    await this.signIn.sessions.end(cookieOf(req.headers, SESSION_COOKIE));
    return this.signedOut(req, {});
  }

  /**
   * Ends every session of the request's principal, on every gateway (a write, checked as sign-out
   * is): the cookie that clears this one, how many ended, and the provider's end-session address.
   */
  async signOutEverywhere(
    req: SignInRequest,
  ): Promise<{ cookies: string[]; answer: { ended: number; endSessionUrl?: string } }> {
    const session = await this.writingSession(req);
    const ended = await this.signIn.sessions.endAll(session.principal);
    return this.signedOut(req, { ended });
  }

  /** The request's live session, for a write: 401 without one, 403 `csrf_refused` without its token or origin. */
  private async writingSession(req: SignInRequest): Promise<ConsoleSession> {
    const session = await this.signIn.sessionOf(req);
    if (!session) throw new WorkgateError('unauthorized', 'no console session: already signed out');
    const refusal = this.signIn.csrfRefusal(req, session);
    if (refusal) throw refusal;
    return session;
  }

  /** The cookie that clears the session, and the provider's end-session address when it has one. */
  private async signedOut<T extends object>(
    req: SignInRequest,
    answer: T,
  ): Promise<{ cookies: string[]; answer: T & { endSessionUrl?: string } }> {
    const cookies = [this.cookie(req, SESSION_COOKIE, '', '/', 0)];
    const issuer = await this.signIn.issuer().catch(() => undefined);
    if (!issuer?.metadata.end_session_endpoint) return { cookies, answer };
    const client = await this.signIn.client(req);
    const endSessionUrl = client.endSessionUrl({ post_logout_redirect_uri: `${this.signIn.publicUrl(req)}/console` });
    return { cookies, answer: { ...answer, endSessionUrl } };
  }

  /**
   * The claims a session is opened with, once they map to a principal: the ID token's, with the
   * userinfo endpoint's when the ID token lacks the mapped claims. Missing claims the provider
   * cannot complete are 403 `no_mapped_role`; a userinfo endpoint that fails, 503 `unavailable`.
   */
  private async claimsOf(client: BaseClient, tokens: TokenSet): Promise<Record<string, unknown>> {
    const idClaims = tokens.claims();
    const missing = this.refusalOf(idClaims);
    if (!missing) return idClaims;
    if (missing.code !== 'bad_token' && missing.code !== 'no_mapped_role') throw missing;
    const hasUserinfo = typeof client.issuer.metadata.userinfo_endpoint === 'string';
    if (!hasUserinfo || !tokens.access_token)
      throw new WorkgateError(
        'no_mapped_role',
        `${missing.message}; the ID token lacks the claim and the identity provider has no userinfo endpoint to ask`,
      );
    let userinfo: Record<string, unknown>;
    try {
      userinfo = await client.userinfo(tokens);
    } catch (error) {
      const why = (error instanceof Error ? error.message : String(error)).slice(0, 200);
      throw new WorkgateError(
        'unavailable',
        `the ID token lacks the mapped claims and the identity provider's userinfo endpoint failed (${why}): sign in again later`,
      );
    }
    const claims = { ...userinfo, ...idClaims };
    const refusal = this.refusalOf(claims);
    if (refusal?.code === 'bad_token') throw new WorkgateError('no_mapped_role', refusal.message);
    if (refusal) throw refusal;
    return claims;
  }

  /** Why `claims` make no principal, or undefined when they make one. */
  private refusalOf(claims: Record<string, unknown>): WorkgateError | undefined {
    try {
      this.signIn.principalOf(claims);
      return undefined;
    } catch (error) {
      if (error instanceof WorkgateError) return error;
      throw error;
    }
  }

  private cookie(req: SignInRequest, name: string, value: string, path: string, maxAgeS: number): string {
    return setCookie(name, value, { path, maxAgeS, secure: this.signIn.publicUrl(req).startsWith('https:') });
  }
}

/** Provides CONSOLE_SIGN_IN: the console's sign-in over the SignIn, or null without one. */
export const consoleSignInProvider: Provider = {
  provide: CONSOLE_SIGN_IN,
  inject: [SIGN_IN],
  useFactory: (signIn: SignIn | null) => (signIn ? new ConsoleSignIn(signIn) : null),
};
