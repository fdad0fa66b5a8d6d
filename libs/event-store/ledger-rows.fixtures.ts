import { randomUUID } from 'node:crypto';
import { chainHash, composeCanonicalEvent } from './hash';
import { addLedgerRow, emptyLedgerRows, LedgerRows } from './ledger-rows';

/**
 * Rows of chained events at positions [from, to), each the first event of a stream of its own
 * (`<type>-<position>`), chained after `prev`, as a ledger holds them: for tests and benchmarks
 * that fill a ledger without its writer. `data` is each event's data as canonical JSON.
 */
export function chainedRows(
  from: number,
  to: number,
  prev: string,
  type: string,
  data: (position: number) => string = () => '{}',
): { rows: LedgerRows; last: string } {
  const rows = emptyLedgerRows();
  const at = new Date().toISOString();
  for (let position = from; position < to; position++) {
    const event = { position, streamId: `${type.toLowerCase()}-${position}`, eventId: randomUUID(), type };
    const body = data(position);
    const hash = chainHash(
      prev,
      composeCanonicalEvent({ ...event, streamVersion: 1, occurredAt: at, recordedAt: at }, body, '{}'),
    );
    addLedgerRow(rows, {
      ...event,
      version: 1,
      data: body,
      metadata: '{}',
      occurredAt: at,
      recordedAt: at,
      prevHash: prev,
      hash,
    });
    prev = hash;
  }
  return { rows, last: prev };
}
