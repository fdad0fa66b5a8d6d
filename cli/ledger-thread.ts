import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { INestMicroservice, Logger } from '@nestjs/common';
import { loadConfig } from '@workgate/config';
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

/**
 * The ledger service on its own thread inside the one workgate process: group commit, hashing,
 * the relay and the projections get the second core. It is the same Nest microservice on NATS
 * (its own connection: a thread is its own runtime); the services of the main thread reach its
 * request/reply routes through a message port (no encoding, no trip through nats-server), and
 * other processes over NATS.
 */
async function main(): Promise<void> {
  const config = loadConfig(workerData.env as NodeJS.ProcessEnv);
  Logger.overrideLogger(workgateLogger(config.LOG_LEVEL));
  startTracing('workgate'); // a thread has its own tracing globals
  const nc = await borrowNats(config.NATS_URL, 'workgate-ledger-thread');
  let app: INestMicroservice | undefined;
  let stopOffering: (() => void) | undefined;
  parentPort!.on('message', async (message) => {
    if (message !== 'stop') return;
    stopOffering?.();
    await app?.close();
    await releaseNats(config.NATS_URL);
    await stopTracing();
    parentPort!.postMessage('stopped');
  });
  app = await startMicroservice((ctx) => LedgerModule.register(ctx), {
    service: 'ledger',
    instance: workerData.instance ?? randomUUID(),
    config,
    nc,
  });
  stopOffering = offerLocalRoutes(workerData.routes);
  parentPort!.postMessage('ready');
}

main().catch((error) => {
  parentPort!.postMessage({ error: (error as Error).message });
});
