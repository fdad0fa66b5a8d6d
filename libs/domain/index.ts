/**
 * Pure deciders per aggregate: decide(command, state, context) -> events, evolve(state, event) ->
 * state, initial state. No Nest, no NATS, no Postgres.
 */
export * from './ids';
export * from './aggregate';
export * from './masking';
export * from './approval/approval.decider';
export * from './approval/approval.views';
export * from './delegation/delegation.decider';
export * from './exception/exception.decider';
export * from './exception/drift';
export * from './exception/raise-times';
export * from './exception/post-review.decider';
export * from './work-order/work-order.state';
export * from './work-order/commands';
export * from './work-order/work-order.decider';
export * from './work-order/context';
export * from './work-order/answers';
export * from './work-order/handoff';
export * from './work-order/lifecycle';
export * from './work-order/actions';
export * from './work-order/action-results';
export * from './work-order/rollback-note';
export * from './work-order/open';
export * from './work-order/delegations';
export * from './work-order/starts';
export * from './work-order/approval-outcomes';
export * from './work-order/outcomes';
export * from './workflow/workflow.decider';
export * from './workflow/pattern.decider';
