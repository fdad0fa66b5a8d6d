import { hash } from 'node:crypto';
import { readFileSync, stat, statSync } from 'node:fs';
import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { isMap, parseDocument } from 'yaml';
import { isPlainObject } from '@workgate/contracts';

import { OidcMapping, parseOidcMapping } from './oidc-mapping';
import { isRole, Principal, Role, ROLES } from './roles';

export { isRole, ROLES } from './roles';
export type { Principal, Role, SignedIn } from './roles';

/** What the principals file holds for one principal. */
export interface PrincipalEntry extends Principal {
  /** sha256 (lowercase hex) of the API key; the key itself is never stored. */
  readonly apiKeySha256: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const ID_PATTERN = /^[^\s]{1,200}$/;
const PRINCIPAL_KEYS = new Set(['id', 'roles', 'apiKeySha256']);

export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** The known principals, looked up by the hash of a presented API key. */
export class PrincipalDirectory {
  private byHash = new Map<string, Principal>();
  private ids = new Set<string>();
  private mapping?: OidcMapping;

  constructor(entries: readonly PrincipalEntry[] = [], oidc?: OidcMapping) {
    this.replace(entries, oidc);
  }

  /** How a person signed in with OpenID Connect becomes a principal (the file's `oidc:` block), if it has one. */
  get oidc(): OidcMapping | undefined {
    return this.mapping;
  }

  /** Swaps in a new set of principals at once: a request sees the old set or the new one, never a mix. */
  protected replace(entries: readonly PrincipalEntry[], oidc?: OidcMapping): void {
    const byHash = new Map<string, Principal>();
    for (const entry of entries) {
      if (!SHA256_HEX.test(entry.apiKeySha256))
        throw new Error(`principal "${entry.id}": apiKeySha256 must be 64 lowercase hex digits`);
      if (byHash.has(entry.apiKeySha256)) throw new Error(`principal "${entry.id}": its key hash is already taken`);
      byHash.set(entry.apiKeySha256, Object.freeze({ id: entry.id, roles: Object.freeze([...entry.roles]) }));
    }
    this.byHash = byHash;
    this.ids = new Set(entries.map((entry) => entry.id));
    this.mapping = oidc;
  }

  get size(): number {
    return this.byHash.size;
  }

  /** The principal whose key hashes to sha256(key), or undefined. Only hashes are compared, never keys. */
  byApiKey(key: string): Principal | undefined {
    if (typeof key !== 'string' || key.length === 0) return undefined;
    return this.byHash.get(sha256Hex(key));
  }

  /** Whether `id` is the id of a principal of the file (an API key's). */
  hasId(id: string): boolean {
    return this.ids.has(id);
  }

  all(): Principal[] {
    return [...this.byHash.values()];
  }

  /** The ids of the principals of the file that have every one of `roles`. */
  withRoles(...roles: Role[]): string[] {
    return this.all()
      .filter((p) => roles.every((r) => p.roles.includes(r)))
      .map((p) => p.id);
  }
}

/**
 * Reads and strictly validates the principals file (`principals: [{id, roles, apiKeySha256}]`).
 * A missing file means no principals. A file that exists but is invalid throws one Error that
 * names the file and lists every problem.
 */
export function loadPrincipals(path: string): PrincipalDirectory {
  const file = readPrincipals(path);
  return new PrincipalDirectory(file.principals, file.oidc);
}

/** What a principals file holds: its principals, and how signed-in people map to principals. */
export interface PrincipalsFile {
  principals: PrincipalEntry[];
  oidc?: OidcMapping;
}

/** The validated entries of the principals file at `path` (none when it does not exist). */
function readPrincipals(path: string): PrincipalsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { principals: [] };
    throw new Error(`principals file ${path}: cannot be read: ${(error as Error).message}`);
  }
  return parsePrincipalsFile(text, path);
}

/** How often the principals file is checked for changes. */
const WATCH_INTERVAL_MS = 500;

/**
 * The principals file, kept current while workgate runs: the file is checked every half second
 * (an edit, a replacement, the file appearing or going all count) and read again on SIGHUP, so a key
 * added with `npm run principal` works within a second, without a restart. A file that is
 * invalid at start stops the start; one that turns invalid later is reported and the principals
 * read before stay in force until it is fixed.
 */
export class WatchedPrincipalDirectory extends PrincipalDirectory implements OnApplicationShutdown {
  private readonly logger = new Logger('Principals');
  private readonly onSignal = () => this.reload('SIGHUP');
  private readonly timer?: NodeJS.Timeout;
  /** The file's identity when it was last read (inode, size, modification time); '' when missing. */
  private seen: string;

  constructor(
    private readonly path: string,
    intervalMs = WATCH_INTERVAL_MS,
  ) {
    const seen = fileVersion(path);
    const file = readPrincipals(path);
    super(file.principals, file.oidc);
    this.seen = seen;
    if (this.size === 0) this.logger.warn(this.noneInForce());
    if (path) {
      this.timer = setInterval(() => this.checkForChange(), intervalMs);
      this.timer.unref();
    }
    process.on('SIGHUP', this.onSignal);
  }

