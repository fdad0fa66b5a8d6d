import { Provider } from '@nestjs/common';
import { BaseClient, Issuer } from 'openid-client';
import { WorkgateError } from '@workgate/contracts';
import type { WorkgateConfig } from '@workgate/config';
import { bearerKey, PRINCIPALS, settlePrincipal } from './auth.guard';
import { BearerTokens, looksLikeJwt, unreachable } from './bearer-tokens';
import { ConsoleSession, cookieOf, CSRF_HEADER, csrfMatches, Expiring, SESSION_COOKIE } from './console-sessions';
import { CONSOLE_SESSIONS, ConsoleSessionRepository } from './console-sessions.repository';
import { principalOfClaims } from './oidc-mapping';
import type { Principal, PrincipalDirectory } from './principals';
import { ThrottledFetch } from './throttled-fetch';
import { GatewayDatabase } from '../gateway-database.repository';

/** Provider token of the SignIn (null without WORKGATE_OIDC_ISSUER). */
export const SIGN_IN = Symbol('workgate:sign-in');

type OidcConfig = Pick<
  WorkgateConfig,
  | 'WORKGATE_OIDC_ISSUER'
  | 'WORKGATE_OIDC_NAME'
  | 'WORKGATE_OIDC_CLIENT_ID'
  | 'WORKGATE_OIDC_CLIENT_SECRET'
  | 'WORKGATE_OIDC_AUDIENCE'
  | 'WORKGATE_OIDC_REFETCH_SECONDS'
  | 'WORKGATE_PUBLIC_URL'
  | 'WORKGATE_PRINCIPALS'
>;

/** The request as the sign-in reads it: its headers, method and the port it came in on. */
export interface SignInRequest {
  headers: Record<string, string | string[] | undefined>;
  method: string;
  socket: { localPort?: number };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** How long a verified bearer token is taken again without verifying it (never past its `exp`). */
const VERIFIED_TTL_MS = 5 * 60_000;

/**
 * People signed in with OpenID Connect (docs/sign-in.md, The API and `/mcp`): bearer JWTs on the API and `/mcp`, and
 * the console's sessions. The issuer's discovery document is read on first use (and again after a
 * failure, at most once per WORKGATE_OIDC_REFETCH_SECONDS), so workgate starts while the provider is down.
 */
export class SignIn {
  readonly issuerUrl: string;
  /** What the sign-in button names the provider: WORKGATE_OIDC_NAME, or the issuer's host. */
  readonly providerName: string;
  readonly clientId: string;
  private readonly tokens: BearerTokens;
  /** The shortest time between two fetches from the provider. */
  private readonly fetchPeriodMs: number;
  private readonly discovery: ThrottledFetch<Issuer>;
  /** Bearer tokens verified before, by their hash: their claims until their `exp` (at most VERIFIED_TTL_MS). */
  private readonly verified = new Expiring<{ claims: Record<string, unknown>; expiresAt: number }>();

  constructor(
    private readonly config: OidcConfig & { WORKGATE_OIDC_ISSUER: string; WORKGATE_OIDC_CLIENT_ID: string },
    private readonly directory: PrincipalDirectory,
    /** The console's sessions and sign-ins in progress. */
    readonly sessions: ConsoleSessionRepository,
  ) {
    this.issuerUrl = config.WORKGATE_OIDC_ISSUER;
    this.providerName = config.WORKGATE_OIDC_NAME ?? new URL(config.WORKGATE_OIDC_ISSUER).host;
    this.clientId = config.WORKGATE_OIDC_CLIENT_ID;
    this.fetchPeriodMs = config.WORKGATE_OIDC_REFETCH_SECONDS * 1000;
    this.discovery = new ThrottledFetch(() => Issuer.discover(this.issuerUrl), this.fetchPeriodMs);
    if (!directory.oidc)
      throw new Error(
        `WORKGATE_OIDC_ISSUER is set but the principals file ${config.WORKGATE_PRINCIPALS} has no "oidc:" block: ` +
          'add oidc: { principalClaim, rolesClaim, roles: { <group>: [roles] } } (docs/sign-in.md)',
      );
    this.tokens = new BearerTokens(
      this.issuerUrl,
      config.WORKGATE_OIDC_AUDIENCE ?? this.clientId,
      async () => String((await this.issuer()).metadata.jwks_uri),
      this.fetchPeriodMs,
    );
  }

