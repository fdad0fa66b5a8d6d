import { runStandalone } from '@workgate/messaging';
import { ExceptionsModule } from './exceptions.module';

void runStandalone('exceptions', (ctx) => ExceptionsModule.register(ctx));
