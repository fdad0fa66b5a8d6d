import { Client } from 'pg';
import { AppendResult, CommitResult, LedgerHead, WorkgateError } from '@workgate/contracts';
import { chainHash, composeCanonicalEvent, recordedEventJson } from './hash';
import { addLedgerRow, emptyLedgerRows, LedgerRows } from './ledger-rows';
import { PreparedAppend, PreparedCommit } from './validate';

/** A commit waiting in the writer's queue, with the promise its caller holds. */
export interface Pending {
  commit: PreparedCommit;
  resolve: (result: CommitResult) => void;
  reject: (error: Error) => void;
}

/** A just-committed event, with its RecordedEvent JSON already composed (no re-serialisation needed). */
export interface CommittedEvent {
  position: number;
  streamId: string;
  streamVersion: number;
  eventId: string;
  type: string;
  /** JSON of the RecordedEvent. */
  json: string;
}

/** What a group commit will write and answer, computed before anything is written. */
export interface BatchPlan {
  /** The rows to insert; their chain hashes (`rows.hashes`) are the Merkle tree's new leaves. */
  rows: LedgerRows;
  committed: CommittedEvent[];
  answers: Array<{ p: Pending; result: CommitResult }>;
  rejected: Array<{ p: Pending; error: WorkgateError }>;
  head: LedgerHead;
  batchVersions: Map<string, number>;
}

/** Where a recorded event is. */
export interface Known {
  streamId: string;
  version: number;
  position: number;
}

/** What the writer knows when it plans a batch: the head and its stream versions. */
export interface WriterPosition {
  head: LedgerHead;
  versions: ReadonlyMap<string, number>;
}

const LOOKUP_SQL = `
  SELECT event_id::text AS event_id, stream_id, stream_version AS version, position
    FROM ledger_events WHERE event_id = ANY($1::uuid[])
  UNION ALL
  SELECT NULL, stream_id, max(stream_version), NULL
    FROM ledger_events WHERE stream_id = ANY($2::text[]) GROUP BY stream_id`;

/** A row of LOOKUP_SQL: a recorded event id, or a stream's last version. */
type LookupRow =
  | { event_id: string; stream_id: string; version: number; position: number }
  | { event_id: null; stream_id: string; version: number; position: null };

/**
 * What the database holds of a batch: where its event ids are recorded already, the last version
 * of each stream it touches (absent: no stream), and those streams.
 */
export async function lookupRecorded(client: Client, batch: Pending[]) {
  const eventIds: string[] = [];
  const streams = new Set<string>();
  for (const p of batch) {
    for (const a of p.commit.appends) {
      for (const e of a.events) eventIds.push(e.eventId);
      streams.add(a.streamId);
    }
  }
  const { rows } = await client.query<LookupRow>(LOOKUP_SQL, [eventIds, [...streams]]);
  const existing = new Map<string, Known>();
  const dbVersions = new Map<string, number>();
  for (const r of rows) {
    if (r.event_id !== null)
      existing.set(r.event_id, { streamId: r.stream_id, version: r.version, position: r.position });
    else dbVersions.set(r.stream_id, r.version);
  }
  return { existing, dbVersions, streams };
}

/**
 * What a commit whose event ids are (partly) recorded already is: undefined when none is (the
 * common case, found without allocating), its first answer when every one is recorded in the
 * stream it names, else `other content`.
 */
function replayOf(
  appends: PreparedAppend[],
  known: (eventId: string) => Known | undefined,
): CommitResult | 'other content' | undefined {
  let any = false;
  let all = true;
  for (const a of appends) {
    for (const e of a.events) {
      const k = known(e.eventId);
      if (k === undefined) all = false;
      else if (k.streamId !== a.streamId) return 'other content';
      else any = true;
    }
  }
  if (!any) return undefined;
  if (!all) return 'other content';
  const results = appends.map((a) => {
    const recorded = a.events.map((e) => known(e.eventId)!);
    return { positions: recorded.map((k) => k.position), nextVersion: recorded[recorded.length - 1].version };
  });
  return { results, position: Math.max(...results.flatMap((r) => r.positions)) };
}

