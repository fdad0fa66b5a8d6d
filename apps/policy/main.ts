import { runStandalone } from '@workgate/messaging';
import { PolicyModule } from './policy.module';

void runStandalone('policy', (ctx) => PolicyModule.register(ctx));
