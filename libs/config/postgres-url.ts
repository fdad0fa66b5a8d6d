import { ValidateBy } from 'class-validator';

/**
 * libpq's connection URI (docs/operations.md, Running a fleet), with the host list WHATWG `URL`
 * cannot read: `postgres://user:password@hostA:5432,hostB:5433/db?target_session_attrs=read-write`.
 * Every part is percent-decoded here and encoded again by `formatPostgresUrl`.
 */
export interface PostgresHost {
  /** A name, an IPv4 or IPv6 address (without brackets), or a Unix socket directory (starting with `/`). */
  host: string;
  port?: number;
}

export interface PostgresUrl {
  scheme: 'postgres' | 'postgresql';
  user?: string;
  password?: string;
  hosts: PostgresHost[];
  database?: string;
  /** The query parameters in their order, decoded. */
  params: Array<[string, string]>;
}

/** libpq's `target_session_attrs`: which server of the host list a session may use. */
export const TARGET_SESSION_ATTRS = ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'] as const;
export type TargetSessionAttrs = (typeof TARGET_SESSION_ATTRS)[number];

export class PostgresUrlError extends Error {}

const SCHEME = /^(postgres|postgresql):\/\//;

function decoded(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new PostgresUrlError(`${what} has a bad percent-encoding: ${part}`);
  }
}

