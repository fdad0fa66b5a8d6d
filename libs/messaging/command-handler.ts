import {
  AppendRequest,
  ReadStreamRequest,
  ReadStreamResult,
  RecordedEvent,
  streamId,
  Subjects,
  WorkgateError,
} from '@workgate/contracts';
import { appendOf, type Aggregate, type Clock } from '@workgate/domain';
import { retryOnConflict } from './command-retry';
import { RpcClient } from './rpc-client';

/**
 * An event as a decider returns it: typed data, and the id it must be recorded under when the
 * decider fixed one; an event that brings its own metadata and time (a work order's) keeps them.
 */
export type DecidedEvent = { type: string; eventId?: string; data: object; metadata?: object; occurredAt?: string };

/** How a command is decided on its stream's state: the one thing an application step supplies (a refusal throws). */
export type Decide<S, E> = (state: S, clock: Clock) => E[] | Promise<E[]>;

/** Who a command is recorded as, and when (now, unless the caller records something that happened earlier). */
export interface RecordedBy {
  actor: string;
  now?: string;
  /** The actor's issuer and subject (OpenID Connect), kept in the events' metadata beside `actor`. */
  signedIn?: { issuer: string; subject: string };
}

/** A stream as read: its state, its version (what an append after it expects) and the position of its last event. */
export interface Folded<S> {
  state: S;
  version: number;
  position: number;
}

/**
 * A stream commands are handled on: its aggregate's definition (stream type, initial state,
 * evolution, ids of events a decider fixed none for), how it is read and how a command's appends
 * are committed (one ledger commit: the stream's own append first, then those `with` adds).
 */
export interface CommandStream<S, E extends DecidedEvent> {
  readonly def: Pick<Aggregate<S, unknown, E, unknown>, 'stream' | 'initial' | 'evolve' | 'eventId'>;
  load(id: string): Promise<Folded<S>>;
  /** Commits the appends of a command decided on `state`; the commit's position. */
  commit(appends: AppendRequest[], state: S): Promise<number>;
  /** The service that decides the stream: named as `producer` in every event's metadata (docs/ledger.md, Table). */
  readonly producer?: string;
}

/** How one command is handled, beside who records it. */
export interface HandleOptions<S, E> extends RecordedBy {
  /** Decide again on a version conflict (MAX_ATTEMPTS in all), or (false) hand the first conflict to the caller. */
  retry?: boolean;
  /** Before deciding again: forgets what the attempt read (a cache, a registry); throws the conflict when deciding again cannot help. */
  beforeRetry?: (conflict: WorkgateError) => void | Promise<void>;
  /** The first attempt takes the stream as not there yet (its initial state, version 0) without reading it; a conflict reads it. */
  opens?: boolean;
  /** Other streams' appends committed in the same commit, asked after each decision; they commit even when the command records nothing. */
  with?: (events: E[], after: S) => AppendRequest[];
  /** Told the state the decided events leave, before the commit; what it does never stops the commit. */
  told?: (after: S, events: E[]) => void;
}

/**
 * A command handled: the state after it, the events it recorded, the stream's version after them,
 * and the position of its commit (of the stream's last event when it recorded nothing).
 */
export interface Handled<S, E> {
  state: S;
  events: E[];
  version: number;
  position: number;
}

/**
 * The one command handler: reads the stream, decides on its state, appends the decided events at
 * the version it read (docs/ledger.md, Append), answering its commit's position after the commit,
 * and, when another writer changed the stream meanwhile (`version_conflict`), reads and decides
 * again. A command that decides nothing appends nothing.
 */
