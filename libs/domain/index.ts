/**
 * Pure deciders per aggregate: decide(command, state) -> events, evolve(state, event) -> state.
 * No Nest, no NATS, no Postgres.
 */
export * from './ids';
export * from './work-order/work-order.decider';
export * from './work-order/lifecycle';
export * from './approval/approval.decider';
export * from './delegation/delegation.decider';
export * from './exception/exception.decider';
export * from './exception/post-review.decider';