  /** Reads the file again; true when its principals are now in force. */
  reload(why = 'the file changed'): boolean {
    this.seen = fileVersion(this.path);
    try {
      const file = readPrincipals(this.path);
      this.replace(file.principals, file.oidc);
      if (this.size === 0) this.logger.warn(`${this.noneInForce()} (${why})`);
      else this.logger.log(`${this.size} principal(s) in force from ${this.path} (${why})`);
      return true;
    } catch (error) {
      this.logger.error(
        `${(error as Error).message}\nthe ${this.size} principal(s) read before stay in force until the file is fixed`,
      );
      return false;
    }
  }

  private noneInForce(): string {
    const where = this.path ? `no principals in ${this.path}` : 'no principals file (WORKGATE_PRINCIPALS is empty)';
    return `${where}: every call that needs an API key is refused (401); add one with npm run principal -- <id> <role>`;
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    process.off('SIGHUP', this.onSignal);
  }

  private checkForChange(): void {
    stat(this.path, (error, s) => {
      const now = error ? '' : versionOf(s);
      if (now !== this.seen) this.reload();
    });
  }
}

function versionOf(s: { ino: number; size: number; mtimeMs: number }): string {
  return `${s.ino}:${s.size}:${s.mtimeMs}`;
}

/** What identifies the file's current content cheaply; '' when it cannot be seen. */
function fileVersion(path: string): string {
  try {
    return versionOf(statSync(path));
  } catch {
    return '';
  }
}

/** Parses and validates the YAML text of a principals file; `source` names it in the error. */
export function parsePrincipals(text: string, source: string): PrincipalEntry[] {
  return parsePrincipalsFile(text, source).principals;
}

/** The principals and the `oidc:` block of a principals file's YAML text; `source` names it in the error. */
export function parsePrincipalsFile(text: string, source: string): PrincipalsFile {
  const fail = (problems: string[]): never => {
    throw new Error(`invalid principals file ${source}:\n  - ${problems.join('\n  - ')}`);
  };

  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) fail(doc.errors.map((e) => `YAML: ${e.message}`));
  const problems: string[] = [];

  const root = doc.contents;
  if (!isMap(root)) return fail(['the file must be a mapping with a "principals" list']);
  const top: unknown = doc.toJS();
  if (!isPlainObject(top)) return fail(['the file must be a mapping with a "principals" list']);
  for (const key of Object.keys(top))
    if (key !== 'principals' && key !== 'oidc')
      problems.push(`unknown key "${key}" (expected "principals" and "oidc")`);
  const oidc = top.oidc === undefined ? undefined : parseOidcMapping(top.oidc, problems);
  const list = top.principals;
  if (!Array.isArray(list)) {
    problems.push('"principals" must be a list');
    return fail(problems);
  }

  const entries: PrincipalEntry[] = [];
  const seenIds = new Map<string, number>();
  const seenHashes = new Map<string, number>();
  list.forEach((raw: unknown, i) => {
    const at = `principals[${i}]`;
    if (!isPlainObject(raw)) {
      problems.push(`${at}: must be a mapping with id, roles and apiKeySha256`);
      return;
    }
    const item = raw;
    let ok = true;
    for (const key of Object.keys(item)) {
      if (!PRINCIPAL_KEYS.has(key)) {
        problems.push(`${at}: unknown key "${key}" (expected id, roles, apiKeySha256)`);
        ok = false;
      }
    }

    const id = item.id;
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
      problems.push(`${at}.id: must be a non-empty string without spaces (at most 200 characters)`);
      ok = false;
    } else if (seenIds.has(id)) {
      problems.push(`${at}.id: duplicate id "${id}" (also principals[${seenIds.get(id)}])`);
      ok = false;
    } else {
      seenIds.set(id, i);
    }

    const roles: Role[] = [];
    if (!Array.isArray(item.roles)) {
      problems.push(`${at}.roles: must be a list of roles (${ROLES.join(', ')})`);
      ok = false;
    } else {
      item.roles.forEach((role: unknown, j) => {
        if (!isRole(role)) {
          problems.push(`${at}.roles[${j}]: unknown role ${JSON.stringify(role)} (roles: ${ROLES.join(', ')})`);
          ok = false;
        } else if (roles.includes(role)) {
          problems.push(`${at}.roles[${j}]: role "${role}" is listed twice`);
          ok = false;
        } else {
          roles.push(role);
        }
      });
    }

    const hash = item.apiKeySha256;
    if (typeof hash !== 'string' || !SHA256_HEX.test(hash)) {
      problems.push(`${at}.apiKeySha256: must be the sha256 of the API key as 64 lowercase hex digits`);
      ok = false;
    } else if (seenHashes.has(hash)) {
      problems.push(
        `${at}.apiKeySha256: the same key hash as principals[${seenHashes.get(hash)}] (every principal needs its own key)`,
      );
      ok = false;
    } else {
      seenHashes.set(hash, i);
    }

    if (ok && typeof id === 'string' && typeof hash === 'string') entries.push({ id, roles, apiKeySha256: hash });
  });

  if (problems.length > 0) fail(problems);
  return { principals: entries, oidc };
}
