import { Injectable } from '@nestjs/common';
import { DueTimer, idOfStream, TimerKinds } from '@workgate/contracts';
import { exceptions } from '@workgate/domain';
import { DueTimerScheduler, handle, RpcClient } from '@workgate/messaging';
import { escalationRule } from './catalog-entries';
import { ExceptionCatalog } from './exception-catalog';
import { ExceptionsStore } from './exceptions.store';

/**
 * Records an SLA breach once for every open exception past its due time, with its code's
 * escalation rule as the catalog has it then; past the rule's time, the escalation (once). The
 * exception's timer (in the ledger's timers view) is armed for the escalation by the breach.
 */
@Injectable()
export class SlaTimers extends DueTimerScheduler {
  constructor(
    private readonly store: ExceptionsStore,
    private readonly catalog: ExceptionCatalog,
    rpc: RpcClient,
  ) {
    super(rpc, [TimerKinds.exceptionSla], 'exceptions', 1000);
  }

  protected async fire(t: DueTimer, now: string): Promise<unknown> {
    const codes = await this.catalog.current();
    return handle(
      this.store,
      idOfStream(t.streamId),
      (state, clock) => {
        const code = state.status === 'none' ? undefined : codes.find((c) => c.code === state.code);
        return exceptions.decide({ type: 'Tick', escalation: escalationRule(code) }, state, clock);
      },
      { actor: 'timer', now },
    );
  }
}
