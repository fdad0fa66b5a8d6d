/**
 * Pure deciders per aggregate: decide(command, state) -> events, evolve(state, event) -> state.
 * No Nest, no NATS, no Postgres. The work-order, approval, exception, post-review and delegation
 * deciders land here with their issues.
 */
export {};
