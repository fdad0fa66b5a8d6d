import { relayProblems } from './ledger-health';

describe('relayProblems', () => {
  it('names a paused relay, since when and why, whatever its lag', () => {
    expect(relayProblems({ reason: 'the LEDGER stream does not belong to this ledger', since: '2026-01-02T03:04:05.000Z' }, 19, 19)).toEqual([
      'the relay to LEDGER is paused since 2026-01-02T03:04:05.000Z: the LEDGER stream does not belong to this ledger',
    ]);
  });

  it('names a relay more than 10,000 events behind the head, and not one at the bound', () => {
    expect(relayProblems(undefined, 5, 10_006)).toEqual(['the relay to LEDGER is 10001 events behind the head (more than 10000)']);
    expect(relayProblems(undefined, 6, 10_006)).toEqual([]);
  });

  it('says nothing of a standby writer, which runs no relay', () => {
    expect(relayProblems(undefined, undefined, 50_000)).toEqual([]);
  });
});
