import { Checkpointer } from './checkpointer';
import { LedgerHealth, relayProblems } from './ledger-health';
import { LedgerRelay } from './ledger-relay';
import { LedgerStore } from './ledger-store';

describe('relayProblems', () => {
  it('names a paused relay, since when and why, whatever its lag', () => {
    expect(
      relayProblems(
        { reason: 'the LEDGER stream does not belong to this ledger', since: '2026-01-02T03:04:05.000Z' },
        19,
        19,
      ),
    ).toEqual([
      'the relay to LEDGER is paused since 2026-01-02T03:04:05.000Z: the LEDGER stream does not belong to this ledger',
    ]);
  });

  it('names a relay more than 10,000 events behind the head, and not one at the bound', () => {
    expect(relayProblems(undefined, 5, 10_006)).toEqual([
      'the relay to LEDGER is 10001 events behind the head (more than 10000)',
    ]);
    expect(relayProblems(undefined, 6, 10_006)).toEqual([]);
  });

  it('says nothing of a standby writer, which runs no relay', () => {
    expect(relayProblems(undefined, undefined, 50_000)).toEqual([]);
  });
});

describe('LedgerHealth', () => {
  /** An active writer at position 50 whose relay published 20 events and may be paused. */
  const health = (paused?: { reason: string; since: string }) => {
    const store = {
      reader: { head: async () => ({ position: 50, hash: 'h' }) },
      pool: { query: async () => ({ rows: [] }) },
      writer: { isActive: true, refusing: undefined },
      projections: { names: [], pausedBy: undefined },
      frontier: { position: async () => 50 },
    };
    const relay = { publishedPosition: 20, paused };
    return new LedgerHealth(
      store as unknown as LedgerStore,
      relay as unknown as LedgerRelay,
      { refused: undefined } as unknown as Checkpointer,
    );
  };

  it('names a relay that has not moved for 30 s as stalled', async () => {
    const h = health();
    await h.details(0);
    expect((await h.details(31_000)).problems).toEqual([
      'the relay to LEDGER has not moved for 30 s, 30 events behind',
    ]);
  });

  it('names a paused relay once, as paused, not also as stalled', async () => {
    const h = health({ reason: 'the LEDGER stream does not belong to this ledger', since: '2026-01-02T03:04:05.000Z' });
    await h.details(0);
    expect((await h.details(31_000)).problems).toEqual([
      'the relay to LEDGER is paused since 2026-01-02T03:04:05.000Z: the LEDGER stream does not belong to this ledger',
    ]);
  });
});
