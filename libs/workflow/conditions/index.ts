/**
 * Conditions: the CEL of a rule's or an overlay's `when`, compiled, evaluated under its cost budget
 * (docs/policy.md, "Bounded rules") and compared term by term. The definition, the runtime and the
 * modeler build on it; it imports none of them.
 */
export * from './cel';
export { DECISION_COST_BUDGET, RULE_COST_BUDGET, RULE_TIME_BUDGET_MS } from './cel-budget';
