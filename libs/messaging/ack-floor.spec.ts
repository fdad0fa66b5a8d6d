import { AckFloor } from './ack-floor';

const m = (seq: number) => ({ seq });
const seqs = (ms: Array<{ seq: number }>) => ms.map((x) => x.seq).sort((a, b) => a - b);

describe('AckFloor: what one ack of an AckPolicy.All consumer may cover', () => {
  it('acks the last of an unbroken run of settled messages, once', () => {
    const floor = new AckFloor(10);
    [11, 12, 13].forEach((s) => floor.settle(m(s)));
    expect(floor.advance()?.seq).toBe(13);
    expect(floor.position).toBe(13);
    expect(floor.advance()).toBeUndefined();
    expect(floor.held).toEqual([]);
  });

  it("never covers a message that is not settled here (in flight, nak'd for a retry, or on another instance)", () => {
    const floor = new AckFloor(0);
    // 3 is still in flight (or waits for its retry): 4 and 5 were handled first by a second batch.
    [1, 2, 4, 5].forEach((s) => floor.settle(m(s)));
    expect(floor.advance()?.seq).toBe(2);
    expect(seqs(floor.held)).toEqual([4, 5]);
    expect(floor.advance()).toBeUndefined();
    floor.settle(m(3));
    expect(floor.advance()?.seq).toBe(5);
    expect(floor.position).toBe(5);
  });

  it('moves over what another instance acked, as the server says, and goes on from there', () => {
    const floor = new AckFloor(0);
    // 1-3 went to another instance; this one settled 4, 5 and 7.
    [4, 5, 7].forEach((s) => floor.settle(m(s)));
    expect(floor.advance()).toBeUndefined();
    floor.raise(4);
    expect(floor.advance()?.seq).toBe(5);
    expect(seqs(floor.held)).toEqual([7]);
    // A floor read before this instance's own ack never moves it back.
    floor.raise(2);
    expect(floor.position).toBe(5);
    floor.raise(8);
    expect(floor.held).toEqual([]);
    expect(floor.advance()).toBeUndefined();
  });

  it('knows a message that came again after the ack that covered it', () => {
    const floor = new AckFloor(0);
    floor.settle(m(1));
    floor.advance();
    expect(floor.covers(m(1))).toBe(true);
    expect(floor.covers(m(2))).toBe(false);
    // Settling it again holds nothing.
    floor.settle(m(1));
    expect(floor.held).toEqual([]);
  });
});
