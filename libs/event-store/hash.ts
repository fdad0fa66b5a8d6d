import { hash } from 'node:crypto';
import { canonicalize, type RecordedEvent } from '@workgate/contracts';

/** The `prev_hash` of the first event in the ledger. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of a recorded event that its hash covers (everything but the hashes themselves). */
export type HashedFields = Omit<RecordedEvent, 'prevHash' | 'hash'>;

/**
 * RFC 8785 canonical JSON of an event, composed from already-canonical `data` and `metadata`
 * so JSON work is done once per event. Keys appear in RFC 8785 order (sorted by UTF-16 code
 * units); `canonicalEventJson` in the spec proves it equals canonicalize() of the whole event.
 */
export function composeCanonicalEvent(
  e: Omit<HashedFields, 'data' | 'metadata'>,
  canonicalData: string,
  canonicalMetadata: string,
): string {
  return (
    `{"data":${canonicalData},"eventId":${JSON.stringify(e.eventId)},"metadata":${canonicalMetadata}` +
    `,"occurredAt":${JSON.stringify(e.occurredAt)},"position":${e.position}` +
    `,"recordedAt":${JSON.stringify(e.recordedAt)},"streamId":${JSON.stringify(e.streamId)}` +
    `,"streamVersion":${e.streamVersion},"type":${JSON.stringify(e.type)}}`
  );
}

/** The RecordedEvent JSON the relay publishes: the event's canonical JSON with its two hashes added. */
export function recordedEventJson(canonicalEvent: string, prevHash: string, hash: string): string {
  return `${canonicalEvent.slice(0, -1)},"hash":"${hash}","prevHash":"${prevHash}"}`;
}

/** Canonical JSON of a recorded event as read back from the ledger (used by verify). */
export function canonicalEventJson(e: HashedFields): string {
  return canonicalize({
    position: e.position,
    streamId: e.streamId,
    streamVersion: e.streamVersion,
    eventId: e.eventId,
    type: e.type,
    data: e.data,
    metadata: e.metadata,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
  });
}

/** hash = sha256(prev_hash || canonical JSON of the event), hex encoded. */
export function chainHash(prevHash: string, canonicalEvent: string): string {
  return hash('sha256', prevHash + canonicalEvent);
}
