import { Client } from 'pg';
import {
  AppendRequest,
  AppendResult,
  CommitRequest,
  CommitResult,
  LedgerHead,
  rememberRecent,
  WorkgateError,
} from '@workgate/contracts';
import { chainHash, composeCanonicalEvent, GENESIS_HASH, recordedEventJson } from './hash';
import { appendLeaf, emptyTreeRows, insertTreeRows, storedTreeSize, treeFrontier, TreeRows } from './ledger-tree';
import { MerkleFrontier } from './merkle';
import { createClient } from './pg';
import { commitOf, MAX_APPEND_BYTES, PreparedAppend, prepareAppend, PreparedCommit, prepareCommit } from './validate';

export interface LedgerWriterOptions {
  /** Postgres role the writer acts as (INSERT/SELECT only on the ledger). */
  role?: string;
  /** Most events one group commit writes. */
  maxBatchEvents?: number;
  /** Most characters of JSON (data + metadata) one group commit writes; one append alone may hold up to MAX_APPEND_BYTES. */
  maxBatchBytes?: number;
  /** How long a commit waits for company when the queue is short; 0 = commit as soon as the writer is free. */
  lingerMs?: number;
  /** How often a standby instance tries to take the writer lock. */
  standbyPollMs?: number;
  /** Stream versions kept in memory, so most appends need no version lookup. */
  streamCacheSize?: number;
  /** false: keep no Merkle tree (for measuring what the tree costs only: proofs and checkpoints need it). */
  merkleTree?: boolean;
  /** Called after every commit with the new head and the events it recorded, in position order (the relay's fast path). */
  onCommitted?: (head: LedgerHead, events: CommittedEvent[]) => void;
  /** Called when this instance becomes (or stops being) the single writer. */
  onActiveChange?: (active: boolean) => void;
  /**
   * Signs a commit: its last position and that event's chain hash (the ledger's key, see
   * commit-signature.ts). The signature is written in the commit's statement; without it the
   * writer signs nothing (measurements, tests of the library alone).
   */
  signCommit?: (position: number, hash: string) => Buffer;
  /**
   * Asked once the lock is taken, before this instance writes anything: whether the ledger it
   * found is one it may extend. A refusal makes it refuse every append (and say why in
   * `refusing`); `adopt` makes it sign the head first (the rows of a ledger written before commits
   * were signed).
   */
  admit?: () => Promise<WriterAdmission>;
  /**
   * Told each time the writer starts refusing to write, whether at admission or because rows
   * appeared around it while it ran (it also logs the reason through `logError`): for a metric.
   */
  onRefuse?: (reason: string) => void;
  log?: (message: string) => void;
  /** A failure the writer's callers are not told in its own words (the database's text is internal): logged here, at error level. */
  logError?: (message: string) => void;
}

/** What `admit` decided about the ledger a writer found. */
export type WriterAdmission = { ok: true; adopt?: boolean } | { ok: false; reason: string };

