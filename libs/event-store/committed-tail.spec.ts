import { CommittedTail } from './committed-tail';
import type { CommittedEvent } from './commit-plan';

const ev = (position: number, type = 'Kept'): CommittedEvent => ({
  position,
  streamId: 's',
  streamVersion: position,
  eventId: '',
  type,
  json: '{}',
});
const positions = (page: { events: CommittedEvent[]; next: number } | undefined) =>
  page && { events: page.events.map((e) => e.position), next: page.next };

describe("CommittedTail: the writer's newest commits, one gap-free run of positions", () => {
  it('pages what it holds, keeps only the types asked for, and sends the rest to the log', () => {
    const tail = new CommittedTail(100, (type) => type === 'Kept');
    expect(tail.page(0, 10)).toBeUndefined();
    tail.add([ev(1), ev(2, 'Other'), ev(3)]);
    tail.add([ev(4)]);
    expect(positions(tail.page(0, 10))).toEqual({ events: [1, 3, 4], next: 4 });
    expect(positions(tail.page(1, 2))).toEqual({ events: [3], next: 3 });
    expect(tail.page(4, 10)).toBeUndefined(); // nothing newer held: the log answers
    tail.dropThrough(2);
    expect(tail.firstPosition).toBe(3);
    expect(tail.page(1, 10)).toBeUndefined(); // before the run held
    expect(positions(tail.page(2, 10))).toEqual({ events: [3, 4], next: 4 });
  });

  it('starts afresh on a gap, on a hand-over that is not one run, and past its limit', () => {
    const tail = new CommittedTail(3);
    tail.add([ev(1), ev(2)]);
    tail.add([ev(4)]); // 3 was never handed over
    expect(tail.firstPosition).toBe(4);
    expect(tail.page(2, 10)).toBeUndefined();
    tail.add([ev(5), ev(7)]); // not one run
    expect(tail.firstPosition).toBeUndefined();
    tail.add([ev(8), ev(9)]);
    tail.add([ev(10), ev(11)]); // four would pass the limit of three
    expect(tail.firstPosition).toBe(10);
    tail.dropThrough(11);
    expect(tail.firstPosition).toBeUndefined();
    tail.add([ev(12)]);
    expect(positions(tail.page(11, 10))).toEqual({ events: [12], next: 12 });
  });
});
