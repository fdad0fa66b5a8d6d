import { connect, NatsConnection } from 'nats';

interface Shared {
  connection: Promise<NatsConnection>;
  users: number;
}

const shared = new Map<string, Shared>();

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
        servers: url.split(','),
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
