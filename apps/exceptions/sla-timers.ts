import { Injectable } from '@nestjs/common';
import { DueTimer, idOfStream, TimerKinds } from '@workgate/contracts';
import { exceptions } from '@workgate/domain';
import { DueTimerScheduler, handle, RpcClient } from '@workgate/messaging';
import { ExceptionsStore } from './exceptions.store';

/** Records an SLA breach once for every open exception past its due time. */
@Injectable()
export class SlaTimers extends DueTimerScheduler {
  constructor(
    private readonly store: ExceptionsStore,
    rpc: RpcClient,
  ) {
    super(rpc, [TimerKinds.exceptionSla], 'exceptions', 1000);
  }

  protected fire(t: DueTimer, now: string): Promise<unknown> {
    return handle(
      this.store,
      idOfStream(t.streamId),
      (state, clock) => exceptions.decide({ type: 'Tick' }, state, clock),
      { actor: 'timer', now },
    );
  }
}