export function handle<S, E extends DecidedEvent>(
  stream: CommandStream<S, E>,
  id: string,
  decide: Decide<S, E>,
  options: HandleOptions<S, E>,
): Promise<Handled<S, E>> {
  const { actor, now = new Date().toISOString(), signedIn, retry = true } = options;
  const metadata = {
    actor,
    ...(signedIn ? { issuer: signedIn.issuer, subject: signedIn.subject } : {}),
    ...(stream.producer ? { producer: stream.producer } : {}),
  };
  let unread = options.opens === true;
  const attempt = async (): Promise<Handled<S, E>> => {
    const { state, version, position } = unread
      ? { state: stream.def.initial(), version: 0, position: 0 }
      : await stream.load(id);
    unread = false;
    const events = await decide(state, { now });
    const after = events.reduce((s, e) => stream.def.evolve(s, e), state);
    const others = options.with?.(events, after) ?? [];
    if (events.length === 0 && others.length === 0) return { state, events, version, position };
    tellSafely(options.told, after, events);
    const own = events.length > 0 ? [appendOf(stream.def, id, version, events, { metadata, occurredAt: now })] : [];
    const committed = await stream.commit([...own, ...others], state);
    return { state: after, events, version: version + events.length, position: committed };
  };
  return retry ? retryOnConflict(attempt, options.beforeRetry) : attempt();
}

function tellSafely<S, E>(told: HandleOptions<S, E>['told'], after: S, events: E[]): void {
  try {
    told?.(after, events);
  } catch {
    // The caller's own failure: the command is committed and answered all the same.
  }
}

/** Reads one page of a stream: `limit` events at most from `fromVersion` on. */
export type StreamPageReader = (request: Required<ReadStreamRequest>) => Promise<ReadStreamResult>;

/** Pages of a stream as the ledger's `read-stream` answers them, over NATS or in this process. */
export const pagesOver =
  (rpc: RpcClient): StreamPageReader =>
  (request) =>
    rpc.request(Subjects.ledger.readStream, request);

/** Events per page of a stream read whole: under NATS's default 1 MB payload unless they average more than 4 KB. */
const STREAM_PAGE = 250;

/**
 * A whole ledger stream folded into a state, page by page (`firstPage` events, then STREAM_PAGE
 * each), with the version and position of its
 * last event: what an append after it expects. A short page that reaches the stream's version is
 * the last; after a full one the next is read (a ledger of an earlier release answered the version
 * of the last event it returned, not the stream's).
 */
export async function foldStream<S>(
  read: StreamPageReader,
  id: string,
  initial: S,
  evolve: (state: S, event: RecordedEvent) => S,
  firstPage = STREAM_PAGE,
): Promise<Folded<S>> {
  let state = initial;
  let version = 0;
  let position = 0;
  for (let limit = firstPage; ; limit = STREAM_PAGE) {
    const page = await read({ streamId: id, fromVersion: version + 1, limit });
    for (const e of page.events) state = evolve(state, e);
    if (page.events.length === 0) break;
    version = page.events[page.events.length - 1].streamVersion;
    position = page.events[page.events.length - 1].position;
    if (page.events.length < limit && version >= page.version) break;
  }
  return { state, version, position };
}

/** A stream of `def` read whole from the ledger (its events are only those `def` records: the ledger's event map types them). */
export function readOf<S, E extends DecidedEvent>(
  rpc: RpcClient,
  def: CommandStream<S, E>['def'],
): (id: string) => Promise<Folded<S>> {
  return (id) =>
    foldStream(pagesOver(rpc), streamId(def.stream, id), def.initial(), (s, e) => def.evolve(s, e as unknown as E));
}

/** Commits a command's one append with the ledger's `append`; the position of its last event. */
export const appendOver =
  (rpc: RpcClient) =>
  async (appends: AppendRequest[]): Promise<number> => {
    if (appends.length !== 1)
      throw new Error('the ledger append commits one stream: commit several with a commit of their own');
    const appended = await rpc.request(Subjects.ledger.append, appends[0]);
    return appended.positions[appended.positions.length - 1];
  };

/** A stream read from and appended to the ledger over `rpc`, its events stamped with `producer` when named. */
export function ledgerStream<S, E extends DecidedEvent>(
  rpc: RpcClient,
  def: CommandStream<S, E>['def'],
  producer?: string,
): CommandStream<S, E> {
  return { def, load: readOf(rpc, def), commit: appendOver(rpc), ...(producer ? { producer } : {}) };
}