  /** The issuer's metadata, discovered once (a failure is answered, 503, until the next try is due). */
  issuer(): Promise<Issuer> {
    return this.discovery.get().catch((error: unknown) => Promise.reject(unreachable(error, this.fetchPeriodMs)));
  }

  /** The console's client at the issuer, redirecting to `<public URL>/console/callback`. */
  async client(req: SignInRequest): Promise<BaseClient> {
    const issuer = await this.issuer();
    const secret = this.config.WORKGATE_OIDC_CLIENT_SECRET;
    return new issuer.Client({
      client_id: this.clientId,
      ...(secret ? { client_secret: secret } : { token_endpoint_auth_method: 'none' }),
      redirect_uris: [this.redirectUri(req)],
      response_types: ['code'],
    });
  }

  /** Where people reach workgate: WORKGATE_PUBLIC_URL, else http://127.0.0.1:<the port the request came in on>. */
  publicUrl(req: SignInRequest): string {
    return (this.config.WORKGATE_PUBLIC_URL ?? `http://127.0.0.1:${req.socket.localPort}`).replace(/\/+$/, '');
  }

  redirectUri(req: SignInRequest): string {
    return `${this.publicUrl(req)}/console/callback`;
  }

  /**
   * The principal of verified claims, by the principals file's `oidc:` mapping as it is now; 403
   * `principal_id_taken` when the id is an API-key principal's of the file (two actors would be one).
   */
  principalOf(claims: Record<string, unknown>): Principal {
    const mapping = this.directory.oidc;
    if (!mapping)
      throw new WorkgateError('unauthorized', 'sign-in is not configured: the principals file has no "oidc:" block');
    const principal = principalOfClaims(mapping, claims, this.issuerUrl);
    if (this.directory.hasId(principal.id))
      throw new WorkgateError(
        'principal_id_taken',
        `the "${mapping.principalClaim}" claim's value "${principal.id}" is the id of an API-key principal of the principals file: ` +
          'a signed-in person cannot act as that principal (choose an oidc.principalClaim that cannot clash, e.g. email)',
      );
    return principal;
  }

  /**
   * The console session of the request's cookie, if it has a live one. A session whose claims no
   * longer make its principal (the principals file changed: its roles no longer map, an API key
   * now has its id, or the claims map to another id) is ended, and why is thrown; 503
   * `unavailable` when the sessions cannot be read.
   */
  async sessionOf(req: SignInRequest): Promise<ConsoleSession | undefined> {
    const id = cookieOf(req.headers, SESSION_COOKIE);
    if (id === undefined) return undefined;
    const session = await this.sessions.session(id);
    if (!session) return undefined;
    const refusal = this.mappingRefusal(session);
    if (!refusal) return session;
    await this.sessions.end(id);
    throw refusal;
  }

  /** Why a session's claims no longer make the principal it was opened for, or undefined while they do. */
  private mappingRefusal(session: ConsoleSession): WorkgateError | undefined {
    try {
      const now = this.principalOf(session.claims).id;
      if (now === session.principal) return undefined;
      return new WorkgateError(
        'unauthorized',
        `this console session of "${session.principal}" has ended: the principals file's oidc: block now maps its claims to "${now}"; sign in again`,
      );
    } catch (error) {
      if (error instanceof WorkgateError) return error;
      throw error;
    }
  }

