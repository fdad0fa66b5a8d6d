import { AppendResult, ReadStreamResult, Subjects, WorkgateError } from '@workgate/contracts';
import { RpcClient } from './rpc-client';

/** A recorded domain event as deciders produce it. */
export interface DomainEvent {
  type: string;
  /** Optional: a deterministic id (timers, consumers); otherwise derived from stream, version and type. */
  eventId?: string;
  data: unknown;
}

export interface AggregateDefinition<S, C, E extends DomainEvent> {
  streamOf(id: string): string;
  initial(): S;
  evolve(state: S, event: E): S;
  decide(command: C, state: S, now: string): E[];
  /** Event id for events that carry none (deterministic, so a retried command records nothing new). */
  eventId(id: string, version: number, type: string): string;
}

const MAX_ATTEMPTS = 4;

/**
 * The one-line application step of every aggregate: load the stream from the ledger, decide,
 * append with the expected version (retrying on a concurrent change), answer after the commit.
 */
export class AggregateStore<S, C, E extends DomainEvent> {
  constructor(
    protected readonly rpc: RpcClient,
    private readonly def: AggregateDefinition<S, C, E>,
  ) {}

  async load(id: string): Promise<{ state: S; version: number }> {
    const stream = await this.rpc.request<ReadStreamResult>(Subjects.ledger.readStream, { streamId: this.def.streamOf(id) });
    const state = stream.events.reduce((s, e) => this.def.evolve(s, { type: e.type, eventId: e.eventId, data: e.data } as E), this.def.initial());
    return { state, version: stream.version };
  }

  async execute(id: string, command: C, actor: string, now = new Date().toISOString()): Promise<S> {
    for (let attempt = 1; ; attempt++) {
      const { state, version } = await this.load(id);
      const events = this.def.decide(command, state, now);
      if (events.length === 0) return state;
      try {
        await this.rpc.request<AppendResult>(Subjects.ledger.append, {
          streamId: this.def.streamOf(id),
          expectedVersion: version === 0 ? 'no_stream' : version,
          events: events.map((e, i) => ({
            eventId: e.eventId ?? this.def.eventId(id, version + i + 1, e.type),
            type: e.type,
            data: e.data as Record<string, unknown>,
            metadata: { actor },
            occurredAt: now,
          })),
        });
        return events.reduce((s, e) => this.def.evolve(s, e), state);
      } catch (error) {
        if ((error as WorkgateError).code !== 'version_conflict' || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }
}
