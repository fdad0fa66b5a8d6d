import { Inject, Injectable, Type } from '@nestjs/common';
import {
  AppendRequest,
  AppendResult,
  ReadStreamRequest,
  ReadStreamResult,
  RecordedEvent,
  refuse,
  streamId,
  Subjects,
} from '@workgate/contracts';
import { appendOf, type Aggregate, type Clock } from '@workgate/domain';
import { retryOnConflict } from './command-retry';
import { RpcClient } from './rpc-client';
import { SERVICE_CONTEXT, type ServiceContext } from './service';

/** An event as a store records it: typed data, and the id a decider fixed for it, if any. */
type StoredEvent = { type: string; eventId?: string; data: object };

/** How a command is decided on its aggregate's state: the one thing an application step supplies. */
export type Decide<S, E> = (state: S, clock: Clock) => E[];

/** Who a command is recorded as, and when (now, unless the caller records something that happened earlier). */
export interface RecordedBy {
  actor: string;
  now?: string;
  /** The actor's issuer and subject (OpenID Connect), kept in the events' metadata beside `actor`. */
  signedIn?: { issuer: string; subject: string };
}

/** A command's result: the state after it, and the ledger position of its commit (or of the stream's last event when it recorded nothing). */
export interface Executed<S> {
  state: S;
  position: number;
}

/** A state of an aggregate that exists: every aggregate's initial state is `{ status: 'none' }`. */
export type Existing<S> = Exclude<S, { status: 'none' }>;

/** The state if its aggregate exists, else `not_found` naming what has no such id. */
export function existing<S extends { status: string }>(state: S, what: string): Existing<S> {
  if (!exists(state)) throw refuse('not_found', `no ${what} has that id`);
  return state;
}

const exists = <S extends { status: string }>(state: S): state is Existing<S> => state.status !== 'none';

/**
 * The work order an append (decided on `state`) changes too, if any: an approval's decision or an
 * exception's resolution. Intake, which decides work orders, commits such an append together with
 * its outcome on the work order, so the append's position covers both.
 */
export type WorkOrderChangedBy<S> = (state: S, append: AppendRequest) => string | undefined;

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
): Promise<{ state: S; version: number; position: number }> {
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

/**
 * The one-line application step of every aggregate: load the stream from the ledger, decide,
 * append with the expected version (retrying on a concurrent change), answer after the commit.
 */
export class AggregateStore<S extends { status: string }, C, E extends StoredEvent> {
  constructor(
    protected readonly rpc: RpcClient,
    private readonly def: Aggregate<S, C, E>,
    private readonly workOrderChangedBy?: WorkOrderChangedBy<S>,
    /** The service that decides this aggregate: named as `producer` in every event's metadata (docs/ledger.md, Table). */
    private readonly producer?: string,
  ) {}

  load(id: string): Promise<{ state: S; version: number; position: number }> {
    // The stream holds only this aggregate's events: the ledger's event map types them.
    return foldStream(pagesOver(this.rpc), streamId(this.def.stream, id), this.def.initial(), (s, e) =>
      this.def.evolve(s, e as unknown as E),
    );
  }

  /** The state of an aggregate that exists, or `not_found` naming what has no such id. */
  async existing(id: string, what: string): Promise<Existing<S>> {
    return existing((await this.load(id)).state, what);
  }

  /** Commits a command's events, decided on `state`; the position of the commit: through intake, with their outcome, when they change a work order. */
  private async commit(state: S, append: AppendRequest): Promise<number> {
    const workOrderId = this.workOrderChangedBy?.(state, append);
    if (workOrderId)
      return (await this.rpc.request(Subjects.intake.commitWithOutcome, { workOrderId, append })).position;
    const appended: AppendResult = await this.rpc.request(Subjects.ledger.append, append);
    return appended.positions[appended.positions.length - 1];
  }

  /** Decides on the aggregate's current state and commits the events (deciding again on a concurrent change). */
  async handle(
    id: string,
    decide: Decide<S, E>,
    { actor, now = new Date().toISOString(), signedIn }: RecordedBy,
  ): Promise<Executed<S>> {
    return retryOnConflict(async () => {
      const { state, version, position } = await this.load(id);
      const events = decide(state, { now });
      if (events.length === 0) return { state, position };
      const metadata = {
        actor,
        ...(signedIn ? { issuer: signedIn.issuer, subject: signedIn.subject } : {}),
        ...(this.producer ? { producer: this.producer } : {}),
      };
      const committed = await this.commit(
        state,
        appendOf(this.def, id, version, events, { metadata, occurredAt: now }),
      );
      return { state: events.reduce((s, e) => this.def.evolve(s, e), state), position: committed };
    });
  }

  /** Decides `command` with the aggregate's own decider and commits its events, as `handle` does. */
  execute(id: string, command: C, by: RecordedBy): Promise<Executed<S>> {
    return this.handle(id, (state, clock) => this.def.decide(command, state, clock), by);
  }
}

/**
 * The application step of every aggregate in one line:
 * `handle(store, id, (state, clock) => aggregate.decide(command, state, clock), { actor })`.
 */
export function handle<S extends { status: string }, C, E extends StoredEvent>(
  store: AggregateStore<S, C, E>,
  id: string,
  decide: Decide<S, E>,
  by: RecordedBy,
): Promise<Executed<S>> {
  return store.handle(id, decide, by);
}

/**
 * The store of one aggregate as an injectable class, wired with the service's RPC client;
 * `workOrderChangedBy` names the work order an append changes too (committed with it through intake).
 */
export function storeFor<S extends { status: string }, C, E extends StoredEvent>(
  def: Aggregate<S, C, E>,
  workOrderChangedBy?: WorkOrderChangedBy<S>,
): Type<AggregateStore<S, C, E>> {
  @Injectable()
  class Store extends AggregateStore<S, C, E> {
    constructor(rpc: RpcClient, @Inject(SERVICE_CONTEXT) ctx: ServiceContext) {
      super(rpc, def, workOrderChangedBy, ctx.service);
    }
  }
  return Store;
}
