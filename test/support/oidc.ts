import { spawn, ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { checked, isString, parsed, shaped } from './guards';

/** A private signing key as a JWK with its `kid`, the way the test provider is given its keys. */
export interface ProviderKey {
  kid: string;
  jwk: JsonWebKey & { kty: string; kid: string; alg: string; use: string };
  /** The PEM of its public half (what an HS256 forgery uses as its "secret"). */
  publicPem: string;
}

export function rsaKey(kid = `k-${randomUUID().slice(0, 8)}`): ProviderKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    jwk: { ...privateKey.export({ format: 'jwk' }), kty: 'RSA', kid, alg: 'RS256', use: 'sig' },
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** A private EC P-256 signing key (ES256) as a JWK with its `kid`. */
export function ecKey(kid = `k-${randomUUID().slice(0, 8)}`): ProviderKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    kid,
    jwk: { ...privateKey.export({ format: 'jwk' }), kty: 'EC', kid, alg: 'ES256', use: 'sig' },
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

export interface ProviderSettings {
  port: number;
  keys: ProviderKey[];
  clients: Array<Record<string, unknown>>;
  users: Record<string, { groups: string[] }>;
  apiAudience: string;
  /** What the API's access tokens are signed with (default RS256). */
  accessTokenAlg?: string;
  /** true: its userinfo endpoint answers 500. */
  brokenUserinfo?: boolean;
}

export interface TestProvider {
  issuer: string;
  settings: ProviderSettings;
  /** Stops the provider and starts it again on the same port with these keys (the first signs) and settings. */
  rotate(keys: ProviderKey[], settings?: Partial<ProviderSettings>): Promise<void>;
  stop(): Promise<void>;
}

/** Starts test/support/oidc-provider.mjs (oidc-provider, ESM) as a child process on 127.0.0.1. */
export async function startProvider(settings: ProviderSettings): Promise<TestProvider> {
  const dir = mkdtempSync(join(tmpdir(), 'wg-oidc-'));
  let child: ChildProcess;
  const launch = async (s: ProviderSettings): Promise<string> => {
    const file = join(dir, `settings-${randomUUID()}.json`);
    writeFileSync(file, JSON.stringify({ ...s, jwks: { keys: s.keys.map((k) => k.jwk) } }));
    child = spawn(process.execPath, ['--no-warnings', join(__dirname, 'oidc-provider.mjs'), file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stderr!.on('data', (d) => (errors += d));
    const first = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`the test provider exited with ${code}: ${errors}`)));
    });
    return parsed(first, shaped({ issuer: isString }), "the test provider's first line").issuer;
  };
  const stopChild = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const provider: TestProvider = {
    issuer: await launch(settings),
    settings,
    rotate: async (keys, changed = {}) => {
      await stopChild();
      provider.settings = { ...provider.settings, ...changed, keys };
      await launch(provider.settings);
    },
    stop: stopChild,
  };
  return provider;
}

/** A cookie jar for one browser-less sign-in: every cookie sent back to the provider. */
export class Jar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1));
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * Signs `login` in at the provider without a browser — its login form, then its consent form —
 * as the client `clientId` (a public client with PKCE, redirect URI `redirectUri`), and answers
 * the tokens the provider issued: with `resource`, the access token is a JWT for that API.
 */
export async function tokensFor(
  issuer: string,
  login: string,
  client: { clientId: string; redirectUri: string; resource?: string; scope?: string },
): Promise<{ access_token: string; id_token: string }> {
  const jar = new Jar();
  const verifier = randomBytes(32).toString('base64url');
  const auth = new URL(`${issuer}/auth`);
  auth.search = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: client.redirectUri,
    scope: client.scope ?? 'openid profile groups api',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomUUID(),
    ...(client.resource ? { resource: client.resource } : {}),
  }).toString();
  const location = await signInAt(auth.toString(), login, client.redirectUri, jar);
  const code = new URL(location).searchParams.get('code');
  if (!code) throw new Error(`the provider answered ${location}`);
  return exchange(issuer, client, code, verifier);
}

/**
 * Follows a sign-in from `start` through the provider's login (as `login`) and consent forms
 * without a browser, keeping every cookie in `jar` (cookies ignore ports: workgate's and the
 * provider's share it, as in a browser), until a redirect to `redirectUri`: answers its URL.
 */
export async function signInAt(start: string, login: string, redirectUri: string, jar = new Jar()): Promise<string> {
  let url = start;
  for (let hop = 0; hop < 12; hop++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.take(res);
    const location = res.headers.get('location');
    if (location?.startsWith(redirectUri)) return location;
    if (location) {
      url = new URL(location, url).toString();
      continue;
    }
    const page = await res.text();
    if (res.status !== 200 || !url.includes('/interaction/')) throw new Error(`${res.status} at ${url}: ${page}`);
    const form: Record<string, string> = page.includes('name="login"')
      ? { prompt: 'login', login, password: 'any' }
      : { prompt: 'consent' };
    const posted = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    jar.take(posted);
    const next = posted.headers.get('location');
    if (!next) throw new Error(`${posted.status} after ${form.prompt}: ${await posted.text()}`);
    url = new URL(next, url).toString();
  }
  throw new Error('the sign-in did not reach the redirect URI');
}

async function exchange(
  issuer: string,
  client: { clientId: string; redirectUri: string; resource?: string },
  code: string,
  verifier: string,
): Promise<{ access_token: string; id_token: string }> {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      client_id: client.clientId,
      code_verifier: verifier,
      ...(client.resource ? { resource: client.resource } : {}),
    }).toString(),
  });
  const body: unknown = await res.json();
  if (res.status !== 200) throw new Error(`token endpoint: ${res.status} ${JSON.stringify(body)}`);
  return checked(body, shaped({ access_token: isString, id_token: isString }), "the token endpoint's answer");
}
