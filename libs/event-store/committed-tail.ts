import type { CommittedEvent } from './commit-plan';

/**
 * The newest commits this process's writer handed over (`onCommitted`), kept for readers that
 * follow the log by position (the relay, the projections) so that their next pages need no read
 * from Postgres. It holds one gap-free run of positions (`first`..`last`) and, of its events,
 * those `keep` accepts, at most `limit` of them. A hand-over that does not continue the run
 * without a gap (a restart, another writer), that is not one gap-free run itself, or that would
 * pass the limit starts afresh: a reader then reads what lies before `first` from the log.
 */
export class CommittedTail {
  private first = 1;
  private last = 0;
  private events: CommittedEvent[] = [];

  constructor(
    private readonly limit: number,
    private readonly keep: (type: string) => boolean = () => true,
  ) {}

  /** The first position held; undefined when nothing is. */
  get firstPosition(): number | undefined {
    return this.last >= this.first ? this.first : undefined;
  }

  /** One commit's events, in position order. */
  add(events: CommittedEvent[]): void {
    if (events.length === 0) return;
    const from = events[0].position;
    const to = events[events.length - 1].position;
    if (to - from + 1 !== events.length) return this.clear();
    if (from !== this.last + 1 || this.last < this.first || this.events.length + events.length > this.limit) {
      this.first = from;
      this.events = [];
    }
    for (const e of events) if (this.keep(e.type)) this.events.push(e);
    this.last = to;
  }

  /**
   * The kept events in (after, after + window], and the position the page reaches; undefined
   * when the run held does not include `after + 1` (the reader asks the log instead).
   */
  page(after: number, window: number): { events: CommittedEvent[]; next: number } | undefined {
    if (after + 1 < this.first || after >= this.last) return undefined;
    const next = Math.min(after + window, this.last);
    const events: CommittedEvent[] = [];
    for (const e of this.events) {
      if (e.position > next) break;
      if (e.position > after) events.push(e);
    }
    return { events, next };
  }

  /** Every reader has what is at or before `position`: it is not kept any longer. */
  dropThrough(position: number): void {
    if (position < this.first) return;
    let done = 0;
    while (done < this.events.length && this.events[done].position <= position) done++;
    if (done > 0) this.events = this.events.slice(done);
    this.first = Math.min(position + 1, this.last + 1);
  }

  clear(): void {
    this.first = 1;
    this.last = 0;
    this.events = [];
  }
}
