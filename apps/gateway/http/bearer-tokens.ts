import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  FlattenedJWSInput,
  JSONWebKeySet,
  JWK,
  JWSHeaderParameters,
  jwtVerify,
  KeyLike,
} from 'jose';
import { WorkgateError } from '@workgate/contracts';
import { ThrottledFetch } from './throttled-fetch';

/** How close to `exp` and `nbf` a token may be and still count (clocks drift). */
export const CLOCK_LEEWAY_S = 60;

/** How long a key set is used before it is fetched again anyway (a key the provider withdrew stops verifying). */
const KEY_SET_MAX_AGE_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;

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

/** The issuer's key set as held: its keys' lookup and the algorithms they are used with. */
interface KeySet {
  key: (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<KeyLike>;
  algorithms: string[];
  kids: Set<string>;
}

/** An object parsed from JSON (of any realm: `fetch` may build it in another one than the caller's). */
const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isKeySet(value: unknown): value is JSONWebKeySet {
  return isJsonObject(value) && Array.isArray(value.keys) && value.keys.every(isJsonObject);
}

/** GETs the key set at `uri`. */
async function fetchKeySet(uri: string): Promise<KeySet> {
  const res = await fetch(uri, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`its key set (${uri}) answered ${res.status}`);
  const json: unknown = await res.json();
  if (!isKeySet(json)) throw new Error(`its key set (${uri}) is not a JWK set`);
  return {
    key: createLocalJWKSet(json),
    algorithms: [...new Set(json.keys.flatMap(algorithmOf))].filter((a) => a !== '' && !NEVER.test(a)),
    kids: new Set(json.keys.flatMap((key) => (typeof key.kid === 'string' ? [key.kid] : []))),
  };
}

/** The 503 of a provider that cannot be reached (answered until the next fetch is due, `periodMs` after the last). */
export function unreachable(error: unknown, periodMs: number): WorkgateError {
  if (error instanceof WorkgateError) return error;
  const why = error instanceof Error ? error.message : String(error);
  return new WorkgateError(
    'unavailable',
    `the identity provider cannot be reached (${why.slice(0, 200)}); workgate tries again at most once every ${periodMs / 1000} s`,
  );
}

/**
 * Verifies bearer JWTs from one issuer (docs/sign-in.md, The API and `/mcp`): the signature against the issuer's JWKS
 * (cached; fetched again when a token names a key it does not hold — an unknown `kid`, or an
 * algorithm none of its keys has — at most once per `fetchPeriodMs`), only with the
 * algorithms of its keys (`none` and HMAC never), `iss`, `aud`, `exp` and `nbf` with
 * CLOCK_LEEWAY_S. A refusal is a 401 whose code says why; a provider that cannot be reached, 503.
 */
export class BearerTokens {
  private readonly keySet: ThrottledFetch<KeySet>;

  constructor(
    private readonly issuer: string,
    private readonly audience: string,
    /** The issuer's `jwks_uri`, from its discovery document. */
    jwksUri: () => Promise<string>,
    /** The shortest time between two fetches of the key set (WORKGATE_OIDC_REFETCH_SECONDS). */
    private readonly fetchPeriodMs: number,
  ) {
    this.keySet = new ThrottledFetch(async () => fetchKeySet(await jwksUri()), fetchPeriodMs);
  }

  /** The verified claims of `token`, or a WorkgateError saying why not. */
  async verify(token: string): Promise<Record<string, unknown>> {
    let alg: string | undefined;
    let kid: string | undefined;
    try {
      ({ alg, kid } = decodeProtectedHeader(token));
    } catch {
      throw new WorkgateError('bad_token', 'the bearer token is not a well-formed JWT');
    }
    if (!alg || NEVER.test(alg))
      throw new WorkgateError('bad_algorithm', `a token signed with alg "${alg ?? ''}" is never accepted`);
    let keys = await this.keySet
      .get(KEY_SET_MAX_AGE_MS)
      .catch((error: unknown) => Promise.reject(unreachable(error, this.fetchPeriodMs)));
    // The key is found before the algorithm is judged: a key of a new algorithm is then fetched like a new kid.
    const keyOf = async (header: JWSHeaderParameters, jws: FlattenedJWSInput): Promise<KeyLike> => {
      let key: KeyLike;
      try {
        key = await keys.key(header, jws);
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
        keys = await this.keySet
          .refresh()
          .catch((failure: unknown) => Promise.reject(unreachable(failure, this.fetchPeriodMs)));
        key = await keys.key(header, jws);
      }
      if (!keys.algorithms.includes(String(header.alg))) throw algorithmRefusal(String(header.alg), keys.algorithms);
      return key;
    };
    try {
      const { payload } = await jwtVerify(token, keyOf, {
        issuer: this.issuer,
        audience: this.audience,
        clockTolerance: CLOCK_LEEWAY_S,
        requiredClaims: ['exp'],
      });
      return payload;
    } catch (error) {
      throw refusalOf(error, { alg, kid }, keys);
    }
  }
}

function algorithmRefusal(alg: string, algorithms: string[]): WorkgateError {
  return new WorkgateError(
    'bad_algorithm',
    `alg "${alg}" is not an algorithm of the issuer's keys (${algorithms.join(', ')})`,
  );
}

/** Why jose refused a token, as the 401 that says it: a `kid` the key set lacks is `unknown_key`, whatever its alg. */
function refusalOf(
  error: unknown,
  { alg, kid }: { alg: string; kid?: string },
  { algorithms, kids }: KeySet,
): WorkgateError {
  if (error instanceof WorkgateError) return error;
  if (error instanceof errors.JWTExpired) return new WorkgateError('token_expired', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return new WorkgateError('token_not_yet_valid', 'the token is not valid yet (nbf)');
    if (error.claim === 'iss') return new WorkgateError('bad_issuer', 'the token was issued by another issuer');
    if (error.claim === 'aud') return new WorkgateError('bad_audience', "the token is not for workgate's audience");
    return new WorkgateError('bad_token', `the token's "${error.claim}" claim is not valid: ${error.reason}`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported)
    return algorithmRefusal(alg, algorithms);
  if (error instanceof errors.JWKSNoMatchingKey)
    return algorithms.includes(alg) || (typeof kid === 'string' && !kids.has(kid))
      ? new WorkgateError('unknown_key', "the token's key (kid) is not in the issuer's key set")
      : algorithmRefusal(alg, algorithms);
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return new WorkgateError('bad_signature', "the token's signature does not verify with the issuer's key");
  return new WorkgateError('bad_token', 'the bearer token is not a valid JWT');
}
