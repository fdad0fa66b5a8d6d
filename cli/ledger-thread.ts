import { randomUUID } from 'node:crypto';
import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { INestMicroservice, Logger } from '@nestjs/common';
import { loadConfig } from '@workgate/config';
import { isPlainObject } from '@workgate/contracts';
import {
  borrowNats,
  offerLocalRoutes,
  releaseNats,
  startMicroservice,
  startTracing,
  stopTracing,
  workgateLogger,
} from '@workgate/messaging';
import { LedgerModule } from '../apps/ledger/ledger.module';

/** What the main thread hands the ledger thread: its environment, its instance id, the port of its routes. */
export interface LedgerThreadData {
  env: Record<string, string | undefined>;
  instance?: string;
  routes: MessagePort;
}

const isLedgerThreadData = (value: unknown): value is LedgerThreadData =>
  isPlainObject(value) &&
  isPlainObject(value.env) &&
  (value.instance === undefined || typeof value.instance === 'string') &&
  value.routes instanceof MessagePort;

/**
 * The ledger service on its own thread inside the one workgate process: group commit, hashing,
 * the relay and the projections get the second core. It is the same Nest microservice on NATS
 * (its own connection: a thread is its own runtime); the services of the main thread reach its
 * request/reply routes through a message port (no encoding, no trip through nats-server), and
 * other processes over NATS.
 */
async function main(port: MessagePort): Promise<void> {
  const data: unknown = workerData;
  if (!isLedgerThreadData(data)) throw new Error('the ledger thread was started without its environment and routes');
  const config = loadConfig(data.env);
  Logger.overrideLogger(workgateLogger(config.LOG_LEVEL));
  startTracing('workgate'); // a thread has its own tracing globals
  const nc = await borrowNats(config.NATS_URL, 'workgate-ledger-thread');
  /** What a stop has to stop, once it has started. */
  const running: { app?: INestMicroservice; stopOffering?: () => void } = {};
  const stop = async (): Promise<void> => {
    running.stopOffering?.();
    await running.app?.close();
    await releaseNats(config.NATS_URL);
    await stopTracing();
    port.postMessage('stopped');
  };
  port.on('message', (message) => {
    if (message === 'stop') void stop();
  });
  running.app = await startMicroservice((ctx) => LedgerModule.register(ctx), {
    service: 'ledger',
    instance: data.instance ?? randomUUID(),
    config,
    nc,
  });
  running.stopOffering = offerLocalRoutes(data.routes);
  port.postMessage('ready');
}

if (parentPort) {
  const port = parentPort;
  main(port).catch((error) => port.postMessage({ error: (error as Error).message }));
}
