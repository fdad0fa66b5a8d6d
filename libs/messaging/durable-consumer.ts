import { AckPolicy, ConsumerConfig, DeliverPolicy, JetStreamManager, nanos } from 'nats';
import { isNotFound } from './jetstream';

/** How a durable consumer is set up on the server. */
export interface DurableConsumerSettings {
  stream: string;
  durable: string;
  filterSubject?: string;
  /** Most messages handed to `handle` at once. */
  batch?: number;
  /** How long the server waits for an ack before it redelivers. */
  ackWaitMs?: number;
  /**
   * Batches handled at once (default 1). Batches are handed over in stream order; with more than
   * one, `handle` must keep the order of related messages itself (intake chains them per work order).
   */
  concurrency?: number;
  /**
   * Runs the durable consumer only if it exists (a retired one that another instance deleted is
   * never created again, which would deliver the whole stream anew): a missing one fails with the
   * server's "not found".
   */
  existing?: boolean;
}

/**
 * Unacked messages the server lets a consumer hold: the batches being handled and two batches'
 * worth read ahead. nats.js pulls again as messages arrive, not as they are handled, so this
 * bound is what keeps the read-ahead short: with 2,048 the intake process held about 1,900
 * messages waiting, each living long enough to be promoted out of V8's young generation (half
 * as much promotion again, and about 6% more CPU per event). A message nak'd for a later retry
 * counts until it is delivered again.
 */
function maxAckPending(o: Pick<DurableConsumerSettings, 'batch' | 'concurrency'>): number {
  return (o.batch ?? 256) * (Math.max(1, o.concurrency ?? 1) + 2);
}

/** Creates or updates the durable (explicit acks: one per message). */
export async function ensureConsumer(jsm: JetStreamManager, o: DurableConsumerSettings): Promise<void> {
  const settings: Partial<ConsumerConfig> = {
    ack_wait: nanos(o.ackWaitMs ?? 30_000),
    // The delivery bound is enforced here, not by the server: a message past `maxDeliver` is
    // written to the dead letters first and only then terminated, so none is silently dropped
    // (a server-side max_deliver would stop redelivering even when the dead-letter write failed).
    max_deliver: -1,
    max_ack_pending: maxAckPending(o),
    ...(o.filterSubject ? { filter_subject: o.filterSubject } : {}),
  };
  try {
    // nats.js reads the consumer's info first, so a missing one fails here with the server's "not found".
    await jsm.consumers.update(o.stream, o.durable, settings);
    return;
  } catch (error) {
    if (!isNotFound(error) || o.existing) throw error;
  }
  try {
    await jsm.consumers.add(o.stream, {
      durable_name: o.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ...settings,
    });
  } catch (error) {
    // Another instance created it a moment ago: that one is used.
    const created = await jsm.consumers.info(o.stream, o.durable).catch(() => undefined);
    if (!created) throw error;
  }
}
