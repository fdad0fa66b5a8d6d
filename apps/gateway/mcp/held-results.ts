import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/** How long a result waits for its work order's next decision before it is recorded on its own. */
export const RESULT_HOLD_MS = 20;

interface Held {
  records: Array<() => Promise<void>>;
  timer: NodeJS.Timeout;
}

/**
 * The results of forwarded calls, on their way to the ledger beside their decisions. An agent
 * calls tools one after another: a result recorded at once is a commit of its own, and the agent's
 * next call would wait behind it (commands on one work order are recorded one at a time). So a
 * result waits for its work order's next decision and is sent just before it, the two arriving
 * together and being recorded in one commit; a work order that falls quiet has its results
 * recorded after {@link RESULT_HOLD_MS}. Once workgate is stopping, results are recorded at once.
 * The answer to the agent never waits for either.
 */
@Injectable()
export class HeldResults implements BeforeApplicationShutdown {
  private readonly held = new Map<string, Held>();
  private closing = false;

  /** Records a result (`record` sends it) soon; the promise settles as `record`'s does. */
  hold(workOrderId: string, record: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const send = () => record().then(resolve, reject);
      if (this.closing) return void send();
      const held = this.held.get(workOrderId);
      if (held) return void held.records.push(send);
      this.held.set(workOrderId, {
        records: [send],
        timer: setTimeout(() => void this.release(workOrderId), RESULT_HOLD_MS).unref(),
      });
    });
  }

  /** Sends the work order's held results now, in the order they came (before its next command); settles once they are recorded or refused. */
  release(workOrderId: string): Promise<unknown> {
    const held = this.held.get(workOrderId);
    if (!held) return Promise.resolve();
    this.held.delete(workOrderId);
    clearTimeout(held.timer);
    return Promise.all(held.records.map((send) => send()));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.held.keys()].map((workOrderId) => this.release(workOrderId)));
  }
}
