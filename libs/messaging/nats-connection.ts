import { connect, NatsConnection } from 'nats';

interface Shared {
  connection: Promise<NatsConnection>;
  users: number;
}

const shared = new Map<string, Shared>();

/**
 * The servers of a `NATS_URL` and the credentials it carries, if any: `nats://user:password@host:port`
 * (URL-encoded; every URL of a cluster list may carry them, the first one that does counts). The
 * nats client ignores credentials inside a server URL, so they are taken out and sent as user/pass.
 */
export function natsServers(url: string): { servers: string[]; user?: string; pass?: string } {
  let user: string | undefined;
  let pass: string | undefined;
  const servers = url.split(',').map((server) => {
    const m = /^(nats:\/\/)([^@/]*)@(.*)$/.exec(server.trim());
    if (!m) return server.trim();
    const colon = m[2].indexOf(':');
    if (user === undefined) {
      user = decodeURIComponent(colon < 0 ? m[2] : m[2].slice(0, colon));
      pass = colon < 0 ? undefined : decodeURIComponent(m[2].slice(colon + 1));
    }
    return `${m[1]}${m[3]}`;
  });
  return { servers, ...(user ? { user, pass } : {}) };
}

/** A NATS_URL fit for a log line: credentials left out. */
export function redactNatsUrl(url: string): string {
  return url.replace(/nats:\/\/[^@,/]*@/g, 'nats://');
}

/**
 * One NATS connection per process: every service started in this process borrows the same
 * connection for the same URL. `release` closes it when the last borrower is done.
 */
export async function borrowNats(url: string, name = 'workgate'): Promise<NatsConnection> {
  let entry = shared.get(url);
  if (!entry) {
    entry = {
      users: 0,
      connection: connect({
        ...natsServers(url),
        name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        waitOnFirstConnect: false,
        timeout: 5000,
      }),
    };
    shared.set(url, entry);
    entry.connection.catch(() => shared.delete(url));
  }
  entry.users += 1;
  return entry.connection;
}

export async function releaseNats(url: string): Promise<void> {
  const entry = shared.get(url);
  if (!entry) return;
  entry.users -= 1;
  if (entry.users > 0) return;
  shared.delete(url);
  const nc = await entry.connection.catch(() => undefined);
  if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
}
