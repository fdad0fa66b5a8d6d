import { userInfo } from 'node:os';
import { formatPostgresUrl, isHostList, parsePostgresUrl, PostgresUrl } from '@workgate/config';
import { Client, ClientConfig, Pool, PoolClient, PoolConfig, types } from 'pg';
import { FailoverClient, FailoverClientConfig, hostPlan, pinnedUrl } from './pg-hosts';

// Positions and counts are bigint in Postgres; they stay far below 2^53 here.
types.setTypeParser(types.builtins.INT8, (value: string) => Number(value));

export interface PgOptions {
  /**
   * Log in as this role instead of the URL's user (a login role that is neither superuser nor the
   * tables' owner, made by the migrations), with WORKGATE_DB_PASSWORD when the server asks for one.
   * Empty: the URL's user.
   */
  role?: string;
  max?: number;
  applicationName?: string;
}

/** Like libpq: with no user in the URL (nor PGUSER), connect as the operating-system user. */
export function withDefaultUser(connectionString: string): string {
  const hostList = isHostList(connectionString);
  const url = hostList ? undefined : new URL(connectionString);
  if (hostList ? parsePostgresUrl(connectionString).user : url?.username) return connectionString;
  let user = process.env.PGUSER;
  try {
    user ??= userInfo().username;
  } catch {
    return connectionString;
  }
  if (!url) return edited(connectionString, (u) => (u.user = user));
  url.username = encodeURIComponent(user);
  return url.toString();
}

/** A host list URL (which WHATWG `URL` cannot read) changed by `edit`. */
function edited(connectionString: string, edit: (url: PostgresUrl) => void): string {
  const url = parsePostgresUrl(connectionString);
  edit(url);
  return formatPostgresUrl(url);
}

/**
 * A URL's session settings. A host list, `target_session_attrs` or `connect_timeout` makes a host
 * plan (docs/operations.md, Running a fleet); any other URL goes to pg as it is.
 */
function connectionConfig(connectionString: string, options: PgOptions): FailoverClientConfig {
  const url = options.role ? asRole(connectionString, options.role) : withDefaultUser(connectionString);
  const settings: ClientConfig = {
    options: '-c TimeZone=UTC',
    application_name: options.applicationName ?? 'workgate',
  };
  const plan =
    isHostList(url) || /[?&](target_session_attrs|connect_timeout)=/.test(url)
      ? hostPlan(parsePostgresUrl(url), settings)
      : undefined;
  return plan ? { ...settings, hostPlan: plan } : { ...settings, connectionString: url };
}

/**
 * The URL with the service role as its user (and WORKGATE_DB_PASSWORD as its password): the session
 * user is that role, so no `RESET ROLE` or `SET ROLE` can take another's privileges.
 */
function asRole(connectionString: string, role: string): string {
  if (isHostList(connectionString))
    return edited(connectionString, (u) => {
      u.user = role;
      u.password = process.env.WORKGATE_DB_PASSWORD || undefined;
    });
  const url = new URL(connectionString);
  url.username = encodeURIComponent(role);
  url.password = process.env.WORKGATE_DB_PASSWORD ? encodeURIComponent(process.env.WORKGATE_DB_PASSWORD) : '';
  return url.toString();
}

export function createPool(connectionString: string, options: PgOptions = {}): Pool {
  const config: PoolConfig & FailoverClientConfig = {
    ...connectionConfig(connectionString, options),
    max: options.max ?? 8,
    Client: FailoverClient,
  };
  const pool = new Pool(config);
  // An idle client that loses its connection must not crash the process; the pool drops it.
  pool.on('error', () => undefined);
  retireWithReadOnlySiblings(pool);
  return pool;
}

/**
 * When one session finds its server read-only (a demoted or fenced primary), the idle sessions on
 * that server are dropped too, so the next checkouts connect afresh through the host list.
 */
function retireWithReadOnlySiblings(pool: Pool): void {
  const idle = new Set<FailoverClient>();
  const track = (client: unknown, isIdle: boolean) => {
    if (!(client instanceof FailoverClient)) return;
    if (isIdle) idle.add(client);
    else idle.delete(client);
  };
  pool.on('connect', (client) => {
    if (client instanceof FailoverClient)
      client.whenReadOnly = (server) => {
        for (const sibling of idle) if (sibling !== client && sibling.server === server) sibling.retire();
      };
  });
  pool.on('acquire', (client) => track(client, false));
  pool.on('release', (_error, client) => track(client, true));
  pool.on('remove', (client) => track(client, false));
}

export function createClient(connectionString: string, options: PgOptions = {}): Client {
  return new FailoverClient(connectionConfig(connectionString, options));
}

/**
 * For tools that take one server (the migrations' TypeORM): a host list URL narrowed to the server
 * a session reaches through it now; any other URL as it is.
 */
export async function pinToServer(connectionString: string): Promise<string> {
  if (!isHostList(connectionString)) return connectionString;
  const client = new FailoverClient(connectionConfig(connectionString, {}));
  await client.connect();
  await client.end();
  return pinnedUrl(connectionString, client.server);
}

/** The same URL pointing at another database (e.g. `postgres` for CREATE DATABASE). */
export function withDatabase(connectionString: string, database: string): string {
  if (isHostList(connectionString)) return edited(connectionString, (u) => (u.database = database));
  const url = new URL(connectionString);
  url.pathname = `/${database}`;
  return url.toString();
}

export function databaseName(connectionString: string): string {
  if (isHostList(connectionString)) return parsePostgresUrl(connectionString).database || 'postgres';
  return decodeURIComponent(new URL(connectionString).pathname.replace(/^\//, '')) || 'postgres';
}

/**
 * Runs `work` in a transaction on one pooled connection: committed when it returns, rolled back when
 * it throws. While a client is checked out the pool does not listen for its errors: a connection
 * Postgres ends between two statements (the server stopping while `work` runs in Node) would be an
 * unhandled 'error' event and end the process. Here it fails the transaction, and the broken client
 * is dropped from the pool.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error) => (lost = error);
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.removeListener('error', onError);
    client.release(lost);
  }
}
