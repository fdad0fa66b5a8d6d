import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, NatsConnection } from 'nats';
import { ServiceName } from '@workgate/contracts';
import { loadConfig, WorkgateConfig } from '@workgate/config';
import { RpcClient } from '@workgate/messaging';
import { RunningWorkgate, startWorkgate } from '../../cli/workgate';
import { freshDatabase, TestDatabase } from './database';
import { startNatsServer, TestNatsServer } from './nats-server';

export interface TestWorkgate {
  nats: TestNatsServer;
  db: TestDatabase;
  workgate: RunningWorkgate;
  config: WorkgateConfig;
  /** A client connection of the test's own. */
  nc: NatsConnection;
  /** Requests over NATS (never answered in-process), as another process would send them. */
  rpc: RpcClient;
  url: string;
  /** Stops workgate and starts it again on the same NATS and database (after `whileDown`, when given). */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** The thread switches a test run may set (e.g. WORKGATE_INTAKE_THREAD=off npx jest ...), as `npm start` reads them. */
const threadEnv = (): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const key of ['WORKGATE_LEDGER_THREAD', 'WORKGATE_INTAKE_THREAD']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
};

/**
 * Every service in one process on a scratch nats-server and a fresh database, with the shipped
 * workflows. The ledger and intake run on threads as `npm start` runs them (its configuration's
 * WORKGATE_LEDGER_THREAD and WORKGATE_INTAKE_THREAD) unless `ledgerThread` / `intakeThread` say.
 */
export async function startTestWorkgate(
  options: {
    env?: Record<string, string>;
    without?: ServiceName[];
    ledgerThread?: boolean;
    intakeThread?: boolean;
  } = {},
): Promise<TestWorkgate> {
  const nats = await startNatsServer();
  const db = await freshDatabase();
  // Its own data directory (signing key, kept checkpoints), removed at close.
  const dataDir = mkdtempSync(join(tmpdir(), 'wg-data-'));
  const config = loadConfig({
    DATABASE_URL: db.url,
    NATS_URL: nats.url,
    LOG_LEVEL: 'silent',
    WORKGATE_WORKFLOWS_DIR: join(__dirname, '..', '..', 'workflows'),
    WORKGATE_DATA_DIR: dataDir,
    ...threadEnv(),
    ...options.env,
  });
  const start = () =>
    startWorkgate(config, {
      port: 0,
      without: options.without,
      ledgerThread: options.ledgerThread ?? config.WORKGATE_LEDGER_THREAD === 'on',
      intakeThread: options.intakeThread ?? config.WORKGATE_INTAKE_THREAD === 'on',
    });
  const workgate = await start();
  const nc = await connect({ servers: nats.url });
  const t: TestWorkgate = {
    nats,
    db,
    config,
    workgate,
    nc,
    rpc: new RpcClient(nc, 5000, false),
    url: '',
    restart: async (whileDown) => {
      await t.workgate.close();
      await whileDown?.();
      t.workgate = await start();
      t.url = t.workgate.url;
    },
    close: async () => {
      await t.nc.close();
      await t.workgate.close();
      await db.drop();
      await nats.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  t.url = t.workgate.url;
  return t;
}
