import { runStandalone } from '@workgate/messaging';
import { ApprovalsModule } from './approvals.module';

void runStandalone('approvals', (ctx) => ApprovalsModule.register(ctx));