interface Pending {
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

interface BatchPlan {
  rows: LedgerRows;
  /** The interior nodes of the Merkle tree the rows complete, and the tree's right edge after them. */
  tree: TreeRows;
  frontier: MerkleFrontier;
  committed: CommittedEvent[];
  answers: Array<{ p: Pending; result: CommitResult }>;
  rejected: Array<{ p: Pending; error: WorkgateError }>;
  head: LedgerHead;
  batchVersions: Map<string, number>;
}

interface Known {
  streamId: string;
  version: number;
  position: number;
}

/** Advisory-lock key owned by the one ledger writer. */
export const WRITER_LOCK_KEY = 7243002;

const LOOKUP_SQL = `
  SELECT event_id::text AS event_id, stream_id, stream_version AS version, position
    FROM ledger_events WHERE event_id = ANY($1::uuid[])
  UNION ALL
  SELECT NULL, stream_id, max(stream_version), NULL
    FROM ledger_events WHERE stream_id = ANY($2::text[]) GROUP BY stream_id`;

/** The rows of one group commit, column by column, in position order. */
export interface LedgerRows {
  positions: number[];
  streamIds: string[];
  versions: number[];
  eventIds: string[];
  types: string[];
  /** Canonical JSON texts. */
  data: string[];
  metadata: string[];
  occurredAt: string[];
  recordedAt: string[];
  prevHashes: string[];
  hashes: string[];
}

export function emptyLedgerRows(): LedgerRows {
  return {
    positions: [],
    streamIds: [],
    versions: [],
    eventIds: [],
    types: [],
    data: [],
    metadata: [],
    occurredAt: [],
    recordedAt: [],
    prevHashes: [],
    hashes: [],
  };
}

/** One row of a group commit (data and metadata as canonical JSON text). */
export interface LedgerRow {
  position: number;
  streamId: string;
  version: number;
  eventId: string;
  type: string;
  data: string;
  metadata: string;
  occurredAt: string;
  recordedAt: string;
  prevHash: string;
  hash: string;
}

/** Adds one row to the columns of a group commit, after the ones already there. */
export function addLedgerRow(rows: LedgerRows, r: LedgerRow): void {
  rows.positions.push(r.position);
  rows.streamIds.push(r.streamId);
  rows.versions.push(r.version);
  rows.eventIds.push(r.eventId);
  rows.types.push(r.type);
  rows.data.push(r.data);
  rows.metadata.push(r.metadata);
  rows.occurredAt.push(r.occurredAt);
  rows.recordedAt.push(r.recordedAt);
  rows.prevHashes.push(r.prevHash);
  rows.hashes.push(r.hash);
}

/**
 * Postgres array literals written in one join, not element by element by the driver. Only for
 * values that never need escaping: stream ids, event types, UUIDs, ISO times and hex hashes
 * (checked by prepareAppend or made by the writer) hold no quote, backslash, comma, brace or
 * space. Every element is quoted, so a stream named NULL stays text.
 */
const textArray = (values: string[]) => `{"${values.join('","')}"}`;
const numberArray = (values: number[]) => `{${values.join(',')}}`;

/**
 * Writes the rows in ONE statement (all or nothing) into `table` (ledger_events, or a copy with
 * the same columns; a fixed name, never input). data and metadata travel as one JSON array text each ("[d1,d2,...]", joined
 * from the canonical texts: no escaping in Node) and are split by Postgres's own JSON parser in
 * one pass, each element kept as the text it was (the columns are `json`); ROWS FROM zips them
 * with the other columns row by row.
 */
export async function insertLedgerRows(
  client: Client,
  rows: LedgerRows,
  table = 'ledger_events',
  tree?: TreeRows,
  signature?: Buffer,
): Promise<void> {
  // The Merkle tree's nodes the rows complete and the commit's signature go in the same statement (one commit, all or nothing).
  const withTree = tree !== undefined && tree.levels.length > 0;
  const sig = withTree ? 15 : 12;
  const ctes = [
    ...(withTree
      ? [
          `tree AS (INSERT INTO ledger_tree (level, idx, hash) SELECT l, i, decode(h, 'hex') FROM ROWS FROM (unnest($12::smallint[]), unnest($13::bigint[]), unnest($14::text[])) AS t(l, i, h))`,
        ]
      : []),
    ...(signature
      ? [
          `sig AS (INSERT INTO ledger_commit_signatures (position, signature) VALUES ($${sig}::bigint, $${sig + 1}::bytea))`,
        ]
      : []),
  ];
  await client.query({
    // Named: each connection parses and plans the statement once, not on every commit.
    name: `insert-${table}${withTree ? '-with-tree' : ''}${signature ? '-signed' : ''}`,
    text: `${ctes.length ? `WITH ${ctes.join(', ')} ` : ''}INSERT INTO ${table}
       (position, stream_id, stream_version, event_id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash)
     SELECT p, s, v, e, t, d, m, o, r, ph, h
       FROM ROWS FROM (unnest($1::bigint[]), unnest($2::text[]), unnest($3::int[]), unnest($4::uuid[]), unnest($5::text[]),
                       json_array_elements($6::json), json_array_elements($7::json),
                       unnest($8::timestamptz[]), unnest($9::timestamptz[]), unnest($10::text[]), unnest($11::text[]))
         AS u(p, s, v, e, t, d, m, o, r, ph, h)`,
    values: [
      numberArray(rows.positions),
      textArray(rows.streamIds),
      numberArray(rows.versions),
      textArray(rows.eventIds),
      textArray(rows.types),
      `[${rows.data.join(',')}]`,
      `[${rows.metadata.join(',')}]`,
      textArray(rows.occurredAt),
      textArray(rows.recordedAt),
      textArray(rows.prevHashes),
      textArray(rows.hashes),
      ...(withTree ? [numberArray(tree.levels), numberArray(tree.indexes), textArray(tree.hashes)] : []),
      ...(signature ? [rows.positions[rows.positions.length - 1], signature] : []),
    ],
  });
}

const HEAD_SQL = 'SELECT position, hash FROM ledger_events ORDER BY position DESC LIMIT 1';

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

/**
 * The single writer of the evidence ledger.
 *
 * One instance per deployment holds a Postgres advisory lock on its own connection and does
 * every write through that connection, so the lock and the writes live and die together.
 * Concurrent appends are group-committed: collected while the previous commit is in flight
 * (or for `lingerMs`), version-checked against an in-memory stream cache, hashed in position
 * order, written in one INSERT ... SELECT unnest(...) (one implicit transaction, one fsync),
 * and only then answered. Positions are assigned here, so they are gap-free.
 */
export class LedgerWriter {
  private readonly opts: Required<
    Omit<
      LedgerWriterOptions,
      'role' | 'onCommitted' | 'onActiveChange' | 'log' | 'signCommit' | 'admit' | 'logError' | 'onRefuse'
    >
  > &
    LedgerWriterOptions;
  private client?: Client;
  private active = false;
  private stopping = false;
  private head: LedgerHead = { position: 0, hash: GENESIS_HASH };
  /** The Merkle tree's right edge at the head (its leaves are the chain hashes written so far). */
  private frontier = new MerkleFrontier();
  /** Set when the ledger holds rows this writer did not write: it writes nothing more until an operator acts. */
  private foreign?: string;
  private queue: Pending[] = [];
  private queuedEvents = 0;
  private flushing = false;
  private flushScheduled = false;
  private lingerTimer?: NodeJS.Timeout;
  /** After a lost connection: when to compete for the lock again (cleared by `stop`). */
  private restartTimer?: NodeJS.Timeout;
  private currentFlush: Promise<void> = Promise.resolve();
  private readonly versions = new Map<string, number>();
  private acquiring?: Promise<void>;

