import { WorkgateError } from '@workgate/contracts';
import { LedgerWriter } from './ledger-writer';
import { ev, ledgerUnderTest } from './spec-support';
import { MAX_APPEND_BYTES, MAX_EVENT_BYTES, prepareAppend } from './validate';
import { verifyLedger } from './verify';

describe('LedgerWriter (real Postgres): what one append and one commit may hold', () => {
  const ledger = ledgerUnderTest();

  it('refuses invalid events with every problem listed, and one bad append never fails its batch', async () => {
    const bad = ledger.writer.append({
      streamId: '',
      expectedVersion: -1,
      events: [{ eventId: 'nope', type: '', data: { s: 'nul\u0000byte' } }],
    });
    const good = ledger.writer.append({ streamId: 'neighbour', expectedVersion: 'no_stream', events: [ev()] });
    const error: unknown = await bad.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkgateError);
    expect(error).toMatchObject({ code: 'invalid_event', details: Array.from({ length: 5 }, () => expect.anything()) });
    await expect(good).resolves.toMatchObject({ nextVersion: 1 });
  });

  it('refuses a NUL character or an unpaired surrogate anywhere in data or metadata, and takes a surrogate pair', () => {
    const append =
      (data: Record<string, unknown>, metadata: Record<string, unknown> = {}) =>
      () =>
        prepareAppend({ streamId: 'text', expectedVersion: 'any', events: [{ ...ev('Text', data), metadata }] });
    expect(append({ s: 'a\ud800b' })).toThrow(/unpaired surrogate/);
    expect(append({ s: 'a\udc00' })).toThrow(/unpaired surrogate/);
    expect(append({ ['k\ud83d']: 1 })).toThrow(/unpaired surrogate/);
    expect(append({}, { s: 'x\u0000' })).toThrow(/metadata contains a NUL/);
    expect(append({ s: 'smile \ud83d\ude00, tab\t' })).not.toThrow();
  });

  it('refuses an append whose events together hold more JSON than one commit may carry', () => {
    const big = 'x'.repeat(MAX_EVENT_BYTES - 100);
    const events = Array.from({ length: Math.ceil(MAX_APPEND_BYTES / big.length) + 1 }, () => ev('Big', { big }));
    expect(() => prepareAppend({ streamId: 'too-big', expectedVersion: 'no_stream', events })).toThrow(
      /at most 67108864 characters of JSON/,
    );
    expect(() =>
      prepareAppend({ streamId: 'big-enough', expectedVersion: 'no_stream', events: events.slice(0, 10) }),
    ).not.toThrow();
  });

  it('splits a burst of appends into commits that each stay under the JSON bound', async () => {
    const commits: number[] = [];
    const small = new LedgerWriter(ledger.db.url, {
      role: 'workgate_ledger',
      maxBatchBytes: 10_000,
      onCommitted: (_, events) => commits.push(events.length),
    });
    await ledger.writer.stop(); // one writer at a time
    await small.start();
    try {
      const text = 'y'.repeat(3_000);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          small.append({ streamId: `chunked-${i}`, expectedVersion: 'no_stream', events: [ev('Chunk', { text })] }),
        ),
      );
      expect(results.every((r) => r.nextVersion === 1)).toBe(true);
      // At most three 3,000-character events fit 10,000: eight take at least three commits.
      expect(commits.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...commits)).toBeLessThanOrEqual(3);
      expect((await verifyLedger(ledger.app)).ok).toBe(true);
    } finally {
      await small.stop();
      await ledger.writer.start();
    }
  });
});