/** Version-checks and hashes a batch in position order; writes nothing. */
export function planBatch(
  batch: Pending[],
  existing: Map<string, Known>,
  dbVersions: Map<string, number>,
  at: WriterPosition,
): BatchPlan {
  const recordedAt = new Date().toISOString();
  let position = at.head.position;
  let prevHash = at.head.hash;
  const rows = emptyLedgerRows();
  const committed: CommittedEvent[] = [];
  const inBatch = new Map<string, Known>();
  const batchVersions = new Map<string, number>();
  const answers: Array<{ p: Pending; result: CommitResult }> = [];
  // Refusals are answered only once the batch is final: a fast-path batch may be redone.
  const rejected: Array<{ p: Pending; error: WorkgateError }> = [];

  for (const p of batch) {
    const { appends } = p.commit;
    const replay = replayOf(appends, (eventId) => existing.get(eventId) ?? inBatch.get(eventId));
    if (replay === 'other content') {
      rejected.push({
        p,
        error: new WorkgateError(
          'duplicate_event_id',
          'an event id of this append is already recorded with other content',
        ),
      });
      continue;
    }
    if (replay) {
      // A replay of a commit that was already accepted: answer as the first time, write nothing.
      answers.push({ p, result: replay });
      continue;
    }
    // Every stream's version first: one refused stream refuses the whole commit.
    const current = appends.map(
      (a) => batchVersions.get(a.streamId) ?? at.versions.get(a.streamId) ?? dbVersions.get(a.streamId) ?? 0,
    );
    const conflict = appends.findIndex((a, i) => a.expectedVersion !== 'any' && a.expectedVersion !== current[i]);
    if (conflict >= 0) {
      const { streamId, expectedVersion } = appends[conflict];
      const expected = expectedVersion === 0 ? 'no stream' : expectedVersion;
      const error = new WorkgateError(
        'version_conflict',
        `stream ${streamId} is at version ${current[conflict]}, the append expected ${expected}`,
        [{ streamId, expectedVersion, currentVersion: current[conflict] }],
      );
      rejected.push({ p, error });
      continue;
    }
    const results: AppendResult[] = appends.map((a, i) => {
      let version = current[i];
      const positions: number[] = [];
      for (const e of a.events) {
        position += 1;
        version += 1;
        const occurredAt = e.occurredAt ?? recordedAt;
        const canonical = composeCanonicalEvent(
          {
            position,
            streamId: a.streamId,
            streamVersion: version,
            eventId: e.eventId,
            type: e.type,
            occurredAt,
            recordedAt,
          },
          e.canonicalData,
          e.canonicalMetadata,
        );
        const hash = chainHash(prevHash, canonical);
        committed.push({
          position,
          streamId: a.streamId,
          streamVersion: version,
          eventId: e.eventId,
          type: e.type,
          json: recordedEventJson(canonical, prevHash, hash),
        });
        addLedgerRow(rows, {
          position,
          streamId: a.streamId,
          version,
          eventId: e.eventId,
          type: e.type,
          data: e.canonicalData,
          metadata: e.canonicalMetadata,
          occurredAt,
          recordedAt,
          prevHash,
          hash,
        });
        prevHash = hash;
        positions.push(position);
        inBatch.set(e.eventId, { streamId: a.streamId, version, position });
      }
      batchVersions.set(a.streamId, version);
      return { positions, nextVersion: version };
    });
    answers.push({ p, result: { results, position } });
  }

  return { rows, committed, answers, rejected, head: { position, hash: prevHash }, batchVersions };
}

/**
 * What the callers of a failed group commit are told: a refusal as it is; anything else (the
 * database's own words, constraint names, SQL) goes to `logError` and they get the outcome.
 */
export function commitFailure(error: unknown, logError?: (message: string) => void): WorkgateError {
  if (error instanceof WorkgateError) return error;
  logError?.(`ledger append failed: ${error instanceof Error ? error.message : String(error)}`);
  return new WorkgateError(
    'unavailable',
    'the ledger could not commit the write: a retry with the same Idempotency-Key is safe',
  );
}
