import { NatsConnection } from 'nats';
import { Streams } from '@workgate/contracts';
import { JetStreamBatchPublisher } from '@workgate/messaging';

/** Concurrent publishers of the sustained runs, each awaiting its publish ack as an integrating system does. */
export const PUBLISHERS = 64;
const enc = new TextEncoder();

/**
 * The CloudEvents of one benchmark pair: `workgate.workorder.open`, then `workgate.action.requested`
 * (a policy decision: run) for the same work order. `sentAt` rides in the data for the latencies.
 */
export function events(run: string, pair: number, sentAt: number): Array<{ id: string; body: Uint8Array }> {
  const ref = `${run}-${pair}`;
  const open = {
    specversion: '1.0',
    id: `${ref}-open`,
    source: 'bench',
    type: 'workgate.workorder.open',
    subject: ref,
    data: { jobType: 'support-recovery', inputs: { caseId: ref, orderId: `${pair}`, orderPaid: true, sentAt } },
  };
  const act = {
    specversion: '1.0',
    id: `${ref}-act`,
    source: 'bench',
    type: 'workgate.action.requested',
    subject: ref,
    data: {
      system: 'shop',
      operation: 'order.note',
      kind: 'write',
      objects: [`order:${pair}`],
      facts: { orderFulfilled: false, addressValidated: true, sentAt },
    },
  };
  return [open, act].map((e) => ({ id: e.id, body: enc.encode(JSON.stringify(e)) }));
}

/**
 * Publishes CloudEvents to WORK_EVENTS as an integrator does: structured mode, `Nats-Msg-Id`, each
 * publish resolving on the stream's ack. The messages are the ones `js.publish` sends (plus
 * `Nats-Expected-Stream`), through one shared ack subscription: `js.publish` costs the publishing
 * process about 50 µs of CPU per message (a request, a timer and a parsed ack each), which on
 * this 2-core machine is taken from the workgate under test. Integrators run elsewhere.
 */
export class WorkEventPublisher {
  private readonly publisher: JetStreamBatchPublisher;

  constructor(nc: NatsConnection) {
    this.publisher = new JetStreamBatchPublisher(nc, Streams.workEvents.name);
  }

  publish(e: { id: string; body: Uint8Array }): Promise<void> {
    return this.publisher.publish([
      {
        subject: 'workgate.events.bench',
        data: e.body,
        msgId: `bench:${e.id}`,
        headers: { 'Content-Type': 'application/cloudevents+json' },
      },
    ]);
  }

  /** `PUBLISHERS` publishers sending `pairs` pairs of run `run`, each as fast as the stream acks it. */
  async publishAll(run: string, pairs: number): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: PUBLISHERS }, async () => {
        while (next < pairs) {
          const pair = next++;
          for (const e of events(run, pair, Date.now())) await this.publish(e);
        }
      }),
    );
  }

  close(): void {
    this.publisher.close();
  }
}
