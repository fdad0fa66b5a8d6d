import { runStandalone } from '@workgate/messaging';
import { IntakeModule } from './intake.module';

void runStandalone('intake', (ctx) => IntakeModule.register(ctx));
