import { EventEmitter } from 'node:events';
import {
  formatPostgresUrl,
  parsePostgresUrl,
  postgresParam,
  PostgresUrl,
  TargetSessionAttrs,
  TARGET_SESSION_ATTRS,
} from '@workgate/config';
import { Client, ClientConfig } from 'pg';

/**
 * libpq's host list for node-postgres (docs/operations.md, Running a fleet): the hosts are tried in
 * their order, each for at most `connect_timeout` seconds, and a session is kept on the first that
 * answers and suits `target_session_attrs`.
 */
export interface HostPlan {
  targetSessionAttrs: TargetSessionAttrs;
  /** One connection config per host, in the URL's order. */
  attempts: Array<{ server: string; config: ClientConfig }>;
}

/** SQLSTATE read_only_sql_transaction: the server answers, but takes no writes (a standby, or a fenced primary). */
export const READ_ONLY_SQLSTATE = '25006';

/** The URL's host plan, or undefined for a URL with one host and no libpq session attributes (a plain connection). */
export function hostPlan(url: PostgresUrl, extra: ClientConfig): HostPlan | undefined {
  const attrs = postgresParam(url, 'target_session_attrs') ?? 'any';
  const targetSessionAttrs = TARGET_SESSION_ATTRS.find((known) => known === attrs) ?? 'any';
  const timeout = postgresParam(url, 'connect_timeout');
  if (url.hosts.length <= 1 && targetSessionAttrs === 'any' && timeout === undefined) return undefined;
  // libpq: 0 (or none) waits as long as the system does; under 2 seconds counts as 2.
  const seconds = Number(timeout ?? 0);
  const connectionTimeoutMillis = seconds > 0 ? Math.max(seconds, 2) * 1000 : undefined;
  const params = url.params.filter(([k]) => k !== 'target_session_attrs' && k !== 'connect_timeout');
  const hosts = url.hosts.length ? url.hosts : [{ host: '' }];
  return {
    targetSessionAttrs,
    attempts: hosts.map((host) => ({
      server: `${host.host || 'localhost'}:${host.port ?? 5432}`,
      config: {
        ...extra,
        connectionString: formatPostgresUrl({ ...url, hosts: host.host ? [host] : [], params }),
        connectionTimeoutMillis,
      },
    })),
  };
}

/** The URL naming only the server a plan's session reached, for tools that take one host (the migrations). */
export function pinnedUrl(connectionString: string, server: string): string {
  const url = parsePostgresUrl(connectionString);
  const params = url.params.filter(([k]) => k !== 'target_session_attrs' && k !== 'connect_timeout');
  const host = url.hosts.find((h) => `${h.host || 'localhost'}:${h.port ?? 5432}` === server);
  return formatPostgresUrl({ ...url, hosts: host ? [host] : url.hosts.slice(0, 1), params });
}

/** An error's message, whichever realm made it (a socket's errors are not this realm's `Error` under a test runner). */
const messageOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
    ? error.message
    : String(error);

// A type, not an interface: query rows are records.
type ServerRole = { readOnly: boolean; inRecovery: boolean };

function suits(attrs: TargetSessionAttrs, role: ServerRole, pass: number): boolean {
  switch (attrs) {
    case 'read-write':
      return !role.readOnly;
    case 'read-only':
      return role.readOnly;
    case 'primary':
      return !role.inRecovery;
    case 'standby':
      return role.inRecovery;
    case 'prefer-standby':
      return pass > 0 || role.inRecovery;
    default:
      return true;
  }
}

/** What EventEmitter keeps on an instance: a host attempt keeps the listeners registered on the client. */
const EMITTER_KEYS = new Set(Reflect.ownKeys(new EventEmitter()));

export interface FailoverClientConfig extends ClientConfig {
  hostPlan?: HostPlan;
}

type ConnectCallback = (err: Error | null, client?: Client) => void;

/**
 * A pg Client that reaches its server through a host plan, and that leaves the pool once the server
 * answers read-only (docs/operations.md, Running a fleet): after the statement that met SQLSTATE
 * 25006 the session ends, so the pool drops it on release and the next checkout connects afresh.
 * Pools make it with `new Pool({ Client: FailoverClient, hostPlan })`.
 */
