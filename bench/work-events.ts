import { headers as natsHeaders, JetStreamClient } from 'nats';

/** Concurrent publishers of the sustained runs, each awaiting its publish ack as an integrating system does. */
export const PUBLISHERS = 64;
const enc = new TextEncoder();

/**
 * The CloudEvents of one benchmark pair: `workgate.workorder.open`, then `workgate.action.requested`
 * (a policy decision: run) for the same work order. `sentAt` rides in the data for the latencies.
 */
export function events(run: string, pair: number, sentAt: number): Array<{ id: string; body: Uint8Array }> {
  const ref = `${run}-${pair}`;
  const open = { specversion: '1.0', id: `${ref}-open`, source: 'bench', type: 'workgate.workorder.open', subject: ref, data: { jobType: 'support-recovery', inputs: { caseId: ref, orderId: `${pair}`, orderPaid: true, sentAt } } };
  const act = {
    specversion: '1.0',
    id: `${ref}-act`,
    source: 'bench',
    type: 'workgate.action.requested',
    subject: ref,
    data: { system: 'shop', operation: 'order.note', kind: 'write', objects: [`order:${pair}`], facts: { orderFulfilled: false, addressValidated: true, sentAt } },
  };
  return [open, act].map((e) => ({ id: e.id, body: enc.encode(JSON.stringify(e)) }));
}

/** Publishes one CloudEvent to WORK_EVENTS as an integrator does (structured mode, `Nats-Msg-Id`), resolving on the stream's ack. */
export async function publish(js: JetStreamClient, e: { id: string; body: Uint8Array }): Promise<void> {
  const h = natsHeaders();
  h.set('Nats-Msg-Id', `bench:${e.id}`);
  h.set('Content-Type', 'application/cloudevents+json');
  await js.publish('workgate.events.bench', e.body, { headers: h });
}

/** `PUBLISHERS` publishers sending `pairs` pairs of run `run` as fast as the stream acks them. */
export async function publishAll(js: JetStreamClient, run: string, pairs: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: PUBLISHERS }, async () => {
      while (next < pairs) {
        const pair = next++;
        for (const e of events(run, pair, Date.now())) await publish(js, e);
      }
    }),
  );
}
