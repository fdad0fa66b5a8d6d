import { Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BaseClient, generators, TokenSet } from 'openid-client';
import { WorkgateError } from '@workgate/contracts';
import {
  answerSignInPage,
  cookieOf,
  LOGIN_COOKIE,
  LOGIN_TTL_MS,
  Public,
  SESSION_COOKIE,
  setCookie,
  SIGN_IN,
  SignIn,
  wantsPage,
} from '../http';

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

/**
 * The console's OpenID Connect sign-in (docs/sign-in.md, The console), registered only with
 * WORKGATE_OIDC_ISSUER: `/console/sign-in` starts the authorization code flow (PKCE, `state`,
 * `nonce`), `/console/callback` finishes it into an HttpOnly session cookie, `/console/session`
 * tells the console who is signed in and its CSRF token, `/console/sign-out` ends the session
 * (and answers the provider's end-session address, when it has one).
 */
@ApiExcludeController()
@Public()
@Controller('console')
export class SignInController {
  constructor(@Inject(SIGN_IN) private readonly signIn: SignIn) {}

  @Get('session')
  session(@Req() req: FastifyRequest, @Res({ passthrough: true }) res: FastifyReply): ConsoleSessionAnswer {
    void res.header('Cache-Control', 'no-store');
    const session = this.signIn.sessionOf(req);
    const provider = { issuer: this.signIn.issuerUrl, provider: this.signIn.providerName };
    return session ? { ...provider, signedIn: true, csrfToken: session.csrfToken } : { ...provider, signedIn: false };
  }

  /** The start of a sign-in: a provider that cannot be reached is a page to a browser, as at the callback. */
  @Get('sign-in')
  async start(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    try {
      await this.begin(req, res);
    } catch (error) {
      if (!wantsPage(req)) throw error;
      answerSignInPage(res, error);
    }
  }

  private async begin(req: FastifyRequest, res: FastifyReply): Promise<void> {
    const [client, issuer] = await Promise.all([this.signIn.client(req), this.signIn.issuer()]);
    const login = this.signIn.sessions.startLogin();
    const scopes: unknown = issuer.metadata.scopes_supported;
    const groups = Array.isArray(scopes) && scopes.includes('groups') ? ' groups' : '';
    const url = client.authorizationUrl({
      scope: `openid profile email${groups}`,
      state: login.state,
      nonce: login.nonce,
      code_challenge: generators.codeChallenge(login.codeVerifier),
      code_challenge_method: 'S256',
    });
    void res
      .header('Set-Cookie', this.cookie(req, LOGIN_COOKIE, login.state, '/console/callback', LOGIN_TTL_MS / 1000))
      .header('Cache-Control', 'no-store')
      .redirect(url, 302);
  }

  /** The end of a sign-in: a refusal is a page a person can read when a browser asks for one, else the API's error body. */
  @Get('callback')
  async callback(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    try {
      await this.finish(req, res);
    } catch (error) {
      if (!wantsPage(req)) throw error;
      answerSignInPage(res, error);
    }
  }

  private async finish(req: FastifyRequest, res: FastifyReply): Promise<void> {
    const client = await this.signIn.client(req);
    const params = client.callbackParams(req.raw);
    const state = cookieOf(req.headers, LOGIN_COOKIE);
    // The state must be the one this browser's sign-in started with, and is good once.
    const login = state !== undefined && state === params.state ? this.signIn.sessions.finishLogin(state) : undefined;
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
    const idClaims = tokens.claims();
    const claims = await this.claimsOf(client, tokens);
    const id = this.signIn.sessions.open(
      { claims, issuer: this.signIn.issuerUrl, idToken: tokens.id_token },
      idClaims.exp,
    );
    const maxAgeS = this.signIn.sessions.session(id)!.expiresAt / 1000 - Date.now() / 1000;
    void res
      .header('Set-Cookie', [
        this.cookie(req, SESSION_COOKIE, id, '/', maxAgeS),
        this.cookie(req, LOGIN_COOKIE, '', '/console/callback', 0),
      ])
      .header('Cache-Control', 'no-store')
      .redirect('/console', 302);
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

  @Post('sign-out')
  @HttpCode(200)
  async signOut(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<{ endSessionUrl?: string }> {
    const session = this.signIn.sessionOf(req);
    if (!session) throw new WorkgateError('unauthorized', 'no console session: already signed out');
    const refusal = this.signIn.csrfRefusal(req, session);
    if (refusal) throw refusal;
    this.signIn.sessions.end(cookieOf(req.headers, SESSION_COOKIE));
    void res.header('Set-Cookie', this.cookie(req, SESSION_COOKIE, '', '/', 0));
    const issuer = await this.signIn.issuer().catch(() => undefined);
    if (!issuer?.metadata.end_session_endpoint) return {};
    const client = await this.signIn.client(req);
    return {
      endSessionUrl: client.endSessionUrl({
        id_token_hint: session.idToken,
        post_logout_redirect_uri: `${this.signIn.publicUrl(req)}/console`,
      }),
    };
  }

  private cookie(req: FastifyRequest, name: string, value: string, path: string, maxAgeS: number): string {
    return setCookie(name, value, { path, maxAgeS, secure: this.signIn.publicUrl(req).startsWith('https:') });
  }
}

/** Without WORKGATE_OIDC_ISSUER the console still asks, and hears that only the API key signs in. */
@ApiExcludeController()
@Public()
@Controller('console')
export class NoSignInController {
  @Get('session')
  session(@Res({ passthrough: true }) res: FastifyReply): ConsoleSessionAnswer {
    void res.header('Cache-Control', 'no-store');
    return { issuer: null, provider: null, signedIn: false };
  }
}
