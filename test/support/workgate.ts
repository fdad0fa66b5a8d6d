import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, NatsConnection } from 'nats';
import type { ServiceName } from '@workgate/contracts';
import type { WorkgateConfig } from '@workgate/config';
import type * as Config from '@workgate/config';
// The client alone, not the messaging library's index: the services come from dist/ (below).
import { RpcClient } from '../../libs/messaging/rpc-client';
import type * as PromClient from 'prom-client';
import type * as Workgate from '../../cli/workgate';
import type { RunningWorkgate } from '../../cli/workgate';
import { freshDatabase, TestDatabase } from './database';
import { startNatsServer, TestNatsServer } from './nats-server';
import { checkOneWriterPerStream, WriterExemption } from './stream-writers';
import { nodeModule } from './node-require';

const ROOT = join(__dirname, '..', '..');

/**
 * A module of the built workgate (dist/, what `npm start` runs), loaded by Node's own `require`
 * rather than jest's module registry: a jest worker loads the services once and keeps them for its
 * next files, where through jest each file would load them again (about 3 s of CPU a file). The
 * global setup rebuilds dist/ when a source is newer than it.
 */
const built = <T>(file: string): T => nodeModule<T>(join(ROOT, 'dist', file));

const builtWorkgate = built<typeof Workgate>('cli/workgate.js');
const { loadConfig } = built<typeof Config>('libs/config/index.js');

/**
 * The built services read Node's own `process.env`, of which jest gives each file a copy: make it
 * the file's (what it set or deleted) before they start. The jest environment puts it back after
 * the file (test/support/node-require-environment.js).
 */
function applyFileEnv(): void {
  const real = nodeModule<NodeJS.Process>('process').env;
  for (const key of Object.keys(real)) if (!(key in process.env)) delete real[key];
  Object.assign(real, process.env);
}

/** startWorkgate() of the built workgate (cli/workgate.ts): every service in this process. */
export const startWorkgate: typeof builtWorkgate.startWorkgate = (...args) => {
  applyFileEnv();
  return builtWorkgate.startWorkgate(...args);
};

/**
 * A module as the workgates this file starts load it (Node's own require, not jest's): what a test
 * spies on or resets in them (`jest.spyOn(workgateModule<typeof Nest>('@nestjs/common').Logger.prototype, 'warn')`).
 */
export const workgateModule = nodeModule;

/**
 * Zeroes the metrics of this process (prom-client's registry is one per process, where every
 * workgate this jest worker started counted), as a workgate's own process starts with them.
 */
export function resetProcessMetrics(): void {
  nodeModule<typeof PromClient>('prom-client').register.resetMetrics();
}

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

/**
 * The thread switches: off unless the test run sets them (e.g. WORKGATE_LEDGER_THREAD=on npx jest ...).
 * A thread loads the built services again (about 1.3 s of CPU a start, and a restart is a start);
 * on the main thread they are the ones this jest worker already loaded. The arrangement `npm start`
 * runs (threads on) is the shared workgates' (test/support/shared-workgate.ts), and the files about
 * the threads themselves say `ledgerThread` / `intakeThread`.
 */
const threadEnv = (): Record<string, string> => ({
  WORKGATE_LEDGER_THREAD: process.env.WORKGATE_LEDGER_THREAD ?? 'off',
  WORKGATE_INTAKE_THREAD: process.env.WORKGATE_INTAKE_THREAD ?? 'off',
});

/**
 * Every service in one process on a scratch nats-server and a fresh database, with the shipped
 * workflows. The ledger and intake run on the main thread (threadEnv above) unless `ledgerThread` /
 * `intakeThread` or the run's WORKGATE_LEDGER_THREAD / WORKGATE_INTAKE_THREAD say otherwise.
 */
export async function startTestWorkgate(
  options: {
    env?: Record<string, string>;
    without?: ServiceName[];
    ledgerThread?: boolean;
    intakeThread?: boolean;
    /** The port to listen on (default: any free one). */
    port?: number;
    /**
     * The services loaded through jest from the sources, sharing this file's modules, for a test
     * that reaches into them in-process (their in-process routes); otherwise the built ones.
     */
    sources?: boolean;
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
    WORKGATE_WORKFLOWS_DIR: join(ROOT, 'workflows'),
    WORKGATE_PATTERNS_DIR: join(ROOT, 'patterns'),
    WORKGATE_DATA_DIR: dataDir,
    ...threadEnv(),
    ...options.env,
  });
  const begin = options.sources ? (await import('../../cli/workgate')).startWorkgate : startWorkgate;
  const start = () =>
    begin(config, {
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
