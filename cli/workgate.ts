import { randomUUID } from 'node:crypto';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { ServiceName } from '@workgate/contracts';
import { WorkgateConfig } from '@workgate/config';
import { borrowNats, ensureStreams, releaseNats, ServiceContext, ServiceModuleFactory, startMicroservice } from '@workgate/messaging';
import { ApprovalsModule } from '../apps/approvals/approvals.module';
import { ExceptionsModule } from '../apps/exceptions/exceptions.module';
import { startGateway } from '../apps/gateway/gateway';
import { IntakeModule } from '../apps/intake/intake.module';
import { LedgerModule } from '../apps/ledger/ledger.module';
import { PolicyModule } from '../apps/policy/policy.module';

/** Every NATS service, in start order: the ledger first (the others read and append through it), the catalog before policy. */
export const SERVICE_MODULES: Array<[Exclude<ServiceName, 'gateway'>, ServiceModuleFactory]> = [
  ['ledger', (ctx) => LedgerModule.register(ctx)],
  ['exceptions', (ctx) => ExceptionsModule.register(ctx)],
  ['policy', (ctx) => PolicyModule.register(ctx)],
  ['approvals', (ctx) => ApprovalsModule.register(ctx)],
  ['intake', (ctx) => IntakeModule.register(ctx)],
];

export interface RunningWorkgate {
  url: string;
  close(): Promise<void>;
}

/**
 * Everything in one process: each service is still its own Nest microservice in its own queue
 * group; they share the process's one NATS connection. Closes in reverse order.
 */
export async function startWorkgate(
  config: WorkgateConfig,
  options: { port?: number; /** Leave these out (e.g. to run one as its own process). */ without?: ServiceName[] } = {},
): Promise<RunningWorkgate> {
  const nc = await borrowNats(config.NATS_URL, 'workgate');
  await ensureStreams(nc);
  const instance = randomUUID();
  const ctx = (service: ServiceName): ServiceContext => ({ service, instance, config, nc });
  const apps: INestApplicationContext[] = [];
  try {
    for (const [service, factory] of SERVICE_MODULES) {
      if (!options.without?.includes(service)) apps.push(await startMicroservice(factory, ctx(service)));
    }
    const gateway = await startGateway(ctx('gateway'), options.port ?? config.PORT);
    apps.push(gateway);
    const url = (await gateway.getUrl()).replace('[::1]', '127.0.0.1');
    return {
      url,
      close: async () => {
        for (const app of apps.reverse()) await app.close().catch((e) => new Logger('workgate').error(e));
        await releaseNats(config.NATS_URL);
      },
    };
  } catch (error) {
    for (const app of apps.reverse()) await app.close().catch(() => undefined);
    await releaseNats(config.NATS_URL);
    throw error;
  }
}
