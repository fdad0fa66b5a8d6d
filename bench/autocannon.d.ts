// autocannon ships no types of its own: the part the HTTP benchmark uses.
declare module 'autocannon' {
  namespace autocannon {
    interface Result {
      requests: { total: number };
      latency: { p50: number; p99: number };
      non2xx: number;
      errors: number;
      start: Date;
      finish: Date;
      '2xx': number;
    }
    /** A run: its result once it ends, and an event per answer meanwhile. */
    interface Instance extends Promise<Result> {
      on(event: 'response', listener: () => void): void;
    }
  }
  function autocannon(options: Record<string, unknown>): autocannon.Instance;
  export = autocannon;
}
