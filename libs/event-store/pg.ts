import { userInfo } from 'node:os';
import { Client, ClientConfig, Pool, PoolClient, PoolConfig, types } from 'pg';

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
  const url = new URL(connectionString);
  if (url.username) return connectionString;
  let user = process.env.PGUSER;
  try {
    user ??= userInfo().username;
  } catch {
    return connectionString;
  }
  url.username = encodeURIComponent(user);
  return url.toString();
}

function connectionConfig(connectionString: string, options: PgOptions): ClientConfig {
  return {
    connectionString: options.role ? asRole(connectionString, options.role) : withDefaultUser(connectionString),
    options: '-c TimeZone=UTC',
    application_name: options.applicationName ?? 'workgate',
  };
}

/**
 * The URL with the service role as its user (and WORKGATE_DB_PASSWORD as its password): the session
 * user is that role, so no `RESET ROLE` or `SET ROLE` can take another's privileges.
 */
function asRole(connectionString: string, role: string): string {
  const url = new URL(connectionString);
  url.username = encodeURIComponent(role);
  url.password = process.env.WORKGATE_DB_PASSWORD ? encodeURIComponent(process.env.WORKGATE_DB_PASSWORD) : '';
  return url.toString();
}

export function createPool(connectionString: string, options: PgOptions = {}): Pool {
  const config: PoolConfig = { ...connectionConfig(connectionString, options), max: options.max ?? 8 };
  const pool = new Pool(config);
  // An idle client that loses its connection must not crash the process; the pool drops it.
  pool.on('error', () => undefined);
  return pool;
}

export function createClient(connectionString: string, options: PgOptions = {}): Client {
  return new Client(connectionConfig(connectionString, options));
}

/** The same URL pointing at another database (e.g. `postgres` for CREATE DATABASE). */
export function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${database}`;
  return url.toString();
}

export function databaseName(connectionString: string): string {
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
