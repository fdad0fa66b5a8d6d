import { AckPolicy, ConsumerConfig, ConsumerInfo, DeliverPolicy, JetStreamManager, nanos } from 'nats';
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
  /**
   * Grouped acknowledgements: the durable acks with AckPolicy.All, and one ack goes to the last of
   * each unbroken run of messages settled for good (see AckFloor), instead of one per message. The
   * consumer must see every subject of its stream (no filter, or the stream's one subject). Dead
   * letters are covered by that ack rather than terminated (a terminate is an ack of everything
   * before it too). An ack policy cannot be changed in place: give such a consumer a durable name
   * of its own, and `replaces` the one with explicit acks it takes over.
   */
  ackAll?: boolean;
  /**
   * The durable with explicit acks this one replaces: when this one does not exist yet, it is
   * created to start after that one's ack floor (what it had acked above its floor is delivered
   * again, and must be harmless twice), and that one is then deleted.
   */
  replaces?: string;
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

/** Creates or updates the durable; with the stream's first sequence (what came before it is gone). */
export async function ensureConsumer(
  jsm: JetStreamManager,
  o: DurableConsumerSettings,
): Promise<{ info: ConsumerInfo; firstSeq: number }> {
  const ackPolicy = o.ackAll ? AckPolicy.All : AckPolicy.Explicit;
  const settings: Partial<ConsumerConfig> = {
    ack_wait: nanos(o.ackWaitMs ?? 30_000),
    // The delivery bound is enforced here, not by the server: a message past `maxDeliver` is
    // written to the dead letters first and only then terminated, so none is silently dropped
    // (a server-side max_deliver would stop redelivering even when the dead-letter write failed).
    max_deliver: -1,
    max_ack_pending: maxAckPending(o),
    ...(o.filterSubject ? { filter_subject: o.filterSubject } : {}),
  };
  const firstSeq = o.ackAll ? await seesWholeStream(jsm, o) : 1;
  try {
    const info = await jsm.consumers.info(o.stream, o.durable);
    if (info.config.ack_policy !== ackPolicy)
      throw new Error(
        `consumer ${o.durable} acks ${info.config.ack_policy}, not ${ackPolicy}: an ack policy cannot be changed in place, a consumer of another policy needs a durable name of its own`,
      );
    return { info: await jsm.consumers.update(o.stream, o.durable, settings), firstSeq };
  } catch (error) {
    if (!isNotFound(error) || o.existing) throw error;
  }
  const start = o.replaces ? await startAfter(jsm, o.stream, o.replaces) : undefined;
  let info: ConsumerInfo;
  try {
    info = await jsm.consumers.add(o.stream, {
      durable_name: o.durable,
      ack_policy: ackPolicy,
      ...(start === undefined
        ? { deliver_policy: DeliverPolicy.All }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start }),
      ...settings,
    });
  } catch (error) {
    // Another instance created it a moment ago (from the floor it read): that one is used.
    const created = await jsm.consumers.info(o.stream, o.durable).catch(() => undefined);
    if (!created) throw error;
    info = created;
  }
  if (o.replaces) await jsm.consumers.delete(o.stream, o.replaces).catch((e: unknown) => ignoreNotFound(e));
  return { info, firstSeq };
}

/**
 * The stream sequence up to which a consumer has acknowledged everything. Until its first ack the
 * server says 0 whatever the start: one that starts at a sequence has everything before it behind it.
 */
export function ackFloorOf(info: ConsumerInfo): number {
  if (info.ack_floor.consumer_seq > 0) return info.ack_floor.stream_seq;
  // Nothing delivered yet: the server's delivered sequence is the one before the start.
  if (info.delivered.consumer_seq === 0) return info.delivered.stream_seq;
  return Math.max(0, (info.config.opt_start_seq ?? 1) - 1);
}

function ignoreNotFound(error: unknown): void {
  if (!isNotFound(error)) throw error;
}

/**
 * Where a consumer that replaces `durable` starts: after its ack floor, when it exists; everything
 * unacked there (in flight, waiting for a retry, never delivered) is delivered to the new one.
 */
async function startAfter(jsm: JetStreamManager, stream: string, durable: string): Promise<number | undefined> {
  try {
    return (await jsm.consumers.info(stream, durable)).ack_floor.stream_seq + 1;
  } catch (error) {
    ignoreNotFound(error);
    return undefined;
  }
}

/** An ack-all consumer tells a message it has not seen by its sequence: it must see every message of the stream. */
async function seesWholeStream(jsm: JetStreamManager, o: DurableConsumerSettings): Promise<number> {
  const { config, state } = await jsm.streams.info(o.stream);
  const { subjects } = config;
  if (o.filterSubject && !(subjects.length === 1 && subjects[0] === o.filterSubject))
    throw new Error(
      `consumer ${o.durable} acks all but filters ${o.filterSubject} out of ${o.stream} (${subjects.join(', ')}): it would wait for messages it is never given`,
    );
  return state.first_seq;
}
