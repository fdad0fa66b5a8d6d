import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, JetStreamClient, JetStreamManager } from 'nats';
import { isNumber, objectOf, optional, RecordedEvent, Streams, Subjects } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { Ce } from './demo-scenarios';

/** The positions of the ledger's health details the demo waits on. */
const ledgerPositions = objectOf({ headPosition: optional(isNumber), publishedPosition: optional(isNumber) });

/** How the demo publishes its work events and waits until what they caused is recorded. */

export async function publishAll(js: JetStreamClient, events: Ce[], progress: (done: number) => void): Promise<void> {
  const window = 256;
  for (let i = 0; i < events.length; i += window) {
    await Promise.all(
      events.slice(i, i + window).map((e) => {
        const id = randomUUID();
        const h = natsHeaders();
        h.set('Content-Type', 'application/cloudevents+json');
        const body = {
          specversion: '1.0',
          id,
          source: e.source,
          type: e.type,
          subject: e.subject,
          time: new Date(e.time).toISOString(),
          datacontenttype: 'application/json',
          data: e.data,
        };
        return js.publish(`workgate.events.${e.source}`, JSON.stringify(body), {
          msgID: `${e.source}:${id}`,
          headers: h,
        });
      }),
    );
    progress(Math.min(events.length, i + window));
  }
}

/**
 * Polls `check` until it answers `'done'`, or the same value for 1.5 s (nothing moves any more);
 * throws after `timeoutMs`.
 */
export async function settle(
  check: () => Promise<number | 'done'>,
  what: string,
  { pollMs = 250, timeoutMs = 120_000 } = {},
): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: number | undefined;
  let stableSince = Date.now();
  for (;;) {
    const value = await check();
    if (value === 'done') return;
    if (value !== last) {
      last = value;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 1500) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * Waits until what the commands so far caused is recorded: the ledger's relay has published its
 * head to LEDGER and every consumer of it has acked all it was given (a reaction acks only after
 * its own commit), with the head unmoved since the check before, in two checks running. Where that
 * never holds (a reaction that keeps retrying, a standby ledger answering the health request, a
 * durable no running service reads) the head unmoved for 1.5 s is taken as quiet, as `settle`
 * does. Due timers are not waited for (they fire from the views, on their own ticks).
 */
export async function untilRecorded(rpc: RpcClient, jsm: JetStreamManager): Promise<void> {
  let last: number | undefined;
  let quietChecks = 0;
  const consumersIdle = async () =>
    (await jsm.consumers.list(Streams.ledger.name).next()).every((c) => c.num_pending + c.num_ack_pending === 0);
  await settle(
    async () => {
      const { details } = await rpc.request(Subjects.health('ledger'), {});
      const ledger = ledgerPositions(details) ? details : undefined;
      const head = ledger?.headPosition ?? -1;
      const idle = ledger?.publishedPosition === head && (await consumersIdle().catch(() => false));
      quietChecks = idle && head === last ? quietChecks + 1 : 0;
      last = head;
      return quietChecks >= 2 ? 'done' : head;
    },
    'the reactions to the commands',
    { pollMs: 50 },
  );
}

export async function allOf(rpc: RpcClient, types: string[]): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await rpc.request(Subjects.ledger.query, { types, after, limit: 1000 });
    out.push(...page.events);
    if (page.events.length < 1000) return out;
    after = page.next;
  }
}
