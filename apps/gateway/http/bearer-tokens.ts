import { createRemoteJWKSet, decodeProtectedHeader, errors, JWK, jwtVerify } from 'jose';
import { WorkgateError } from '@workgate/contracts';

/** How close to `exp` and `nbf` a token may be and still count (clocks drift). */
export const CLOCK_LEEWAY_S = 60;

/**
 * The shortest time between two fetches of the issuer's key set: a token naming an unknown `kid`
 * fetches it again at most this often (a flood of made-up kids costs one fetch per period).
 */
export const JWKS_COOLDOWN_MS = 10_000;

/** The algorithm a key of the JWKS is used with: its `alg`, else the one its type implies. */
function algorithmOf(key: JWK): string[] {
  if (key.alg) return [key.alg];
  if (key.kty === 'RSA') return ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
  if (key.kty === 'EC') return [{ 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }[key.crv ?? ''] ?? ''];
  if (key.kty === 'OKP') return ['EdDSA'];
  return [];
}

/** Algorithms that never verify a token here, whatever the key set says: no signature, or a shared secret. */
const NEVER = /^(none|HS\d+)$/i;

/**
 * The `WWW-Authenticate` of a 401: a refused bearer token is `invalid_token` (RFC 6750), so a
 * client knows to get a new one; without or with an unknown API key, the realm alone.
 */
export function bearerChallenge(refusal: WorkgateError): string {
  return refusal.code === 'unauthorized' || refusal.code === 'unavailable'
    ? 'Bearer realm="workgate"'
    : `Bearer realm="workgate", error="invalid_token", error_description="${refusal.code}"`;
}

/** A JWT: three base64url parts (an API key has no dots). */
export const looksLikeJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);

/**
 * Verifies bearer JWTs from one issuer (SPEC section 16): the signature against the issuer's JWKS
 * (cached; fetched again when a token names a `kid` it does not hold, at most once per
 * JWKS_COOLDOWN_MS), only with the algorithms of its keys (`none` and HMAC never), `iss`, `aud`,
 * `exp` and `nbf` with CLOCK_LEEWAY_S. A refusal is a 401 whose code says why.
 */
export class BearerTokens {
  private jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    private readonly issuer: string,
    private readonly audience: string,
    /** The issuer's `jwks_uri`, from its discovery document. */
    private readonly jwksUri: () => Promise<string>,
  ) {}

  /** The verified claims of `token`, or a WorkgateError saying why not. */
  async verify(token: string): Promise<Record<string, unknown>> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new WorkgateError('bad_token', 'the bearer token is not a well-formed JWT');
    }
    if (!alg || NEVER.test(alg))
      throw new WorkgateError('bad_algorithm', `a token signed with alg "${alg ?? ''}" is never accepted`);
    const jwks = await this.keySet();
    const algorithms = [...new Set((jwks.jwks()?.keys ?? []).flatMap(algorithmOf))].filter((a) => !NEVER.test(a));
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: this.issuer,
        audience: this.audience,
        clockTolerance: CLOCK_LEEWAY_S,
        algorithms,
        requiredClaims: ['exp'],
      });
      return payload;
    } catch (error) {
      throw refusalOf(error, alg, algorithms);
    }
  }

  private async keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (!this.jwks) {
      let uri: string;
      try {
        uri = await this.jwksUri();
      } catch (error) {
        throw unreachable(error);
      }
      this.jwks ??= createRemoteJWKSet(new URL(uri), { cooldownDuration: JWKS_COOLDOWN_MS, timeoutDuration: 5_000 });
    }
    if (!this.jwks.jwks()) await this.jwks.reload().catch((error: unknown) => Promise.reject(unreachable(error)));
    return this.jwks;
  }
}

function unreachable(error: unknown): WorkgateError {
  const why = error instanceof Error ? error.message : String(error);
  return new WorkgateError('unavailable', `the identity provider's keys cannot be fetched: ${why.slice(0, 200)}`);
}

/** Why jose refused a token, as the 401 that says it. */
function refusalOf(error: unknown, alg: string, algorithms: string[]): WorkgateError {
  if (error instanceof WorkgateError) return error;
  if (error instanceof errors.JWTExpired) return new WorkgateError('token_expired', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return new WorkgateError('token_not_yet_valid', 'the token is not valid yet (nbf)');
    if (error.claim === 'iss') return new WorkgateError('bad_issuer', 'the token was issued by another issuer');
    if (error.claim === 'aud') return new WorkgateError('bad_audience', "the token is not for workgate's audience");
    return new WorkgateError('bad_token', `the token's "${error.claim}" claim is not valid: ${error.reason}`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed)
    return new WorkgateError(
      'bad_algorithm',
      `alg "${alg}" is not an algorithm of the issuer's keys (${algorithms.join(', ')})`,
    );
  if (error instanceof errors.JWKSNoMatchingKey)
    return new WorkgateError('unknown_key', "the token's key (kid) is not in the issuer's key set");
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return new WorkgateError('bad_signature', "the token's signature does not verify with the issuer's key");
  if (error instanceof errors.JWKSTimeout || error instanceof TypeError) return unreachable(error);
  return new WorkgateError('bad_token', 'the bearer token is not a valid JWT');
}
