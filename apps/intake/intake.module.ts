import { DynamicModule, Module } from '@nestjs/common';
import { ServiceContext, ServiceCoreModule } from '@workgate/messaging';
import { IntakeController } from './intake.controller';
import { HttpIngest } from './http-ingest';
import { IntakeProcessor } from './intake.processor';
import { OutcomeReactions } from './outcomes.reaction';
import { ProofPackages } from './proof-packages.service';
import { RejectionStore } from './rejections';
import { LedgerCommits, LedgerReads } from './ledger-commits';
import { StreamStartAsks } from './stream-start-asks';
import { WorkOrderStore } from './work-order.store';
import { WorkOrdersService } from './work-orders.service';
import { WorkflowVersions } from './workflow-versions';

@Module({})
export class IntakeModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: IntakeModule,
      imports: [ServiceCoreModule.forService(ctx)],
      controllers: [IntakeController],
      providers: [
        WorkflowVersions,
        LedgerCommits,
        LedgerReads,
        StreamStartAsks,
        WorkOrderStore,
        WorkOrdersService,
        RejectionStore,
        IntakeProcessor,
        HttpIngest,
        OutcomeReactions,
        ProofPackages,
      ],
    };
  }
}
