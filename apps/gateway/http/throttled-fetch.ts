/**
 * Something fetched from the outside (the issuer's discovery document, its key set) at most once
 * per `periodMs`, whatever the outcome: while the provider is down, a flood of requests costs one
 * fetch per period, each of them answered with the last failure meanwhile. Concurrent callers
 * share the fetch in flight.
 */
export class ThrottledFetch<T> {
  private value?: { of: T; at: number };
  private failure: Error = new Error('not fetched yet');
  private lastAttempt = -Infinity;
  private pending?: Promise<T>;

  constructor(
    private readonly fetch: () => Promise<T>,
    private readonly periodMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The value held, fetched first when there is none yet (or after `maxAgeMs`, keeping the old one if that fails). */
  async get(maxAgeMs = Infinity): Promise<T> {
    const held = this.value;
    if (!held) return this.refresh();
    if (this.clock() - held.at < maxAgeMs) return held.of;
    return this.refresh().catch(() => held.of);
  }

  /**
   * Fetches again, unless a fetch started less than `periodMs` ago: then the fetch in flight, the
   * value held, or the failure held.
   */
  refresh(): Promise<T> {
    if (this.pending) return this.pending;
    if (this.clock() - this.lastAttempt < this.periodMs)
      return this.value ? Promise.resolve(this.value.of) : Promise.reject(this.failure);
    this.lastAttempt = this.clock();
    const pending = this.fetch().then(
      (of) => {
        this.value = { of, at: this.clock() };
        return of;
      },
      (error: unknown) => {
        this.failure = error instanceof Error ? error : new Error(String(error));
        throw this.failure;
      },
    );
    this.pending = pending;
    void pending.then(
      () => (this.pending = undefined),
      () => (this.pending = undefined),
    );
    return pending;
  }
}
