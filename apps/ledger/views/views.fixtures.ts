import { RecordedEvent } from '@workgate/contracts';

/** Time in the views' folds: hours after the first of November 2026, as RFC 3339. */
const T = Date.parse('2026-11-01T00:00:00Z');
export const at = (hours: number): string => new Date(T + hours * 3600 * 1000).toISOString();

/**
 * A recorded event for a fold of the views, at `hours`: each call takes the next ledger position
 * (hashes and ids are not read by the views).
 */
export function eventsAt() {
  let position = 0;
  return (streamId: string, type: string, hours: number, data: Record<string, unknown>): RecordedEvent => ({
    position: ++position,
    streamId,
    streamVersion: 0,
    eventId: '',
    type,
    data,
    metadata: {},
    occurredAt: at(hours),
    recordedAt: at(hours),
    prevHash: '',
    hash: '',
  });
}
