import { ServiceName } from '@workgate/contracts';
import { ServiceModuleFactory } from '@workgate/messaging';
import { ApprovalsModule } from '../apps/approvals/approvals.module';
import { ExceptionsModule } from '../apps/exceptions/exceptions.module';
import { IntakeModule } from '../apps/intake/intake.module';
import { LedgerModule } from '../apps/ledger/ledger.module';
import { PolicyModule } from '../apps/policy/policy.module';

export { startGateway } from '../apps/gateway/gateway';

/**
 * Every NATS service, in start order: the ledger first (the others read and append through it),
 * the catalog before policy. Loaded by startWorkgate (workgate.ts) once the ledger's thread is
 * loading its own modules.
 */
export const SERVICE_MODULES: Array<[Exclude<ServiceName, 'gateway'>, ServiceModuleFactory]> = [
  ['ledger', (ctx) => LedgerModule.register(ctx)],
  ['exceptions', (ctx) => ExceptionsModule.register(ctx)],
  ['policy', (ctx) => PolicyModule.register(ctx)],
  ['approvals', (ctx) => ApprovalsModule.register(ctx)],
  ['intake', (ctx) => IntakeModule.register(ctx)],
];
