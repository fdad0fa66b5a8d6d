import { runStandalone } from '@workgate/messaging';
import { LedgerModule } from './ledger.module';

void runStandalone('ledger', (ctx) => LedgerModule.register(ctx));
