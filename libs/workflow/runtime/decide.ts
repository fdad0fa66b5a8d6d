import { hash } from 'node:crypto';
import { canonicalize } from '@workgate/contracts';
import { CelProgram, evaluateCondition, explainCelError, RULE_LIMITS } from '../conditions/cel';
import { DECISION_COST_BUDGET } from '../conditions/cel-budget';
import { CompiledWorkflow } from '../definition/compile';
import { ActionScope, Decision, DecisionInput, DecisionReason, DecisionResult } from '../definition/definition';

const SCOPE_CHECKS = 3; // system named, kind allowed, operation allowed

/**
 * Decides one action request under one workflow version, first hit wins:
 * 1. a system outside the boundary stops (`system_not_named`);
 * 2. a read of a system not readable stops (`read_not_allowed`);
 * 3. the first matching rule decides (`rule_matched`), whatever its kind. For a write whose
 *    operation is not in the system's write list, a first match that says `stop` stops and one
 *    that says `wait` waits for its owner; with no match, or a first match that says `run`, it
 *    stops (`write_not_allowed`): a rule can hold such a write, never let it run;
 * 4. otherwise the action runs (`inside_boundary`).
 * A rule that cannot be evaluated stops the action (`rule_error`, fail closed), naming the rule.
 * `addedScope` (operations a work order's approved scope changes added) counts as inside the
 * boundary. The answer lists the overlays that apply (the work order enforces their gates).
 * The rollback note itself is private evidence: no rule reads it and `inputsSha256` leaves it out
 * (the recorded action does not carry it).
 */
export function decide(
  workflow: CompiledWorkflow,
  input: DecisionInput & { addedScope?: ActionScope[] },
  clock: () => number = Date.now,
): DecisionResult {
  const result = decideBoundaryAndRules(workflow, input, clock);
  if (workflow.overlays.length === 0) return result;
  return { ...result, overlays: applyingOverlays(workflow, input) };
}

/** Overlays whose condition holds for the action; one that cannot be evaluated applies (fail closed). */
export function applyingOverlays(workflow: CompiledWorkflow, input: DecisionInput): string[] {
  const { rollbackNote: _private, ...action } = input.action;
  const bindings = { action, facts: input.facts ?? {}, workOrder: input.workOrder ?? {} };
  return workflow.overlays
    .filter((o) => {
      const result = evaluateCondition(o.program, bindings);
      return !result.ok || result.value === true;
    })
    .map((o) => o.id);
}

/**
 * A rule's condition evaluated within its budget (cel-budget.ts): its own cost budget, or what is
 * left of the decision's when less, and its time budget by `clock`. What it spent is taken from
 * `budget`.
 */
function budgetedEvaluation(
  program: CelProgram,
  bindings: Record<string, unknown>,
  budget: { left: number },
  clock: () => number,
) {
  const result = evaluateCondition(program, bindings, {
    ...RULE_LIMITS,
    cost: Math.min(RULE_LIMITS.cost, budget.left),
    clock,
  });
  budget.left -= result.spent;
  return result;
}

function decideBoundaryAndRules(
  workflow: CompiledWorkflow,
  input: DecisionInput & { addedScope?: ActionScope[] },
  clock: () => number,
): DecisionResult {
  // The note is checked here and recorded apart, as private evidence: rules and the inputs hash never see it.
  const { rollbackNote, ...action } = input.action;
  const facts = input.facts ?? {};
  const workOrder = input.workOrder ?? {};
  const owner = workflow.definition.owner;
  const base = {
    policy: workflow.policy,
    objectsNamed: new Set([action.system, ...(action.objects ?? [])]).size,
    inputsSha256: hash('sha256', canonicalize({ action, facts, workOrder })),
  };
  const answer = (
    decision: Decision,
    reason: DecisionReason,
    message: string,
    rule: string | null,
    passed: number,
    ruleOwner?: string,
  ): DecisionResult => ({
    decision,
    reason,
    message,
    rule,
    decisionOwner: decision === 'run' ? null : (ruleOwner ?? owner),
    ...base,
    scopeChecks: { passed, total: SCOPE_CHECKS },
  });

  const added = (input.addedScope ?? []).some(
    (s) => s.system === action.system && s.operation === action.operation && s.kind === action.kind,
  );
  const system =
    workflow.systems.get(action.system) ??
    (added ? { read: false, write: [], writeSet: new Set<string>() } : undefined);
  if (!system)
    return answer(
      'stop',
      'system_not_named',
      `system "${action.system}" is not named by ${workflow.policy.jobType} v${workflow.policy.version}`,
      null,
      0,
    );

  const kindAllowed = added || (action.kind === 'read' ? system.read : system.write.length > 0);
  const operationAllowed = added || (action.kind === 'read' ? system.read : system.writeSet.has(action.operation));
  const passed = 1 + (kindAllowed ? 1 : 0) + (operationAllowed ? 1 : 0);
  if (action.kind === 'read' && !system.read && !added) {
    return answer('stop', 'read_not_allowed', `reads of "${action.system}" are not allowed`, null, passed);
  }

  const noteMissing =
    action.kind === 'write' &&
    workflow.systems.get(action.system)?.rollback === 'required' &&
    !(rollbackNote ?? '').trim();
  const needsNote = () =>
    answer(
      'stop',
      'rollback_note_required',
      `writes to ${action.system} need a rollback note: say how to undo it`,
      null,
      passed,
    );
  if (noteMissing && operationAllowed) return needsNote();

  const bindings = { action, facts, workOrder };
  const budget = { left: DECISION_COST_BUDGET };
  let first: (typeof workflow.rules)[number] | undefined;
  for (const rule of workflow.rules) {
    let result = budgetedEvaluation(rule.program, bindings, budget, clock);
    // A pause of the process (a garbage collection, a busy machine) is not the rule's doing: only a
    // rule over its time budget twice in a row is slow, so the verdict stays the one its inputs give.
    // Its cost budget is counted, not timed: over it once is over it.
    if (!result.ok && result.over === 'time') result = budgetedEvaluation(rule.program, bindings, budget, clock);
    if (!result.ok)
      return answer(
        'stop',
        'rule_error',
        `rule "${rule.id}" could not be evaluated: ${explainCelError(result.error, rule.paths)}`,
        rule.id,
        passed,
      );
    if (result.value) {
      first = rule;
      break;
    }
  }
  // Outside the write list only an owner's approval can let the action through: a first match
  // that says wait holds it, one that says stop stops it, anything else leaves it outside.
  if (!operationAllowed && first?.decision === 'wait') {
    if (noteMissing) return needsNote();
    return answer(
      'wait',
      'rule_matched',
      `write "${action.operation}" to "${action.system}" waits for its owner (rule "${first.id}")`,
      first.id,
      passed,
      first.owner,
    );
  }
  if (!operationAllowed && first?.decision !== 'stop') {
    return answer(
      'stop',
      'write_not_allowed',
      `write "${action.operation}" to "${action.system}" is not in its write list`,
      null,
      passed,
    );
  }
  if (first) {
    const message =
      first.decision === 'stop'
        ? (first.reason ?? `rule "${first.id}" stops this action`)
        : `rule "${first.id}" says ${first.decision}`;
    return answer(first.decision, 'rule_matched', message, first.id, passed, first.owner);
  }
  return answer('run', 'inside_boundary', 'inside the declared boundary, no rule applies', null, passed);
}
