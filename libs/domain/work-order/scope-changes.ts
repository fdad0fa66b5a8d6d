import { ChangeScopeDto, refuse, ScopeChangeTrack } from '@workgate/contracts';
import { decide } from '@workgate/workflow';
import { deterministicUuid } from '../ids';
import { active, isBlank, recorder, WorkOrderContext } from './context';
import { workOrderFacts } from './handoff';
import {
  awaitingApproval,
  BOUNDARY_REASONS,
  describeScope,
  distinctClasses,
  overlayOwner,
  scopeChangeFor,
  tracksFor,
} from './lifecycle';
import type { ActiveWorkOrder, WorkOrder, WorkOrderEvent } from './work-order.state';

function isApprovedAddition(wo: ActiveWorkOrder, item: ChangeScopeDto['add'][number]): boolean {
  const change = scopeChangeFor(wo, item);
  if (!change) return false;
  const tracks = tracksFor(wo, change, item);
  return tracks.length > 0 && tracks.every((t) => t.status === 'approved');
}

/**
 * A scope change (docs/lifecycle.md, Scope changes): it may add only action classes the boundary stops, each of them
 * once; it opens draft-only tracks (a change order for the workflow owner, and a review for each
 * overlay that applies to the class), each an approval started in the same commit. Earlier
 * approvals stay valid for the original scope only.
 */
export function changeScope(body: ChangeScopeDto, state: WorkOrder, ctx: WorkOrderContext): WorkOrderEvent[] {
  const wo = active(state);
  const { add, reason } = body;
  if (isBlank(reason)) throw refuse('validation_failed', 'a scope change needs a reason');
  const { definition, policy } = ctx.workflow;
  const items = distinctClasses(add);
  // Only a class the boundary stops can be added; the overlays that apply to it decide its review tracks.
  const verdicts = items.map((action) => decide(ctx.workflow, { action, facts: {}, workOrder: workOrderFacts(wo) }));
  const inside = items.filter((item, i) => !BOUNDARY_REASONS.has(verdicts[i].reason) || isApprovedAddition(wo, item));
  if (inside.length) {
    throw refuse(
      'already_in_scope',
      `${inside.map(describeScope).join(', ')} ${inside.length === 1 ? 'is' : 'are'} already inside the approved scope`,
      inside,
    );
  }
  const pending = items
    .map((item) => ({ item, change: scopeChangeFor(wo, item) }))
    .filter(({ item, change }) => change && awaitingApproval(tracksFor(wo, change, item)));
  if (pending.length) {
    throw refuse(
      'scope_change_pending',
      `${pending.map((p) => describeScope(p.item)).join(', ')} already ${pending.length === 1 ? 'has' : 'have'} a scope change awaiting approval`,
      pending.map((p) => ({ ...p.item, scopeChangeId: p.change!.scopeChangeId })),
    );
  }
  const scopeChangeId = deterministicUuid(ctx.meta.commandId, 'scope-change');
  const tracks: ScopeChangeTrack[] = items.flatMap((item, i) => {
    const overlays = (verdicts[i].overlays ?? [])
      .map((id) => (definition.overlays ?? []).find((o) => o.id === id))
      .filter((o) => o !== undefined);
    const kinds = new Map<string, string>([
      ['change-order', definition.owner],
      ...overlays.map((o): [string, string] => [o.gate, overlayOwner(definition, o)]),
    ]);
    return [...kinds].map(([kind, owner]) => ({
      approvalId: deterministicUuid(ctx.meta.commandId, 'track', String(i), kind),
      kind,
      owner,
      item,
    }));
  });
  const event = recorder(ctx.meta);
  const gates = tracks.map((t, i) =>
    event(
      'GateRequested',
      {
        workOrderId: wo.id,
        approvalId: t.approvalId,
        kind: t.kind,
        owner: t.owner,
        scope: scopeChangeId,
        source: { scopeChangeId },
        action: t.item,
        policy,
      },
      i + 1,
    ),
  );
  const events = [
    ...gates,
    event('ScopeChangeRequested', { workOrderId: wo.id, scopeChangeId, add: items, reason, tracks }, 0),
  ];
  return events;
}
