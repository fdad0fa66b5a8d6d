import { randomUUID } from 'node:crypto';
import { join, sep } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { isRecord, ServiceName } from '@workgate/contracts';
import { WorkgateConfig } from '@workgate/config';
import {
  borrowNats,
  ensureStreams,
  offerLocalRoutes,
  releaseNats,
  ServiceContext,
  startMicroservice,
  startTracing,
  useOfferedRoutes,
} from '@workgate/messaging';
import { DefinitionThreads } from '../apps/policy/definition-threads';
import type { LedgerThreadData, LedgerThreadOrder } from './ledger-thread';

export interface RunningWorkgate {
  url: string;
  /** Stops every service, the gateway first and the ledger last; `stopped` hears each one's name once it has stopped. */
  close(stopped?: (what: string) => void): Promise<void>;
}

/**
 * Everything in one process: each service is still its own Nest microservice in its own queue
 * group; they share the process's one NATS connection. Closes in reverse order.
 */
export async function startWorkgate(
  config: WorkgateConfig,
  options: {
    port?: number;
    /** Leave these out (e.g. to run one as its own process). */
    without?: ServiceName[];
    /** Run the ledger on its own thread of this process (the second core); needs the built dist/. */
    ledgerThread?: boolean;
    /** With `ledgerThread`: run intake on that thread too, so the main thread serves HTTP and leaves decisions and commits to it. */
    intakeThread?: boolean;
  } = {},
): Promise<RunningWorkgate> {
  startTracing('workgate'); // when OTEL_EXPORTER_OTLP_ENDPOINT is set
  const instance = randomUUID();
  // The ledger's thread loads its modules on the other core while this one loads the services'
  // (./services); it serves only when told to, once the streams exist, and before any other starts.
  const thread =
    options.ledgerThread && !options.without?.includes('ledger') ? spawnLedgerThread(config, instance) : undefined;
  // Policy's definition thread loads its modules meanwhile too: policy publishes the workflow files through it.
  if (!options.without?.includes('policy')) DefinitionThreads.warm();
  const apps: Array<{ name: string; app: Pick<INestApplicationContext, 'close'> }> = [];
  let nats = false;
  try {
    const services = await import('./services');
    const nc = await borrowNats(config.NATS_URL, 'workgate');
    nats = true;
    await ensureStreams(nc, { replicas: config.WORKGATE_STREAM_REPLICAS });
    const ctx = (service: ServiceName): ServiceContext => ({ service, instance, config, nc });
    for (const [service, factory] of services.SERVICE_MODULES) {
      if (options.without?.includes(service)) continue;
      if (service === 'ledger' && thread) {
        apps.push({ name: 'ledger (its own thread)', app: thread });
        await thread.serve();
      } else if (service === 'intake' && options.intakeThread && thread)
        apps.push({ name: "intake (the ledger's thread)", app: await thread.startIntake() });
      else apps.push({ name: service, app: await startMicroservice(factory, ctx(service)) });
    }
    const gateway = await services.startGateway(ctx('gateway'), options.port ?? config.PORT);
    apps.push({ name: 'gateway', app: gateway });
    const url = (await gateway.getUrl()).replace('[::1]', '127.0.0.1');
    return {
      url,
      close: async (stopped) => {
        for (const { name, app } of apps.reverse()) {
          await app.close().catch((e) => new Logger('workgate').error(e));
          stopped?.(name);
        }
        await releaseNats(config.NATS_URL);
      },
    };
  } catch (error) {
    if (thread && !apps.some(({ app }) => app === thread)) apps.push({ name: 'ledger (its own thread)', app: thread });
    for (const { app } of apps.reverse()) await app.close().catch(() => undefined);
    if (nats) await releaseNats(config.NATS_URL);
    await DefinitionThreads.dropSpare();
    throw error;
  }
}

/**
 * The ledger's thread: `serve` starts the ledger there and resolves once it serves; `close` stops
 * it cleanly (served or not); `startIntake` runs intake there too.
 */
interface LedgerThread extends Pick<INestApplicationContext, 'close'> {
  serve(): Promise<void>;
  startIntake(): Promise<Pick<INestApplicationContext, 'close'>>;
}

/** A field of a message from the thread (its objects may come from another realm: not tested as plain objects). */
const fieldOf = (m: unknown, field: string): unknown => (isRecord(m) ? m[field] : undefined);

/** An error the ledger thread reports, or any other message it was not expected to send now. */
const threadFailure = (m: unknown) => {
  const error = fieldOf(m, 'error');
  return new Error(`ledger thread: ${typeof error === 'string' ? error : JSON.stringify(m)}`);
};

/**
 * Starts the ledger thread (dist/cli/ledger-thread.js): it loads its modules and connects to NATS,
 * then waits for `serve`.
 */
function spawnLedgerThread(config: WorkgateConfig, instance: string): LedgerThread {
  // From dist/cli (built) or cli/ (tests run the sources): the thread always runs the built file.
  const root = __dirname.split(sep).includes('dist') ? join(__dirname, '..', '..') : join(__dirname, '..');
  // The main thread's services reach the ledger's request/reply routes through this port, and the
  // thread's services reach the main thread's through the other.
  const { port1, port2 } = new MessageChannel();
  const routes = useOfferedRoutes(port1);
  const main = new MessageChannel();
  const stopOffering = offerLocalRoutes(main.port1);
  const worker = new Worker(join(root, 'dist', 'cli', 'ledger-thread.js'), {
    workerData: {
      // The configuration as the environment it was read from: the thread reads it the same way.
      env: Object.fromEntries(
        Object.entries(config).map(([key, value]) => [key, value === undefined ? undefined : String(value)]),
      ),
      instance,
      routes: port2,
      mainRoutes: main.port2,
    } satisfies LedgerThreadData,
    transferList: [port2, main.port2],
  });
  // What the thread failed with before it was asked anything (loading, connecting), kept for `serve`.
  let failed: Error | undefined;
  const early = (m: unknown) => (failed ??= threadFailure(m));
  const earlyError = (error: Error) => (failed ??= error);
  worker.once('message', early);
  worker.once('error', earlyError);
  /** Sends `order` and resolves with the thread's answer when `expected` says it is the one. */
  const ask = (order: LedgerThreadOrder, expected: (m: unknown) => boolean) =>
    new Promise<void>((resolve, reject) => {
      worker.once('message', (m: unknown) => (expected(m) ? resolve() : reject(threadFailure(m))));
      worker.postMessage(order);
    });
  const stopRoutes = () => {
    stopOffering();
    main.port1.close();
    routes.close();
  };
  return {
    serve: async () => {
      worker.off('message', early);
      worker.off('error', earlyError);
      if (failed) throw failed;
      await new Promise<void>((resolve, reject) => {
        worker.once('message', (m: unknown) => (m === 'ready' ? resolve() : reject(threadFailure(m))));
        worker.once('error', reject);
        worker.postMessage('serve' satisfies LedgerThreadOrder);
      });
    },
    startIntake: async () => {
      await ask({ start: 'intake' }, (m) => fieldOf(m, 'started') === 'intake');
      return { close: () => ask({ stop: 'intake' }, (m) => fieldOf(m, 'stopped') === 'intake') };
    },
    close: async () => {
      stopRoutes();
      // Its answer, or its end (a thread that failed before it listened ends on its own).
      const stopped = new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage('stop' satisfies LedgerThreadOrder);
      // The bound does not keep the process alive once the thread has stopped.
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 10_000).unref())]);
      await worker.terminate();
    },
  };
}
