import { Injectable, Logger } from '@nestjs/common';
import { Subjects } from '@workgate/contracts';
import { ownersOf, StreamOwner, WorkOrderEvent } from '@workgate/domain';
import { counter, RpcClient } from '@workgate/messaging';

/** How long intake waits for an owner to start its streams before it answers without them. */
const ASK_TIMEOUT_MS = 5_000;

const SUBJECTS = { approvals: Subjects.approvals.start, exceptions: Subjects.exceptions.start } as const;

/** Asks that did not start their streams (the owner away or slow): its ledger reaction starts them. */
const failedAsks = counter({
  name: 'workgate_intake_start_asks_failed_total',
  help: 'Asks to start the streams of committed work-order events that failed, by the service asked (its ledger reaction starts them)',
  labelNames: ['owner'],
});

/**
 * Intake writes work-order streams alone; the streams their events start (approvals, exceptions,
 * post-reviews, delegations) are their owners' (docs/ledger.md, Who writes which stream). Once a
 * command's events are committed, intake asks each owner to start its streams before it answers,
 * so a caller that reads an approval or an exception right after the answer finds it. An ask that
 * fails is logged and counted, not the command's failure: the event is committed, and the owner's
 * ledger reaction starts the stream from it.
 */
@Injectable()
export class StreamStartAsks {
  private readonly logger = new Logger('intake');

  constructor(private readonly rpc: RpcClient) {}

  /** The position that covers the streams the events start: 0 when they start none, or no ask succeeded. */
  async ask(events: WorkOrderEvent[]): Promise<number> {
    const byOwner = new Map<StreamOwner, string[]>();
    for (const e of events)
      for (const owner of ownersOf(e)) byOwner.set(owner, [...(byOwner.get(owner) ?? []), e.eventId]);
    if (byOwner.size === 0) return 0;
    const positions = await Promise.all(
      [...byOwner].map(([owner, eventIds]) =>
        this.rpc.request(SUBJECTS[owner], { eventIds }, { timeoutMs: ASK_TIMEOUT_MS }).then(
          (started) => started.position,
          (error: Error) => {
            failedAsks.inc({ owner });
            this.logger.warn(
              `the ${owner} service did not start the streams of ${eventIds.join(', ')} (${error.message}); its ledger reaction starts them`,
            );
            return 0;
          },
        ),
      ),
    );
    return Math.max(0, ...positions);
  }
}
