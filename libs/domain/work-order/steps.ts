import { BlockStepDto, CompleteStepDto, Evidence, evidenceList, refuse, WorkflowDefinition } from '@workgate/contracts';
import { active, allowedCode, raise, recorder, WorkOrderContext } from './context';
import type { WorkOrder, WorkOrderEvent } from './work-order.state';

/** Evidence kinds `required` asks for that `evidence` does not hold. */
export function missingKinds(required: string[] | undefined, evidence: Evidence[]): string[] {
  const given = new Set(evidence.map((e) => e.kind));
  return (required ?? []).filter((k) => !given.has(k));
}

function stepOf(definition: WorkflowDefinition, stepId: string) {
  const step = (definition.steps ?? []).find((s) => s.id === stepId);
  if (!step) throw refuse('unknown_step', `${definition.jobType} v${definition.version} has no step "${stepId}"`);
  return step;
}

/** A checklist step done, with the evidence kinds the step requires. */
export function completeStep(
  stepId: string,
  body: CompleteStepDto,
  state: WorkOrder,
  ctx: WorkOrderContext,
): WorkOrderEvent[] {
  const wo = active(state);
  const step = stepOf(ctx.workflow.definition, stepId);
  if (wo.completedSteps.has(step.id)) throw refuse('step_already_completed', `step ${step.id} is already completed`);
  const evidence = evidenceList(body.evidence);
  const missing = missingKinds(step.evidence, evidence);
  if (missing.length)
    throw refuse(
      'step_evidence_required',
      `step ${step.id} needs evidence of kind ${missing.join(', ')}`,
      missing.map((kind) => ({ kind })),
    );
  const event = recorder(ctx.meta);
  return [
    event('StepCompleted', {
      workOrderId: wo.id,
      stepId: step.id,
      evidence,
      ...(body.note ? { note: body.note } : {}),
    }),
  ];
}

/** A blocked step becomes an owned exception (code from the catalog and the workflow's list), started in the same commit. */
export function blockStep(
  stepId: string,
  body: BlockStepDto,
  state: WorkOrder,
  ctx: WorkOrderContext,
): WorkOrderEvent[] {
  const wo = active(state);
  stepOf(ctx.workflow.definition, stepId);
  allowedCode(ctx, body.code);
  const exception = raise(ctx, body.code, stepId, body.rationale);
  const event = recorder(ctx.meta);
  return [event('StepBlocked', { workOrderId: wo.id, ...exception })];
}
