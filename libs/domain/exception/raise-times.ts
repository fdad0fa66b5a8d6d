/** A raise of an exception code, as a drift check counts it. */
export interface Raise {
  eventId: string;
  code: string;
  occurredAt: string;
}

/** A read of the ledger's raises: those recorded after position `after` that occurred in [from, to). */
export interface RaiseRead {
  from: string;
  to?: string;
  after: number;
}

interface Held {
  ms: number;
  at: string;
  eventId: string;
}

/**
 * The raise times of each exception code that drift checks need, held so that a check does not
 * read the ledger's raises again: the ledger is read once from the earliest time a check needs,
 * then every raise checked is added (the ones recorded meanwhile by another instance come with the
 * next read of what was recorded after the last one). A check of a raise whose window starts
 * before what is held reads only that older part.
 *
 * Raises are added in the ledger's order, but their times are not in order (they are raised on
 * different work orders, handled concurrently): each code's times are kept sorted, and a raise
 * added twice (a redelivery, or one found by a read and then checked) counts once.
 *
 * Memory stays bounded: when a check is asked for, the times older than the newest check's window
 * start minus one window (newest check - 2 windows) are dropped, unless that check needs them. What
 * is held is then the raises from two windows before the newest raise checked on (more only while
 * a check of an older raise needs its own window), with their event ids: in steady state two
 * windows of raises; while a backlog is checked, also the backlog's raises not checked yet, read
 * at once. Following the checks rather than the newest raise read, a check of a raise recorded
 * a little out of time order (less than a window) still finds its window held.
 */
export class RaiseTimes {
  private readonly byCode = new Map<string, Held[]>();
  private readonly ids = new Set<string>();
  /** Every raise that occurred at or after `from` and was recorded up to position `through` is held. */
  private from?: number;
  private through = 0;
  /** The time of the newest raise a check was asked for. */
  private newest = -Infinity;

  constructor(private readonly windowMs: number) {}

  /**
   * What a check of the raise at `occurredAt`, recorded at ledger position `position`, still needs
   * read: its window's start up to what is held, then what was recorded after what is held;
   * undefined once nothing is missing. Ask again after each read.
   */
  missing(occurredAt: string, position: number): RaiseRead | undefined {
    const t = Date.parse(occurredAt);
    const start = t - this.windowMs;
    this.newest = Math.max(this.newest, t);
    this.trim(Math.min(this.newest - 2 * this.windowMs, start));
    if (this.from === undefined) return { from: iso(start), after: 0 };
    if (start < this.from) return { from: iso(start), to: iso(this.from), after: 0 };
    if (position > this.through) return { from: iso(this.from), after: this.through };
    return undefined;
  }

  /**
   * Holds the raises a read found; the ledger answered it with every raise of its range recorded up
   * to position `through`.
   */
  read(read: RaiseRead, raises: Raise[], through: number): void {
    for (const raise of raises) this.add(raise);
    const from = Date.parse(read.from);
    this.from = Math.min(this.from ?? from, from);
    // A read of an older part only covers the newer one as far as it was covered already.
    if (read.to === undefined) this.through = Math.max(this.through, through);
  }

  /** Holds one raise; one held already (the same event id) is not held twice. */
  add(raise: Raise): void {
    if (this.ids.has(raise.eventId)) return;
    const ms = Date.parse(raise.occurredAt);
    const times = this.byCode.get(raise.code) ?? [];
    times.splice(firstAfter(times, ms), 0, { ms, at: raise.occurredAt, eventId: raise.eventId });
    this.byCode.set(raise.code, times);
    this.ids.add(raise.eventId);
  }

  /**
   * The times `code` was raised, in order, that a drift check of its raise at `occurredAt` looks
   * at: those within one window either side of it.
   */
  around(code: string, occurredAt: string): string[] {
    const t = Date.parse(occurredAt);
    const times = this.byCode.get(code) ?? [];
    return times.slice(firstAfter(times, t - this.windowMs), firstAtOrAfter(times, t + this.windowMs)).map((h) => h.at);
  }

  /** How many raise times are held, over every code. */
  get size(): number {
    return this.ids.size;
  }

  private trim(before: number): void {
    if (this.from === undefined || before <= this.from) return;
    for (const [code, times] of this.byCode) {
      const dropped = times.splice(0, firstAtOrAfter(times, before));
      for (const h of dropped) this.ids.delete(h.eventId);
      if (times.length === 0) this.byCode.delete(code);
    }
    this.from = before;
  }
}

/** The index of the first held time after `ms`. */
function firstAfter(times: Held[], ms: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid].ms <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index of the first held time at or after `ms`. */
function firstAtOrAfter(times: Held[], ms: number): number {
  return firstAfter(times, ms - 1);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