  constructor(
    private readonly connectionString: string,
    options: LedgerWriterOptions = {},
  ) {
    this.opts = {
      maxBatchEvents: 4000,
      maxBatchBytes: MAX_APPEND_BYTES,
      lingerMs: 0,
      standbyPollMs: 500,
      streamCacheSize: 200_000,
      merkleTree: true,
      ...options,
    };
  }

  get isActive(): boolean {
    return this.active;
  }

  currentHead(): LedgerHead {
    return { ...this.head };
  }

  /** The tree of every event written so far: its size (= the head position) and root. */
  currentTree(): { size: number; root: Buffer } {
    return { size: this.frontier.leaves, root: this.frontier.root() };
  }

  /** Why this writer refuses to write (rows appeared that it did not write), if it does. */
  get refusing(): string | undefined {
    return this.foreign;
  }

  /** Resolves once this instance is the writer; waits as a standby while another instance holds the lock. */
  start(): Promise<void> {
    this.stopping = false;
    this.acquiring ??= this.acquire().finally(() => (this.acquiring = undefined));
    return this.acquiring;
  }

  /** Appends events to one stream; resolves after the commit that records them. */
  append(request: AppendRequest): Promise<AppendResult> {
    let append: PreparedAppend;
    try {
      append = prepareAppend(request);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.commitPrepared(commitOf(append)).then((r) => r.results[0]);
  }

  /** Appends a command's events to every stream it touches, each at its expected version: all in one commit, or none. */
  commit(request: CommitRequest): Promise<CommitResult> {
    let commit: PreparedCommit;
    try {
      commit = prepareCommit(request);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.commitPrepared(commit);
  }

  /**
   * Commits what `prepareCommit` made of a request (checked, canonical JSON computed), for callers
   * of the same process that prepared it themselves; never for anything read from outside.
   */
  commitPrepared(commit: PreparedCommit): Promise<CommitResult> {
    if (!this.active) {
      return Promise.reject(new WorkgateError('unavailable', 'this ledger instance is not the writer (standby)'));
    }
    if (this.foreign)
      return Promise.reject(new WorkgateError('unavailable', `the ledger writer refuses to write: ${this.foreign}`));
    return new Promise<CommitResult>((resolve, reject) => {
      this.queue.push({ commit, resolve, reject });
      this.queuedEvents += commit.eventCount;
      this.kick();
    });
  }

  /** Finishes the commit in flight, refuses what is still queued, releases the lock. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.currentFlush;
    this.failQueued(new WorkgateError('unavailable', 'the ledger writer is shutting down'));
    this.setActive(false);
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.query('SELECT pg_advisory_unlock($1)', [WRITER_LOCK_KEY]).catch(() => undefined);
      await client.end().catch(() => undefined);
    }
    await this.acquiring?.catch(() => undefined);
  }

  private async acquire(): Promise<void> {
    while (!this.stopping) {
      try {
        if (!this.client) {
          const client = createClient(this.connectionString, {
            role: this.opts.role,
            applicationName: 'workgate-ledger-writer',
          });
          client.on('error', (error) => this.lostConnection(client, error));
          await client.connect();
          this.client = client;
        }
        const { rows } = await this.client.query('SELECT pg_try_advisory_lock($1) AS locked', [WRITER_LOCK_KEY]);
        if (rows[0].locked) {
          await this.loadHead();
          // The tree over rows without nodes is computed for admission and stored only once admitted:
          // nodes over rows an operator must remove (a refused ledger) are never written.
          if (this.opts.merkleTree) await this.loadTree(this.client, false);
          await this.admit(this.client);
          if (this.opts.merkleTree && !this.foreign) await this.loadTree(this.client, true);
          this.versions.clear();
          this.setActive(true);
          this.opts.log?.(`ledger writer active at position ${this.head.position}`);
          return;
        }
      } catch (error) {
        this.opts.log?.(`ledger writer cannot take the lock yet: ${(error as Error).message}`);
        await this.dropClient();
      }
      await new Promise((r) => setTimeout(r, this.opts.standbyPollMs));
    }
  }

  private async loadHead(): Promise<void> {
    const { rows } = await this.client!.query(HEAD_SQL);
    this.head = rows.length ? { position: rows[0].position, hash: rows[0].hash } : { position: 0, hash: GENESIS_HASH };
  }

  /**
   * The tree's right edge at the head, from the stored nodes; leaves recorded without their nodes
   * (a ledger written before the tree, a commit whose nodes a crash cut off is not possible: they
   * go in one statement) are computed in pages, and stored when `persist`.
   */
  private async loadTree(client: Client, persist: boolean): Promise<void> {
    const stored = Math.min(await storedTreeSize(client), this.head.position);
    const frontier = await treeFrontier(client, stored);
    for (let after = stored; after < this.head.position;) {
      const { rows } = await client.query<{ position: number; hash: string }>(
        'SELECT position, hash FROM ledger_events WHERE position > $1 ORDER BY position LIMIT 10000',
        [after],
      );
      const tree = emptyTreeRows();
      for (const r of rows) appendLeaf(frontier, r.hash, tree);
      if (persist) await insertTreeRows(client, tree);
      after = rows[rows.length - 1].position;
      if (persist && this.head.position - stored > 10_000)
        this.opts.log?.(`ledger tree filled to position ${after} of ${this.head.position}`);
    }
    this.frontier = frontier;
  }

  /** Whether this writer may extend the ledger it found; refuses (until an operator acts) when not. */
  private async admit(client: Client): Promise<void> {
    const admission = (await this.opts.admit?.()) ?? { ok: true };
    if (!admission.ok) {
      this.refuse(admission.reason);
      return;
    }
    if (admission.adopt && this.head.position > 0 && this.opts.signCommit) {
      await client.query(
        'INSERT INTO ledger_commit_signatures (position, signature) VALUES ($1, $2) ON CONFLICT (position) DO NOTHING',
        [this.head.position, this.opts.signCommit(this.head.position, this.head.hash)],
      );
    }
  }

  /** Refuses every append from now on, loudly (error log and `onRefuse`), the same way whatever the cause. */
  private refuse(reason: string): void {
    this.foreign = reason;
    this.opts.logError?.(`the ledger writer refuses to write: ${reason}. Restore the ledger, then restart`);
    this.opts.onRefuse?.(reason);
  }

  private lostConnection(client: Client, error: Error): void {
    if (client !== this.client) return;
    this.opts.log?.(`ledger writer lost its connection: ${error.message}`);
    this.setActive(false);
    void this.dropClient();
    // Back off before competing for the lock again, so a healthy standby can take over.
    // One retry pending at a time; `stop` cancels it, so a stopped writer stays stopped.
    clearTimeout(this.restartTimer);
    if (!this.stopping) {
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        void this.start();
      }, this.opts.standbyPollMs).unref();
    }
  }

