import { Inject, Injectable, Type } from '@nestjs/common';
import { AppendRequest, refuse, Subjects } from '@workgate/contracts';
import type { Aggregate } from '@workgate/domain';
import {
  appendOver,
  type CommandStream,
  type DecidedEvent,
  type Folded,
  handle,
  readOf,
  type RecordedBy,
} from './command-handler';
import { RpcClient } from './rpc-client';
import { SERVICE_CONTEXT, type ServiceContext } from './service';

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

/**
 * An aggregate's stream in the ledger, for the command handler (`handle`): read whole over NATS,
 * its events stamped with the service that decides it, committed through intake with their
 * outcome when they change a work order.
 */
export class AggregateStore<S extends { status: string }, C, E extends DecidedEvent> implements CommandStream<S, E> {
  readonly load: (id: string) => Promise<Folded<S>>;

  constructor(
    protected readonly rpc: RpcClient,
    readonly def: Aggregate<S, C, E>,
    private readonly workOrderChangedBy?: WorkOrderChangedBy<S>,
    /** The service that decides this aggregate: named as `producer` in every event's metadata (docs/ledger.md, Table). */
    readonly producer?: string,
  ) {
    this.load = readOf(rpc, def);
  }

  /** The state of an aggregate that exists, or `not_found` naming what has no such id. */
  async existing(id: string, what: string): Promise<Existing<S>> {
    return existing((await this.load(id)).state, what);
  }

  /** Commits a command's events, decided on `state`; the position of the commit: through intake, with their outcome, when they change a work order. */
  async commit(appends: AppendRequest[], state: S): Promise<number> {
    const workOrderId = appends.length === 1 ? this.workOrderChangedBy?.(state, appends[0]) : undefined;
    if (workOrderId)
      return (await this.rpc.request(Subjects.intake.commitWithOutcome, { workOrderId, append: appends[0] })).position;
    return appendOver(this.rpc)(appends);
  }

  /** Decides `command` with the aggregate's own decider and commits its events, as `handle` does. */
  execute(id: string, command: C, by: RecordedBy): Promise<Executed<S>> {
    return handle(this, id, (state, clock) => this.def.decide(command, state, clock), by);
  }
}

/**
 * The store of one aggregate as an injectable class, wired with the service's RPC client;
 * `workOrderChangedBy` names the work order an append changes too (committed with it through intake).
 */
export function storeFor<S extends { status: string }, C, E extends DecidedEvent>(
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