export class FailoverClient extends Client {
  private readonly plan?: HostPlan;
  /** `host:port` of the server this session reached. */
  server = '';
  private leaving = false;
  /** Told when the server answers read-only (its pool drops the idle sessions on that server). */
  whenReadOnly?: (server: string) => void;

  constructor(config: FailoverClientConfig = {}) {
    const { hostPlan: plan, ...rest } = config;
    super(plan ? { ...rest, ...plan.attempts[0].config } : rest);
    this.plan = plan;
    this.server = plan?.attempts[0].server ?? `${this.host}:${this.port}`;
  }

  override connect(): Promise<Client>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<Client> | void {
    const connected = this.reach().then(() => {
      this.connection.on('errorMessage', (message: { code?: string }) => {
        if (message.code === READ_ONLY_SQLSTATE) this.answeredReadOnly();
      });
      return this;
    });
    if (!callback) return connected;
    connected.then(
      (client) => callback(null, client),
      (error: Error) => callback(error),
    );
  }

  /** Ends the session once the statement in flight has its answer; a pooled one is then dropped on release. */
  private answeredReadOnly(): void {
    if (this.leaving) return;
    this.leaving = true;
    this.connection.once('readyForQuery', () => void this.end().catch(() => undefined));
    this.whenReadOnly?.(this.server);
  }

  /** Drops the connection of an idle session (its pool removes it, seeing the error). */
  retire(): void {
    this.connection.stream.destroy();
  }

  private async reach(): Promise<void> {
    if (!this.plan) {
      await super.connect();
      return;
    }
    const { attempts, targetSessionAttrs } = this.plan;
    const failures: string[] = [];
    // A connection error while a session is weighed is that attempt's failure, not the process's.
    const swallow = () => undefined;
    this.on('error', swallow);
    try {
      let used = false;
      for (let pass = 0; pass < (targetSessionAttrs === 'prefer-standby' ? 2 : 1); pass++)
        for (const attempt of attempts) {
          if (used) this.startOver(attempt.config);
          used = true;
          this.server = attempt.server;
          const why = await this.tryServer(targetSessionAttrs, pass);
          if (!why) return;
          failures.push(`${attempt.server} ${why}`);
        }
    } finally {
      this.removeListener('error', swallow);
    }
    throw new Error(`no host of the database URL took a ${targetSessionAttrs} session: ${failures.join('; ')}`);
  }

  /** Undefined when this server suits; otherwise why not (the connection is closed by then). */
  private async tryServer(attrs: TargetSessionAttrs, pass: number): Promise<string | undefined> {
    try {
      await super.connect();
    } catch (error) {
      await this.closed();
      return `did not answer: ${messageOf(error)}`;
    }
    try {
      if (attrs === 'any') return undefined;
      const { rows } = await super.query<ServerRole>(
        `SELECT current_setting('transaction_read_only') = 'on' AS "readOnly", pg_is_in_recovery() AS "inRecovery"`,
      );
      if (suits(attrs, rows[0], pass)) return undefined;
      await super.end();
      await this.closed();
      return rows[0].inRecovery ? 'is a standby' : rows[0].readOnly ? 'is read-only' : 'is a primary';
    } catch (error) {
      await this.closed();
      return `failed: ${messageOf(error)}`;
    }
  }

  /**
   * Resolves once this attempt's connection has ended as the client sees it (its `end`, which the
   * client handles as the end of whatever attempt is connecting then): a refused connection reports
   * its socket closed before it says so, and the next host's attempt must not start before.
   */
  private async closed(): Promise<void> {
    const connection = this.connection;
    // The client marks itself ended when its connection says `end`.
    const ended = Reflect.get(this, '_ended') === true;
    if (!ended) {
      const gone = new Promise((resolve) => connection.once('end', resolve));
      connection.stream.destroy();
      await gone;
    }
    // The client reports its connection's end a tick later.
    await new Promise((resolve) => process.nextTick(resolve));
  }

  /** The state of a new client for the next host, keeping the listeners registered on this one. */
  private startOver(config: ClientConfig): void {
    const fresh = new Client(config);
    for (const key of Reflect.ownKeys(fresh)) {
      const property = Reflect.getOwnPropertyDescriptor(fresh, key);
      if (property && !EMITTER_KEYS.has(key)) Reflect.defineProperty(this, key, property);
    }
  }
}
