import { randomUUID } from 'node:crypto';
import { JetStreamManager } from 'nats';
import { dataOf, DecideApprovalRequest, Subjects, WorkOrderCommand, WorkOrderEvents } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { allOf, untilRecorded } from './demo-ledger';
import { DemoSummary, GATE_WINDOW_MS } from './demo-events';
import { ENGAGEMENT_STAGES } from './demo-scenarios';

const REFUND_RECOMMENDATIONS = { system: 'support-desk', operation: 'refund.recommend', kind: 'write' as const };

/**
 * Today's engagement work, in rounds until nothing moves: the current stage's artifact is
 * recorded, its gate decided by its owner (the delivery's security review often conditional on
 * an open risk), an engagement in delivery sometimes asked for refund recommendations (a scope
 * change whose refund requests stop with `scope_not_approved`), and a supported engagement closed
 * with its acceptance record.
 */
export async function advanceEngagements(
  rpc: RpcClient,
  jsm: JetStreamManager,
  r: () => number,
  summary: DemoSummary,
  log: (m: string) => void,
): Promise<void> {
  const recorded = await allOf(rpc, ['StageArtifactRecorded']);
  const ids = [
    ...new Set(recorded.map((e) => dataOf(e, 'workorder', WorkOrderEvents.StageArtifactRecorded).workOrderId)),
  ];
  // This work happened over the last days, not all in this minute: each command on an engagement
  // is dated between its previous move and now, so the gates still waiting have the ages real ones
  // have (an hour to nearly the 72 h their approvals run before they expire).
  const clock = new Map<string, number>();
  for (const e of recorded)
    clock.set(
      dataOf(e, 'workorder', WorkOrderEvents.StageArtifactRecorded).workOrderId,
      Math.max(Date.parse(e.occurredAt), Date.now() - GATE_WINDOW_MS),
    );
  const dated = (workOrderId: string) => {
    const last = clock.get(workOrderId) ?? Date.now() - GATE_WINDOW_MS;
    const at = Math.round(last + (Date.now() - last) * (0.1 + 0.4 * r()));
    clock.set(workOrderId, at);
    return new Date(at).toISOString();
  };
  const command = (workOrderId: string, actor: string, body: WorkOrderCommand) =>
    rpc
      .request(Subjects.intake.command, {
        address: { workOrderId },
        command: body,
        meta: { commandId: randomUUID(), actor, now: dated(workOrderId), channel: 'demo' },
      })
      .catch(() => undefined);
  const asked = new Set<string>();
  for (let round = 1; round <= 24; round++) {
    let moved = 0;
    for (const id of ids) {
      const h = await rpc.request(Subjects.intake.get, { workOrderId: id }).catch(() => undefined);
      if (!h || h.status === 'closed') continue;
      const current = h.stages.find((s) => s.id === h.stage);
      if (!current) continue;
      if (current.id === 'delivery' && current.artifact && !asked.has(id) && r() < 0.3) {
        asked.add(id);
        await command(id, 'crm', {
          type: 'ChangeScope',
          body: { add: [REFUND_RECOMMENDATIONS], reason: 'the client asks whether the pilot can recommend refunds' },
        });
        await command(id, 'consultant', {
          type: 'RequestAction',
          body: { ...REFUND_RECOMMENDATIONS, facts: { ticket: `T-${round}` } },
        });
        moved++;
      }
      if (!current.artifact) {
        const kind = ENGAGEMENT_STAGES.find(([stageId]) => stageId === current.id)?.[1];
        if (!kind || r() < 0.25) continue;
        await command(id, 'consultant', {
          type: 'RecordStageArtifact',
          stageId: current.id,
          body: { artifact: { kind, ref: `${kind}:${id.slice(0, 8)}` } },
        });
        moved++;
      } else if (current.gate.status === 'requested' && current.gate.approvalId && r() < 0.97) {
        const approval = await rpc
          .request(Subjects.approvals.get, { approvalId: current.gate.approvalId })
          .catch(() => undefined);
        if (!approval?.requestedAction) continue;
        const p = r();
        const decision: Pick<DecideApprovalRequest, 'decision' | 'conditions' | 'note'> =
          current.id === 'delivery' && p < 0.5
            ? { decision: 'conditional', conditions: ['R-03'] }
            : p < 0.92
              ? { decision: 'approve' }
              : { decision: 'reject', note: 'revise and resubmit' };
        await rpc
          .request(Subjects.approvals.decide, {
            approvalId: approval.approvalId,
            by: approval.owner,
            permittedAction: approval.requestedAction,
            ...decision,
          })
          .then(() => summary.approvalsDecided++)
          .catch(() => undefined);
        moved++;
      } else if ((current.gate.status === 'rejected' || current.gate.status === 'expired') && r() < 0.7) {
        const kind = ENGAGEMENT_STAGES.find(([stageId]) => stageId === current.id)?.[1] ?? 'requirements-brief';
        await command(id, 'consultant', {
          type: 'RecordStageArtifact',
          stageId: current.id,
          body: { artifact: { kind, ref: `${kind}:${id.slice(0, 8)}:revised` } },
        });
        moved++;
      } else if (current.id === 'support' && current.gate.status === 'approved' && r() < 0.7) {
        await command(id, 'consultant', {
          type: 'CloseWorkOrder',
          body: {
            closureEvidenceId: `acceptance:${id.slice(0, 8)}`,
            evidence: [{ kind: 'acceptance-record', ref: `acceptance:${id}` }],
          },
        });
        moved++;
      }
    }
    // Gates open and outcomes reach the work orders through the ledger: wait for it to go quiet.
    await untilRecorded(rpc, jsm);
    log(`engagements: round ${round}, ${moved} moves`);
    if (moved === 0) return;
  }
}
