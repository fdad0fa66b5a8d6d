import { HeldResults, RESULT_HOLD_MS } from './held-results';

describe('HeldResults', () => {
  let results: HeldResults;
  let sent: string[];
  const record =
    (name: string, outcome: 'ok' | 'refused' = 'ok') =>
    () => {
      sent.push(name);
      return outcome === 'ok' ? Promise.resolve() : Promise.reject(new Error(`${name} refused`));
    };

  beforeEach(() => {
    jest.useFakeTimers();
    results = new HeldResults();
    sent = [];
  });
  afterEach(() => jest.useRealTimers());

  it("holds a result until its work order's next command, then sends the held ones in the order they came", async () => {
    const first = results.hold('wo-1', record('a'));
    const second = results.hold('wo-1', record('b'));
    const other = results.hold('wo-2', record('c'));
    expect(sent).toEqual([]);
    void results.release('wo-1');
    expect(sent).toEqual(['a', 'b']);
    await expect(Promise.all([first, second])).resolves.toEqual([undefined, undefined]);
    // Another work order's results are not sent with it; nothing is sent twice.
    void results.release('wo-1');
    expect(sent).toEqual(['a', 'b']);
    void results.release('wo-2');
    await other;
    expect(sent).toEqual(['a', 'b', 'c']);
  });

  it('sends a result on its own once its work order is quiet for RESULT_HOLD_MS', async () => {
    const held = results.hold('wo-1', record('a'));
    jest.advanceTimersByTime(RESULT_HOLD_MS - 1);
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(sent).toEqual(['a']);
    await held;
    // The timer of a released work order does not fire again.
    const next = results.hold('wo-1', record('b'));
    void results.release('wo-1');
    jest.advanceTimersByTime(RESULT_HOLD_MS * 2);
    await next;
    expect(sent).toEqual(['a', 'b']);
  });

  it('settles a held result as its recording does: a refusal reaches the one that held it', async () => {
    const refused = results.hold('wo-1', record('a', 'refused'));
    const after = results.hold('wo-1', record('b'));
    void results.release('wo-1');
    await expect(refused).rejects.toThrow('a refused');
    await expect(after).resolves.toBeUndefined();
  });

  it('when workgate stops, sends what it holds and waits for it; later results go at once', async () => {
    let recorded = false;
    void results.hold(
      'wo-1',
      () => new Promise<void>((resolve) => setTimeout(() => ((recorded = true), resolve()), 5)),
    );
    const stopping = results.beforeApplicationShutdown();
    jest.advanceTimersByTime(5);
    await stopping;
    expect(recorded).toBe(true);
    void results.hold('wo-1', record('late'));
    expect(sent).toEqual(['late']);
  });
});
