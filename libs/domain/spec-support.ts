import { ErrorCode, WorkgateError } from '@workgate/contracts';

/** What a decider is, for a specification: evolve, and decide with its context. */
interface Decides<S, C, E, X> {
  initial(): S;
  evolve(state: S, event: E): S;
  decide(command: C, state: S, context: X): E[];
}

/**
 * Specifications that read as the domain does: `given(events).when(command).then(events)`, or
 * `.thenThrows(code)`. One harness for every decider; no Nest, NATS or Postgres.
 */
export function specify<S, C, E extends { type: string }, X>(aggregate: Decides<S, C, E, X>, context: () => X) {
  return {
    /** The events these commands record, one after the other from the initial state, each with its own context (its time). */
    historyAt(...steps: Array<[C, X]>): E[] {
      const events: E[] = [];
      let state = aggregate.initial();
      for (const [c, ctx] of steps) {
        const recorded = aggregate.decide(c, state, ctx);
        state = recorded.reduce((s, e) => aggregate.evolve(s, e), state);
        events.push(...recorded);
      }
      return events;
    },
    /** The events these commands record, one after the other from the initial state. */
    history(...commands: C[]): E[] {
      return this.historyAt(...commands.map((c): [C, X] => [c, context()]));
    },
    given(...events: E[]) {
      const state = events.reduce((s, e) => aggregate.evolve(s, e), aggregate.initial());
      return {
        state,
        when(command: C, ctx: X = context()) {
          const run = () => aggregate.decide(command, state, ctx);
          return {
            /** The result whole (for what a decider returns beside its events). */
            result: run,
            /** The events recorded have these types (and pass `check` with the state after them). */
            then(types: Array<E['type']>, check?: (events: E[], after: S) => void): void {
              const events = run();
              expect(events.map((e) => e.type)).toEqual(types);
              check?.(
                events,
                events.reduce((s, e) => aggregate.evolve(s, e), state),
              );
            },
            thenThrows(code: ErrorCode, match?: { message?: string | RegExp; details?: unknown }): void {
              let error: unknown;
              try {
                run();
              } catch (e) {
                error = e;
              }
              expect(error).toBeInstanceOf(WorkgateError);
              const refusal = error instanceof WorkgateError ? error : undefined;
              expect(refusal?.code).toBe(code);
              if (match?.message !== undefined) expect(refusal?.message).toMatch(match.message);
              if (match?.details !== undefined) expect(refusal?.details).toEqual(match.details);
            },
          };
        },
      };
    },
  };
}
