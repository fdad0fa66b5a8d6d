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
import { checkOneWriterPerStream, WriterExemption } from './stream-writers';

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
  /**
   * Leaves a stream the test writes around the services on purpose out of the one-writer check
   * that close() makes (docs/ledger.md, Table: metadata.producer), saying why.
   */
  exemptWriters(stream: string | RegExp, why: string): void;
  /** Stops everything; fails when a stream of the ledger has no ONE named writer (see checkOneWriterPerStream). */
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
    /** The port to listen on (default: any free one). */
    port?: number;
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
    WORKGATE_PATTERNS_DIR: join(__dirname, '..', '..', 'patterns'),
    WORKGATE_DATA_DIR: dataDir,
    ...threadEnv(),
    ...options.env,
  });
  const start = () =>
    startWorkgate(config, {
      port: options.port ?? 0,
      without: options.without,
      ledgerThread: options.ledgerThread ?? config.WORKGATE_LEDGER_THREAD === 'on',
      intakeThread: options.intakeThread ?? config.WORKGATE_INTAKE_THREAD === 'on',
    });
  const workgate = await start();
  const nc = await connect({ servers: nats.url });
  const exemptions: WriterExemption[] = [];
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
    exemptWriters: (stream, why) => void exemptions.push({ stream, why }),
    close: async () => {
      await t.nc.close();
      await t.workgate.close();
      // Everything is written: every stream must have had one writer, before the database goes.
      const checked = await checkOneWriterPerStream(db.name, exemptions).then(
        () => undefined,
        (error: Error) => error,
      );
      await db.drop();
      await nats.stop();
      rmSync(dataDir, { recursive: true, force: true });
      if (checked) throw checked;
    },
  };
  t.url = t.workgate.url;
  return t;
}
