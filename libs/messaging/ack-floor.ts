/**
 * What one acknowledgement of an AckPolicy.All consumer may cover. Such an ack acknowledges every
 * message of the consumer up to its stream sequence, whoever it was delivered to and whatever
 * became of it (a message nak'd for a retry included: it is never delivered again), so it may only
 * go to the last of an unbroken run of messages settled for good after the consumer's ack floor.
 * The consumer must see every message of its stream (no sequence is skipped), so a sequence this
 * instance has not settled is one still in flight, waiting for a retry, or delivered to another
 * instance: the floor waits for it.
 */
export class AckFloor<M extends { readonly seq: number }> {
  private readonly settled = new Map<number, M>();

  constructor(private floor: number) {}

  /** The stream sequence up to which every message is acknowledged, as far as this instance knows. */
  get position(): number {
    return this.floor;
  }

  /** How many messages are held: settled for good, but something before them is not settled here. */
  get holding(): number {
    return this.settled.size;
  }

  /** The messages held. */
  get held(): M[] {
    return [...this.settled.values()];
  }

  /** Whether an ack on this message covers only what is already acknowledged (it came again after its ack). */
  covers(m: M): boolean {
    return m.seq <= this.floor;
  }

  /** A message whose fate is final: recorded, kept as a rejection or as a dead letter. */
  settle(m: M): void {
    if (m.seq > this.floor) this.settled.set(m.seq, m);
  }

  /** The consumer's ack floor as the server last said it (another instance may have moved it). */
  raise(floor: number): void {
    if (floor <= this.floor) return;
    this.floor = floor;
    for (const seq of this.settled.keys()) if (seq <= floor) this.settled.delete(seq);
  }

  /** Moves the floor over the unbroken run of settled messages after it: the message to ack, if it moved. */
  advance(): M | undefined {
    let last: M | undefined;
    for (let next = this.settled.get(this.floor + 1); next !== undefined; next = this.settled.get(this.floor + 1)) {
      this.settled.delete(++this.floor);
      last = next;
    }
    return last;
  }
}
