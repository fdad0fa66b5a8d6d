import { driftCheckedAt, driftSignal } from './drift';
import { Raise, RaiseTimes } from './raise-times';

const DAY = 24 * 3600_000;
const T0 = '2026-11-22T10:00:00.000Z';
const at = (h: number) => new Date(Date.parse(T0) + h * 3600_000).toISOString();
const raise = (id: string, h: number, code = 'ADDRESS_INVALID'): Raise => ({ eventId: id, code, occurredAt: at(h) });

describe('raise times held for drift checks', () => {
  it('reads the ledger once from the first window start, then only what was recorded after it', () => {
    const held = new RaiseTimes(DAY);
    expect(held.missing(at(48), 10)).toEqual({ from: at(24), after: 0 });
    held.read({ from: at(24), after: 0 }, [raise('a', 30), raise('b', 48), raise('c', 50)], 12);
    // Recorded up to position 12: all held.
    expect(held.missing(at(50), 12)).toBeUndefined();
    expect(held.around('ADDRESS_INVALID', at(48))).toEqual([at(30), at(48), at(50)]);
    // Recorded after what was read (another instance may have checked raises meanwhile).
    expect(held.missing(at(60), 20)).toEqual({ from: at(24), after: 12 });
    held.read({ from: at(24), after: 12 }, [raise('d', 55, 'CUSTOMER_UNREACHABLE'), raise('e', 60)], 20);
    expect(held.missing(at(60), 20)).toBeUndefined();
    expect(held.around('CUSTOMER_UNREACHABLE', at(60))).toEqual([at(55)]);
  });

  it('reads only the older part a raise from before what is held needs', () => {
    const held = new RaiseTimes(DAY);
    held.read({ from: at(24), after: 0 }, [raise('a', 30)], 5);
    expect(held.missing(at(48), 5)).toBeUndefined();
    expect(held.missing(at(12), 6)).toEqual({ from: at(-12), to: at(24), after: 0 });
    held.read({ from: at(-12), to: at(24), after: 0 }, [raise('b', 0), raise('c', 12)], 7);
    // The older part is held; what was recorded after position 5 in the newer part is not yet.
    expect(held.missing(at(12), 6)).toEqual({ from: at(-12), after: 5 });
    held.read({ from: at(-12), after: 5 }, [raise('c', 12)], 7);
    expect(held.missing(at(12), 6)).toBeUndefined();
    expect(held.around('ADDRESS_INVALID', at(12))).toEqual([at(0), at(12), at(30)]);
  });

  it('keeps the times in order whatever order the raises come in, and counts a raise once', () => {
    const held = new RaiseTimes(DAY);
    held.read({ from: at(0), after: 0 }, [], 0);
    for (const [id, h] of [
      ['a', 5],
      ['b', 2],
      ['c', 9],
      ['b', 2],
      ['d', 2],
      ['a', 5],
    ] as const)
      held.add(raise(id, h));
    expect(held.around('ADDRESS_INVALID', at(5))).toEqual([at(2), at(2), at(5), at(9)]);
    expect(held.size).toBe(4);
  });

  it('holds one window either side of a raise for its check', () => {
    const held = new RaiseTimes(DAY);
    held.read(
      { from: at(0), after: 0 },
      [raise('a', 0), raise('b', 24), raise('c', 30), raise('d', 48), raise('e', 72)],
      5,
    );
    expect(held.around('ADDRESS_INVALID', at(24))).toEqual([at(24), at(30)]);
    expect(held.around('ADDRESS_INVALID', at(25))).toEqual([at(24), at(30), at(48)]);
  });

  it('drops the times older than two windows before the newest check, and reads them again if a check needs them', () => {
    const held = new RaiseTimes(DAY);
    held.read({ from: at(0), after: 0 }, [], 0);
    for (let h = 0; h < 24 * 10; h++) held.add(raise(`r${h}`, h));
    expect(held.size).toBe(240);
    // The newest raise is at 239 h: a check of it keeps the times from 239 - 48 h on.
    expect(held.missing(at(239), 0)).toBeUndefined();
    expect(held.size).toBe(239 - 191 + 1);
    expect(held.around('ADDRESS_INVALID', at(200))).toEqual(
      Array.from({ length: 239 - 191 + 1 }, (_, i) => at(191 + i)).filter((x) => x > at(176) && x < at(224)),
    );
    // A check of an old raise reads its window again (only the part dropped).
    expect(held.missing(at(100), 0)).toEqual({ from: at(76), to: at(191), after: 0 });
  });

  it('keeps what checks of raises a little out of time order need while a backlog is checked', () => {
    const held = new RaiseTimes(DAY);
    const backlog = Array.from({ length: 240 }, (_, h) => raise(`r${h}`, h));
    expect(held.missing(at(100), 1)).toEqual({ from: at(76), after: 0 });
    held.read({ from: at(76), after: 0 }, backlog.slice(76), 240);
    expect(held.missing(at(130), 2)).toBeUndefined();
    // The raises up to 239 h are held, but the newest checked is at 130 h: nothing from 82 h on is
    // dropped, so the raise at 120 h, checked next, finds its window held.
    expect(held.missing(at(120), 3)).toBeUndefined();
    expect(held.around('ADDRESS_INVALID', at(120))).toEqual(backlog.slice(97, 144).map((r) => r.occurredAt));
    expect(held.size).toBe(240 - 82);
  });

  it('gives the same drift signals as the check over every raise of the ledger', () => {
    // Raises of two codes over 20 days, recorded out of time order (a simple deterministic shuffle).
    const window = 3 * DAY;
    const threshold = 4;
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    const recorded = Array.from({ length: 300 }, (_, i) =>
      raise(`r${i}`, (next() % (20 * 24 * 60)) / 60, next() % 3 ? 'ADDRESS_INVALID' : 'CUSTOMER_UNREACHABLE'),
    );
    const held = new RaiseTimes(window);
    recorded.forEach((r, i) => {
      const position = i + 1;
      const asOf = recorded.slice(0, position);
      // As the check read them before: every raise of the code recorded so far since its window start.
      const from = Date.parse(r.occurredAt) - window;
      const all = asOf.filter((x) => x.code === r.code && Date.parse(x.occurredAt) >= from).map((x) => x.occurredAt);
      const expected = driftSignal(
        r.code,
        all,
        driftCheckedAt(all, r.occurredAt, window, threshold),
        window,
        threshold,
      );

      for (let read = held.missing(r.occurredAt, position); read; read = held.missing(r.occurredAt, position)) {
        const found = asOf.filter(
          (x, p) =>
            p + 1 > read.after && x.occurredAt >= read.from && (read.to === undefined || x.occurredAt < read.to),
        );
        held.read(read, found, position);
      }
      held.add(r);
      const times = held.around(r.code, r.occurredAt);
      expect(
        driftSignal(r.code, times, driftCheckedAt(times, r.occurredAt, window, threshold), window, threshold),
      ).toBe(expected);
    });
    expect(held.size).toBeLessThan(300);
  });
});
