import { JetStreamManager, JsMsg } from 'nats';
import { AckFloor } from './ack-floor';
import { ackFloorOf } from './durable-consumer';

/** How soon a consumer holding settled messages reads the floor again (another instance may have moved it). */
const HELD_READ_MS = 25;

/**
 * The acks of an ack-all pull consumer (`ackAll`): one ack per unbroken run of messages settled
 * for good after the consumer's ack floor (see AckFloor). Messages settled after one that is not
 * (in flight, waiting for its retry, or with another instance) are held: until it is settled they
 * are kept from redelivery, and unless this instance is handling it, the floor is read again from
 * the server, which another instance's acks move.
 */
export class GroupedAcks {
  private readonly floor: AckFloor<JsMsg>;
  /** The sequences this instance holds unsettled (read or being handled). */
  private readonly inHand = new Set<number>();
  private reading: Promise<void> | undefined;
  private readSoon: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly holding: NodeJS.Timeout;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly consumer: { stream: string; durable: string; log?: (message: string) => void },
    ackedUpTo: number,
    ackWaitMs: number,
  ) {
    this.floor = new AckFloor<JsMsg>(ackedUpTo);
    this.holding = setInterval(
      () => {
        if (this.floor.holding === 0) return;
        this.floor.held.forEach((m) => m.working());
        if (!this.inHand.has(this.floor.position + 1)) void this.readFloor();
      },
      Math.max(250, ackWaitMs / 3),
    );
  }

  /** A message read from the server, not settled yet. */
  taken(m: JsMsg): void {
    this.inHand.add(m.seq);
  }

  /** A message whose handling ended (settled, or nak'd for a retry). */
  released(m: JsMsg): void {
    this.inHand.delete(m.seq);
  }

  /** Whether an ack on this message covers only what is already acknowledged (it came again after its ack). */
  covers(m: JsMsg): boolean {
    return this.floor.covers(m);
  }

  /** Settled for good: acked with the run it ends, once every message before it is settled too. */
  done(m: JsMsg): void {
    if (this.floor.covers(m)) m.ack();
    else this.floor.settle(m);
  }

  /** After a batch is settled: the ack of the run it completed, if any, and a watch on what is held. */
  afterBatch(): void {
    this.floor.advance()?.ack();
    this.readWhileHeld();
  }

  /** What waited for another instance's acks is checked once more; what is still held is delivered again. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.holding);
    clearTimeout(this.readSoon);
    if (this.floor.holding > 0) await this.readFloor();
  }

  private readFloor(): Promise<void> {
    const { stream, durable, log } = this.consumer;
    return (this.reading ??= this.jsm.consumers
      .info(stream, durable)
      .then((now) => {
        this.floor.raise(ackFloorOf(now));
        this.floor.advance()?.ack();
      })
      .catch((error: Error) => log?.(`${durable}: cannot read the ack floor: ${error.message}`))
      .finally(() => (this.reading = undefined)));
  }

  /** While messages are held, the floor is read every HELD_READ_MS (unless the one they wait for is being handled here). */
  private readWhileHeld(): void {
    if (this.stopped || this.readSoon || this.floor.holding === 0) return;
    this.readSoon = setTimeout(() => {
      this.readSoon = undefined;
      // When the message they wait for is handled here, the end of its batch acks them.
      if (this.floor.holding === 0 || this.inHand.has(this.floor.position + 1)) return;
      void this.readFloor().then(() => this.readWhileHeld());
    }, HELD_READ_MS);
  }
}
