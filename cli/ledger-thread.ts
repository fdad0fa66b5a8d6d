import { randomUUID } from 'node:crypto';
import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { INestMicroservice, Logger } from '@nestjs/common';
import { loadConfig } from '@workgate/config';
import { isPlainObject } from '@workgate/contracts';
import {
  answerThreadMetrics,
  errorMessage,
  borrowNats,
  offerLocalRoutes,
  releaseNats,
  ServiceContext,
  startMicroservice,
  startTracing,
  stopTracing,
  useOfferedRoutes,
  workgateLogger,
} from '@workgate/messaging';
import { IntakeModule } from '../apps/intake/intake.module';
import { LedgerModule } from '../apps/ledger/ledger.module';

/**
 * What the main thread hands the ledger thread: its environment, its instance id, the port of its
 * routes and the port through which the main thread offers its own routes to this thread's services.
 */
export interface LedgerThreadData {
  env: Record<string, string | undefined>;
  instance?: string;
  routes: MessagePort;
  mainRoutes: MessagePort;
}

/**
 * What the main thread says to the ledger thread: `'serve'` first, once the streams exist (the
 * thread loads its modules before, while the main thread loads its own), answered `'ready'` once
 * the ledger serves, or `{ error }`; then start intake here (answered `{ started: 'intake' }` or
 * `{ error }`), stop it (answered `{ stopped: 'intake' }`), stop everything (answered `'stopped'`).
 */
export type LedgerThreadOrder = 'serve' | { start: 'intake' } | { stop: 'intake' } | 'stop';

const isLedgerThreadData = (value: unknown): value is LedgerThreadData =>
  isPlainObject(value) &&
  isPlainObject(value.env) &&
  (value.instance === undefined || typeof value.instance === 'string') &&
  value.routes instanceof MessagePort &&
  value.mainRoutes instanceof MessagePort;

/**
 * The ledger service on its own thread inside the one workgate process: group commit, hashing,
 * the relay and the projections get the second core. It is the same Nest microservice on NATS
 * (its own connection: a thread is its own runtime); the services of the main thread reach its
 * request/reply routes through a message port (no encoding, no trip through nats-server), and
 * other processes over NATS. Told to, it runs intake too (WORKGATE_INTAKE_THREAD): work-order
 * decisions and their commits then leave the thread that serves HTTP, and intake's commits reach
 * the writer without crossing a thread; intake reaches the main thread's services (policy,
 * exceptions) through the second port.
 */
async function main(port: MessagePort): Promise<void> {
  const data: unknown = workerData;
  if (!isLedgerThreadData(data)) throw new Error('the ledger thread was started without its environment and routes');
  const config = loadConfig(data.env);
  Logger.overrideLogger(workgateLogger(config.LOG_LEVEL));
  startTracing('workgate'); // a thread has its own tracing globals
  const nc = await borrowNats(config.NATS_URL, 'workgate-ledger-thread');
  const ctx = (service: ServiceContext['service']): ServiceContext => ({
    service,
    instance: data.instance ?? randomUUID(),
    config,
    nc,
  });
  const mainRoutes = useOfferedRoutes(data.mainRoutes);
  /** What a stop has to stop, once it has started. */
  const running: { app?: INestMicroservice; intake?: INestMicroservice; stopOffering?: () => void } = {};
  // The metrics counted here (intake's, the ledger's refusals) reach the gateway's /metrics through the routes.
  const stopMetrics = answerThreadMetrics();
  const stopIntake = async (): Promise<void> => {
    const intake = running.intake;
    running.intake = undefined;
    await intake?.close();
  };
  const serve = async (): Promise<void> => {
    running.app = await startMicroservice((c) => LedgerModule.register(c), ctx('ledger'));
    running.stopOffering = offerLocalRoutes(data.routes);
    port.postMessage('ready');
  };
  const stop = async (): Promise<void> => {
    await stopIntake();
    stopMetrics();
    running.stopOffering?.();
    await running.app?.close();
    mainRoutes.close();
    await releaseNats(config.NATS_URL);
    await stopTracing();
    port.postMessage('stopped');
  };
  port.on('message', (order: LedgerThreadOrder) => {
    if (order === 'serve') serve().catch((error: unknown) => port.postMessage({ error: errorMessage(error) }));
    else if (order === 'stop') void stop();
    else if ('start' in order)
      startMicroservice((c) => IntakeModule.register(c), ctx('intake')).then(
        (intake) => {
          running.intake = intake;
          port.postMessage({ started: 'intake' });
        },
        (error: unknown) => port.postMessage({ error: errorMessage(error) }),
      );
    else void stopIntake().then(() => port.postMessage({ stopped: 'intake' }));
  });
}

if (parentPort) {
  const port = parentPort;
  main(port).catch((error) => port.postMessage({ error: errorMessage(error) }));
}
