import { DynamicModule, Module } from '@nestjs/common';
import { ServiceContext, ServiceCoreModule } from '@workgate/messaging';
import { AppendListener } from './append.listener';
import { LedgerController } from './ledger.controller';
import { Checkpointer } from './checkpointer';
import { LedgerHealth } from './ledger-health';
import { LedgerRelay } from './ledger-relay';
import { LedgerStore } from './ledger-store';
import { ProofsController } from './proofs.controller';
import { ViewStatusController } from './view-status.controller';

@Module({})
export class LedgerModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: LedgerModule,
      imports: [ServiceCoreModule.forService(ctx)],
      controllers: [LedgerController, ProofsController, ViewStatusController],
      providers: [LedgerStore, AppendListener, LedgerRelay, LedgerHealth, Checkpointer],
    };
  }
}
