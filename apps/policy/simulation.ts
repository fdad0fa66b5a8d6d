import {
  DecisionResult,
  eventOf,
  SimulatedChange,
  SimulateResult,
  Subjects,
  WorkflowDefinition,
  WorkOrderEvents,
} from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { rollbackNoteOf } from '@workgate/domain';
import { compileWorkflow, decide } from '@workgate/workflow';
import { PolicyRegistry } from './policy-registry';

const VERB = { run: 'ran', wait: 'waited', stop: 'was stopped' } as const;
const WOULD = { run: 'would run', wait: 'would wait', stop: 'would stop' } as const;

/** What decided a verdict, as a person reads it: the rule, or the boundary check. */
const decidedBy = (d: Pick<DecisionResult, 'rule' | 'reason'>) =>
  d.rule ? `rule ${d.rule}` : `the boundary (${d.reason.replace(/_/g, ' ')})`;

/** One changed verdict as a sentence. */
export function changeMessage(
  asked: { system: string; operation: string; kind: string },
  workOrderId: string,
  version: number,
  before: Pick<DecisionResult, 'decision' | 'rule' | 'reason'>,
  after: Pick<DecisionResult, 'decision' | 'rule' | 'reason'>,
): string {
  return (
    `${asked.kind} ${asked.operation} on ${asked.system} (work order ${workOrderId}) ${VERB[before.decision]} ` +
    `under version ${version}, decided by ${decidedBy(before)}; the draft ${WOULD[after.decision]}, decided by ${decidedBy(after)}.`
  );
}

/**
 * Re-decides every past action request of the job type under a draft; writes nothing. Both
 * verdicts come from the boundary and the rules (`libs/workflow`): the version each request was
 * decided under, and the draft; holds of the work order (a failed prerequisite, a scope change,
 * an overlay's gate) are its state, not the definition's, and are left out of both.
 */
export async function simulateDraft(
  rpc: RpcClient,
  registry: PolicyRegistry,
  draft: WorkflowDefinition,
  window: { from?: string; to?: string },
): Promise<SimulateResult> {
  const compiled = compileWorkflow(draft);
  const result: SimulateResult = { evaluated: 0, changed: [] };
  let after = 0;
  for (;;) {
    const page = await rpc.request(
      Subjects.ledger.query,
      { types: [WorkOrderEvents.ActionDecided], after, limit: 1000, ...window },
      { timeoutMs: 30_000 },
    );
    for (const e of page.events) {
      const past = eventOf(e, 'workorder', WorkOrderEvents.ActionDecided)?.data;
      if (!past || past.decision?.policy?.jobType !== draft.jobType) continue;
      const version = past.decision.policy.version;
      const then = registry.resolve(draft.jobType, version).compiled;
      if (!then) continue;
      result.evaluated += 1;
      const note = rollbackNoteOf(past);
      const input = {
        // The note was recorded apart from the action: the versions are asked with it, as the request was.
        action: note === undefined ? past.action : { ...past.action, rollbackNote: note },
        facts: past.facts,
        workOrder: past.workOrder,
        addedScope: past.addedScope,
      };
      const before = decide(then, input);
      const now = decide(compiled, input);
      if (now.decision === before.decision) continue;
      const verdict = ({ decision, rule, reason }: DecisionResult) => ({ decision, rule, reason });
      const change: SimulatedChange = {
        actionId: past.actionId,
        workOrderId: past.workOrderId,
        before: verdict(before),
        after: verdict(now),
        message: changeMessage(past.action, past.workOrderId, version, before, now),
      };
      result.changed.push(change);
    }
    if (page.events.length < 1000) break;
    after = page.next;
  }
  return result;
}
