import { OpenWorkOrderDto, PrerequisiteCheck, refuse, WorkflowDefinition } from '@workgate/contracts';
import { isBlank, raise, recorder, WorkOrderContext } from './context';
import type { WorkOrderEvent, WorkOrderState } from './work-order.state';

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What a failed prerequisite says it got: a boolean as it is, anything else only by its type. The
 * reason is shown in the state handoff and the PREREQ_MISSING rationale, and an input may carry a secret.
 */
function describeGiven(value: unknown): string {
  if (typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The prerequisite checks of a definition against the inputs given when opening. */
export function checkPrerequisites(
  definition: WorkflowDefinition,
  inputs: Record<string, unknown>,
): PrerequisiteCheck[] {
  return (definition.requiredInputs ?? []).map(({ name, equals }) => {
    const value = inputs[name];
    if (isBlank(value)) return { name, ok: false, reason: `${name} is missing` };
    if (equals !== undefined && !sameValue(value, equals)) {
      return { name, ok: false, reason: `${name} must be ${JSON.stringify(equals)}, got ${describeGiven(value)}` };
    }
    return { name, ok: true };
  });
}

/**
 * Opens a work order on the job type's current workflow version. A failed prerequisite opens it
 * `blocked` under a PREREQ_MISSING exception, recorded beside the opening (WorkOrderExceptionRaised)
 * and started by its owner: writes stop until it is resolved.
 */
export function openWorkOrder(body: OpenWorkOrderDto, state: WorkOrderState, ctx: WorkOrderContext): WorkOrderEvent[] {
  if (state.status !== 'none')
    throw refuse(
      'work_order_exists',
      `work order ${state.id} already exists for ${state.source}/${state.externalRef}`,
      [{ id: state.id }],
    );
  const { definition, policy } = ctx.workflow;
  const prerequisites = checkPrerequisites(definition, body.inputs);
  const failed = prerequisites.filter((p) => !p.ok);
  const exceptions = failed.length ? [raise(ctx, 'PREREQ_MISSING', null, failed.map((p) => p.reason).join('; '))] : [];
  const event = recorder(ctx.meta);
  const opened = event('WorkOrderOpened', {
    workOrderId: ctx.workOrderId,
    source: body.source,
    externalRef: body.externalRef,
    policy,
    owner: body.owner ?? definition.owner,
    inputs: body.inputs,
    prerequisites,
    status: failed.length ? 'blocked' : 'open',
    exceptions,
  });
  // The exception is listed in the opening and recorded beside it as its own event: the exceptions
  // service starts it from that event (docs/ledger.md, Who writes which stream), and reacts to the
  // rare raised events instead of every opening.
  return [
    opened,
    ...exceptions.map((x, i) => event('WorkOrderExceptionRaised', { workOrderId: ctx.workOrderId, ...x }, i)),
  ];
}