  /**
   * Why a console write is refused: without the session's CSRF token, or from another origin
   * than workgate's own (403 `csrf_refused`); undefined for reads and for writes that pass.
   */
  csrfRefusal(req: SignInRequest, session: ConsoleSession): WorkgateError | undefined {
    if (SAFE_METHODS.has(req.method)) return undefined;
    const origin = req.headers.origin;
    if (origin !== new URL(this.publicUrl(req)).origin)
      return new WorkgateError('csrf_refused', `a console write must come from ${new URL(this.publicUrl(req)).origin}`);
    if (!csrfMatches(session, req.headers[CSRF_HEADER]))
      return new WorkgateError('csrf_refused', `a console write must carry the session's CSRF token (${CSRF_HEADER})`);
    return undefined;
  }

  /**
   * The edge's first step for a request with a bearer JWT or a console session cookie: uses only
   * the headers, so it runs before the body is read; the principal or the refusal is kept for the
   * gate and the AuthGuard. A JWT verified before is settled at once; a JWT not seen yet, or a
   * session cookie, is answered as its verification (the token's signature, the session's row),
   * which the gate runs once the request is counted against its address. Undefined for any other
   * request: an API key is looked up as before.
   */
  identify(req: SignInRequest): (() => Promise<void>) | undefined {
    const bearer = bearerKey(req);
    if (bearer !== undefined) {
      if (!looksLikeJwt(bearer)) return undefined;
      const known = this.verified.get(bearer);
      if (known) return void settle(req, () => this.principalOf(known.claims));
      return () =>
        this.tokens.verify(bearer).then(
          (claims) => {
            const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : 0;
            this.verified.put(bearer, { claims, expiresAt: Math.min(exp, Date.now() + VERIFIED_TTL_MS) });
            settle(req, () => this.principalOf(claims));
          },
          (error: unknown) => settlePrincipal(req, undefined, error instanceof WorkgateError ? error : undefined),
        );
    }
    if (cookieOf(req.headers, SESSION_COOKIE) === undefined) return undefined;
    return async () => {
      let session: ConsoleSession | undefined;
      try {
        session = await this.sessionOf(req);
      } catch (error) {
        // The sessions cannot be read: the gate answers it (503); a session just ended: its refusal.
        if (!(error instanceof WorkgateError) || error.code === 'unavailable') throw error;
        return settlePrincipal(req, undefined, error);
      }
      if (!session) return settlePrincipal(req, undefined);
      const live = session;
      settle(req, () => {
        const refusal = this.csrfRefusal(req, live);
        if (refusal) throw refusal;
        return this.principalOf(live.claims);
      });
    };
  }
}

function settle(req: object, principal: () => Principal): void {
  try {
    settlePrincipal(req, principal());
  } catch (error) {
    settlePrincipal(req, undefined, error instanceof WorkgateError ? error : undefined);
  }
}

/** Provides the console's session repository: the gateway's tables, shared by every gateway of the deployment. */
export function consoleSessionsProvider(config: Pick<WorkgateConfig, 'WORKGATE_SESSION_IDLE_MINUTES'>): Provider {
  return {
    provide: CONSOLE_SESSIONS,
    inject: [GatewayDatabase],
    useFactory: (db: Pick<GatewayDatabase, 'pool'>) =>
      new ConsoleSessionRepository(db.pool, config.WORKGATE_SESSION_IDLE_MINUTES * 60),
  };
}

/** Provides SIGN_IN: a SignIn when WORKGATE_OIDC_ISSUER is set, else null (API keys only). */
export function signInProvider(config: OidcConfig): Provider {
  return {
    provide: SIGN_IN,
    inject: [PRINCIPALS, CONSOLE_SESSIONS],
    useFactory: (directory: PrincipalDirectory, sessions: ConsoleSessionRepository) => {
      const { WORKGATE_OIDC_ISSUER: issuer, WORKGATE_OIDC_CLIENT_ID: clientId } = config;
      return issuer && clientId
        ? new SignIn(
            { ...config, WORKGATE_OIDC_ISSUER: issuer, WORKGATE_OIDC_CLIENT_ID: clientId },
            directory,
            sessions,
          )
        : null;
    },
  };
}
