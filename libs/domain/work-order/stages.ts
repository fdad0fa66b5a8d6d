import { evidenceList, GateRequestedData, ORIGINAL_SCOPE, RecordArtifactDto, refuse } from '@workgate/contracts';
import { deterministicUuid } from '../ids';
import { active, recorder, WorkOrderContext } from './context';
import { describeStatus, gateAction, isOpen, pendingEarlierGate, stageGate, stageOwner } from './lifecycle';
import type { WorkOrder, WorkOrderEvent } from './work-order.state';

/**
 * A lifecycle stage's artifact (docs/lifecycle.md, Stages): of the kind the stage produces, once every earlier
 * stage's gate is approved; it opens the stage's gate as an approval, started in the same commit.
 * The gate approves one artifact: a revision waits until that decision is taken (or refused).
 */
export function recordStageArtifact(
  stageId: string,
  body: RecordArtifactDto,
  state: WorkOrder,
  ctx: WorkOrderContext,
): WorkOrderEvent[] {
  const wo = active(state);
  const { definition, policy } = ctx.workflow;
  const stage = (definition.stages ?? []).find((s) => s.id === stageId);
  if (!stage) throw refuse('unknown_stage', `${definition.jobType} v${definition.version} has no stage "${stageId}"`);
  const { artifact, evidence } = body;
  if (artifact.kind !== stage.artifact) {
    throw refuse('artifact_mismatch', `stage ${stage.id} produces a ${stage.artifact}; a ${artifact.kind} is not one`, [
      { stageId: stage.id, expected: stage.artifact, given: artifact.kind },
    ]);
  }
  const earlier = pendingEarlierGate(definition, wo, stage.id);
  if (earlier) {
    const owner = earlier.gate?.owner ?? stageOwner(definition, earlier.stage);
    throw refuse(
      'stage_gate_pending',
      `stage ${stage.id} comes after ${earlier.stage.id}, whose ${earlier.stage.gate} gate is ${describeStatus(earlier.gate)} (${owner} decides)`,
      [
        {
          stageId: earlier.stage.id,
          gate: earlier.stage.gate,
          status: earlier.gate?.status ?? 'unknown',
          owner,
          ...(earlier.gate ? { approvalId: earlier.gate.approvalId } : {}),
        },
      ],
    );
  }
  const current = stageGate(wo, stage);
  if (current?.status === 'approved')
    throw refuse(
      'stage_gate_approved',
      `stage ${stage.id} passed its ${stage.gate} gate (approval ${current.approvalId}); its artifact is final`,
    );
  if (current && isOpen(current)) {
    throw refuse(
      'stage_gate_open',
      `stage ${stage.id}'s ${stage.gate} gate is ${describeStatus(current)} for the recorded artifact (approval ${current.approvalId}, ${current.owner} decides)`,
    );
  }
  const gate: GateRequestedData = {
    workOrderId: wo.id,
    approvalId: deterministicUuid(ctx.meta.commandId, 'gate', stage.id),
    kind: stage.gate,
    owner: stageOwner(definition, stage),
    scope: ORIGINAL_SCOPE,
    source: { stageId: stage.id },
    action: gateAction(stage.gate, { stageId: stage.id }, artifact.ref),
    policy,
  };
  const event = recorder(ctx.meta);
  const events = [
    event('GateRequested', gate, 1),
    event(
      'StageArtifactRecorded',
      {
        workOrderId: wo.id,
        stageId: stage.id,
        artifact: { kind: artifact.kind, ref: artifact.ref },
        evidence: evidenceList(evidence),
        gateApprovalId: gate.approvalId,
      },
      0,
    ),
  ];
  return events;
}