  private async dropClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private setActive(active: boolean): void {
    if (this.active === active) return;
    this.active = active;
    this.opts.onActiveChange?.(active);
  }

  private kick(): void {
    if (this.flushing || this.queue.length === 0 || this.stopping) return;
    if (this.opts.lingerMs > 0 && this.queuedEvents < this.opts.maxBatchEvents) {
      if (!this.lingerTimer) {
        this.lingerTimer = setTimeout(() => {
          this.lingerTimer = undefined;
          this.startFlush();
        }, this.opts.lingerMs);
      }
      return;
    }
    // Start on the next turn of the event loop, so every append that arrived in this turn
    // (e.g. a burst of NATS requests read from one socket chunk) joins the same commit.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.startFlush();
      });
    }
  }

  private startFlush(): void {
    if (this.flushing || this.queue.length === 0) return;
    if (this.lingerTimer) {
      clearTimeout(this.lingerTimer);
      this.lingerTimer = undefined;
    }
    this.flushing = true;
    const batch = this.takeBatch();
    this.currentFlush = this.flush(batch).finally(() => {
      this.flushing = false;
      this.kick();
    });
  }

  /** The next commits that fit one group commit: at most maxBatchEvents events and maxBatchBytes of JSON (one commit at least). */
  private takeBatch(): Pending[] {
    let events = 0;
    let bytes = 0;
    let n = 0;
    while (
      n < this.queue.length &&
      (n === 0 ||
        (events + this.queue[n].commit.eventCount <= this.opts.maxBatchEvents &&
          bytes + this.queue[n].commit.bytes <= this.opts.maxBatchBytes))
    ) {
      events += this.queue[n].commit.eventCount;
      bytes += this.queue[n].commit.bytes;
      n++;
    }
    this.queuedEvents -= events;
    return this.queue.splice(0, n);
  }

  private failQueued(error: Error): void {
    const queued = this.queue;
    this.queue = [];
    this.queuedEvents = 0;
    for (const p of queued) p.reject(error);
  }

  private async flush(batch: Pending[]): Promise<void> {
    const client = this.client;
    if (!client || !this.active) {
      for (const p of batch) p.reject(new WorkgateError('unavailable', 'the ledger writer is not active'));
      return;
    }
    try {
      await this.writeBatch(client, batch);
    } catch (error) {
      // The single INSERT either committed whole or not at all. Reload what we believe so the
      // next batch starts from the truth; callers may retry (event ids make retries harmless).
      this.versions.clear();
      // The database's own words (constraint names, SQL) stay in the log: callers get the outcome.
      if (!(error instanceof WorkgateError)) this.opts.logError?.(`ledger append failed: ${(error as Error).message}`);
      const wrapped =
        error instanceof WorkgateError
          ? error
          : new WorkgateError(
              'unavailable',
              'the ledger could not commit the write: a retry with the same Idempotency-Key is safe',
            );
      for (const p of batch) p.reject(wrapped);
      if (this.client === client) {
        const ours = this.head.position;
        await this.loadHead().catch(() => undefined);
        // A row this writer did not write (inserted around it): never chain onto it unnoticed.
        if (this.head.position !== ours && !this.foreign) {
          this.refuse(
            `the ledger holds position ${this.head.position}, past this writer's head ${ours}: rows were written around the writer`,
          );
        }
      }
    }
  }

  /**
   * Fast path: when every stream of the batch is either in the version cache or expected not to
   * exist, skip the lookup and let the unique constraints on (stream_id, stream_version) and
   * event_id catch the rare surprise (a replayed event id, a stream created before a restart);
   * the batch is then redone with the lookup. The INSERT is one statement, so a refused batch
   * wrote nothing.
   */
  private async writeBatch(client: Client, batch: Pending[]): Promise<void> {
    const optimistic = batch.every((p) =>
      p.commit.appends.every((a) => this.versions.has(a.streamId) || a.expectedVersion === 0),
    );
    if (optimistic) {
      const plan = this.plan(batch, new Map(), new Map());
      // A refusal may really be the replay of an accepted append: only the lookup can tell.
      if (plan.rejected.length === 0) {
        try {
          await this.write(client, plan);
          return;
        } catch (error) {
          if ((error as { code?: string }).code !== '23505') throw error;
        }
      }
    }
    const { existing, dbVersions } = await this.lookup(client, batch);
    await this.write(client, this.plan(batch, existing, dbVersions));
  }

  private async lookup(client: Client, batch: Pending[]) {
    const eventIds: string[] = [];
    const streams = new Set<string>();
    for (const p of batch) {
      for (const a of p.commit.appends) {
        for (const e of a.events) eventIds.push(e.eventId);
        streams.add(a.streamId);
      }
    }
    const { rows } = await client.query(LOOKUP_SQL, [eventIds, [...streams]]);
    const existing = new Map<string, Known>();
    const dbVersions = new Map<string, number>();
    for (const r of rows) {
      if (r.event_id) existing.set(r.event_id, { streamId: r.stream_id, version: r.version, position: r.position });
      else dbVersions.set(r.stream_id, r.version);
    }
    // What the database says wins over the cache (the cache may predate a takeover).
    for (const s of streams) this.versions.delete(s);
    return { existing, dbVersions };
  }

  /** Version-checks and hashes a batch in position order; writes nothing. */
  private plan(batch: Pending[], existing: Map<string, Known>, dbVersions: Map<string, number>): BatchPlan {
    const recordedAt = new Date().toISOString();
    const frontier = this.frontier.clone();
    const tree = emptyTreeRows();
    let position = this.head.position;
    let prevHash = this.head.hash;
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
        (a) => batchVersions.get(a.streamId) ?? this.versions.get(a.streamId) ?? dbVersions.get(a.streamId) ?? 0,
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
          if (this.opts.merkleTree) appendLeaf(frontier, hash, tree);
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

    return { rows, tree, frontier, committed, answers, rejected, head: { position, hash: prevHash }, batchVersions };
  }

  /** Inserts a planned batch (one statement: all or nothing), then answers every caller. */
  private async write(client: Client, plan: BatchPlan): Promise<void> {
    const wrote = plan.rows.positions.length > 0;
    if (wrote) {
      await insertLedgerRows(
        client,
        plan.rows,
        'ledger_events',
        plan.tree,
        this.opts.signCommit?.(plan.head.position, plan.head.hash),
      );
      this.head = plan.head;
      this.frontier = plan.frontier;
      for (const [streamId, version] of plan.batchVersions) this.rememberVersion(streamId, version);
    }
    for (const { p, error } of plan.rejected) p.reject(error);
    for (const { p, result } of plan.answers) p.resolve(result);
    if (wrote) this.opts.onCommitted?.(this.currentHead(), plan.committed);
  }

  private rememberVersion(streamId: string, version: number): void {
    rememberRecent(this.versions, streamId, version, this.opts.streamCacheSize);
  }
}