function parseHost(entry: string, n: number): PostgresHost {
  const bracketed = /^\[([0-9A-Fa-f:.%]+)\](?::(.*))?$/.exec(entry);
  const [rawHost, rawPort] = bracketed
    ? [bracketed[1], bracketed[2]]
    : entry.includes(':')
      ? [entry.slice(0, entry.lastIndexOf(':')), entry.slice(entry.lastIndexOf(':') + 1)]
      : [entry, undefined];
  if (!bracketed && rawHost.includes(':'))
    throw new PostgresUrlError(`host ${n} (${entry}) is an IPv6 address without [brackets]`);
  const host = bracketed ? rawHost : decoded(rawHost, `host ${n}`);
  if (!host) throw new PostgresUrlError(`host ${n} of the host list is empty`);
  if (!bracketed && /[\s,@/?#:[\]]/.test(host) && !host.startsWith('/'))
    throw new PostgresUrlError(`host ${n} (${entry}) holds a character a host name cannot have`);
  if (rawPort === undefined) return { host };
  const port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : NaN;
  if (!(port >= 1 && port <= 65535))
    throw new PostgresUrlError(`host ${n} (${entry}) has a port that is not a number from 1 to 65535`);
  return { host, port };
}

function checkParam(key: string, value: string): void {
  if (key === 'target_session_attrs' && !TARGET_SESSION_ATTRS.some((known) => known === value))
    throw new PostgresUrlError(`target_session_attrs must be one of ${TARGET_SESSION_ATTRS.join(', ')} (not ${value})`);
  if (key === 'connect_timeout' && !/^\d{1,6}$/.test(value))
    throw new PostgresUrlError(`connect_timeout must be a whole number of seconds (not ${value})`);
}

/** Reads a libpq connection URI; a malformed one is a PostgresUrlError saying what is wrong. */
export function parsePostgresUrl(text: string): PostgresUrl {
  const scheme = SCHEME.exec(text);
  if (!scheme) throw new PostgresUrlError('it must start with postgres:// or postgresql://');
  if (/\s/.test(text)) throw new PostgresUrlError('it holds white space');
  if (text.includes('#')) throw new PostgresUrlError('it holds a # (percent-encode it as %23)');
  const rest = text.slice(scheme[0].length);
  const queryAt = rest.indexOf('?');
  const beforeQuery = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const slash = beforeQuery.indexOf('/');
  const authority = slash < 0 ? beforeQuery : beforeQuery.slice(0, slash);
  const at = authority.lastIndexOf('@');
  const url: PostgresUrl = { scheme: scheme[1] === 'postgres' ? 'postgres' : 'postgresql', hosts: [], params: [] };
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    const user = decoded(colon < 0 ? userinfo : userinfo.slice(0, colon), 'the user');
    if (user) url.user = user;
    if (colon >= 0) url.password = decoded(userinfo.slice(colon + 1), 'the password');
  }
  const hostspec = authority.slice(at + 1);
  url.hosts = hostspec ? hostspec.split(',').map((entry, i) => parseHost(entry, i + 1)) : [];
  if (slash >= 0) {
    const database = decoded(beforeQuery.slice(slash + 1), 'the database name');
    if (database) url.database = database;
  }
  if (queryAt >= 0 && rest.length > queryAt + 1)
    for (const pair of rest.slice(queryAt + 1).split('&')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new PostgresUrlError(`the parameter "${pair}" is not key=value`);
      const key = decoded(pair.slice(0, eq), 'a parameter name');
      const value = decoded(pair.slice(eq + 1), `the parameter ${key}`);
      checkParam(key, value);
      url.params.push([key, value]);
    }
  return url;
}

function formatHost({ host, port }: PostgresHost): string {
  const name = host.includes(':') ? `[${host}]` : encodeURIComponent(host);
  return port === undefined ? name : `${name}:${port}`;
}

/** Writes the URI back; `parsePostgresUrl(formatPostgresUrl(u))` equals `u`. */
export function formatPostgresUrl(url: PostgresUrl): string {
  const user = url.user === undefined ? '' : encodeURIComponent(url.user);
  const password = url.password === undefined ? '' : `:${encodeURIComponent(url.password)}`;
  const userinfo = user || password ? `${user}${password}@` : '';
  const database = url.database === undefined ? '' : `/${encodeURIComponent(url.database)}`;
  const query = url.params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const path = database || (query ? '/' : '');
  return `${url.scheme}://${userinfo}${url.hosts.map(formatHost).join(',')}${path}${query ? `?${query}` : ''}`;
}

/** The value of a parameter (the last one given wins, as in libpq). */
export function postgresParam(url: PostgresUrl, key: string): string | undefined {
  return url.params.filter(([k]) => k === key).pop()?.[1];
}

/** True when the URI lists more than one host (`host1:5432,host2:5432`): WHATWG `URL` cannot read it. */
export function isHostList(text: string): boolean {
  const scheme = SCHEME.exec(text);
  if (!scheme) return false;
  const authority = text.slice(scheme[0].length).split(/[/?]/, 1)[0];
  return authority.slice(authority.lastIndexOf('@') + 1).includes(',');
}

/** Why DATABASE_URL cannot be used, or undefined when it can. */
export function databaseUrlProblem(text: string): string | undefined {
  if (!/^postgres(ql)?:\/\/\S+$/.test(text)) return 'DATABASE_URL must be a postgres:// URL';
  if (!isHostList(text) && !/[?&](target_session_attrs|connect_timeout)=/.test(text)) return undefined;
  try {
    parsePostgresUrl(text);
    return undefined;
  } catch (error) {
    return `DATABASE_URL is not a valid libpq URI: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** DATABASE_URL's check: one host, or libpq's host list (docs/operations.md, Running a fleet). */
export function IsDatabaseUrl(): PropertyDecorator {
  const problem = (value: unknown) => (typeof value === 'string' ? databaseUrlProblem(value) : 'DATABASE_URL must be a postgres:// URL');
  return ValidateBy({
    name: 'isDatabaseUrl',
    validator: { validate: (value) => !problem(value), defaultMessage: (args) => problem(args?.value) ?? '' },
  });
}

/** The URI with its password shown as `***`, for logs and banners. */
export function redactPostgresUrl(text: string): string {
  if (!isHostList(text)) {
    const url = new URL(text);
    url.password = url.password ? '***' : '';
    return url.toString();
  }
  const url = parsePostgresUrl(text);
  return formatPostgresUrl(url.password ? { ...url, password: '***' } : url);
}

/** The servers and database a URL names, without user or parameters: `host:port/db` (or `a:1,b:2/db` for a host list). */
export function postgresEndpoint(text: string): string {
  if (!isHostList(text)) {
    const url = new URL(text);
    return `${url.hostname}:${url.port}${url.pathname}`;
  }
  const url = parsePostgresUrl(text);
  return formatPostgresUrl({ scheme: url.scheme, hosts: url.hosts, database: url.database, params: [] }).replace(
    /^[a-z]+:\/\//,
    '',
  );
}
