import {
  DecisionResult,
  eventOf,
  SimulatedChange,
  SimulateResult,
  Subjects,
  WorkflowDefinition,
  WorkOrderEvents,
  WorkgateError,
} from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { rollbackNoteOf } from '@workgate/domain';
import { ReplayRequest } from './definition-jobs';
import { DefinitionThreads, SIMULATION_LIMIT_MS } from './definition-threads';
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
 * an overlay's gate) are its state, not the definition's, and are left out of both. The decisions
 * run on the definition thread, a page of requests at a time, within SIMULATION_LIMIT_MS in all.
 */
export async function simulateDraft(
  rpc: RpcClient,
  registry: PolicyRegistry,
  threads: DefinitionThreads,
  draft: WorkflowDefinition,
  window: { from?: string; to?: string },
): Promise<SimulateResult> {
  const deadline = Date.now() + SIMULATION_LIMIT_MS;
  const result: SimulateResult = { evaluated: 0, changed: [] };
  let after = 0;
  for (;;) {
    const page = await rpc.request(
      Subjects.ledger.query,
      { types: [WorkOrderEvents.ActionDecided], after, limit: 1000, ...window },
      { timeoutMs: 30_000 },
    );
    const pasts = page.events.flatMap((e) => {
      const past = eventOf(e, 'workorder', WorkOrderEvents.ActionDecided)?.data;
      if (!past || past.decision?.policy?.jobType !== draft.jobType) return [];
      const then = registry.resolve(draft.jobType, past.decision.policy.version).compiled;
      return then ? [{ past, then }] : [];
    });
    const versions = [...new Map(pasts.map(({ then }) => [then.policy.version, then.definition])).values()];
    const requests: ReplayRequest[] = pasts.map(({ past }) => {
      const note = rollbackNoteOf(past);
      return {
        version: past.decision.policy.version,
        input: {
          // The note was recorded apart from the action: the versions are asked with it, as the request was.
          action: note === undefined ? past.action : { ...past.action, rollbackNote: note },
          facts: past.facts,
          workOrder: past.workOrder,
          addedScope: past.addedScope,
        },
      };
    });
    if (requests.length > 0) {
      const answer = await threads.run(
        { kind: 'replay', draft, versions, requests },
        Math.max(1, Math.min(SIMULATION_LIMIT_MS, deadline - Date.now())),
      );
      if (answer.kind === 'refused') throw WorkgateError.fromWire(answer.error);
      if (answer.kind !== 'replay') throw new WorkgateError('internal', 'the definition thread answered another job');
      result.evaluated += answer.verdicts.length;
      answer.verdicts.forEach(({ before, after: now }, i) => {
        if (now.decision === before.decision) return;
        const { past } = pasts[i];
        const change: SimulatedChange = {
          actionId: past.actionId,
          workOrderId: past.workOrderId,
          before,
          after: now,
          message: changeMessage(past.action, past.workOrderId, past.decision.policy.version, before, now),
        };
        result.changed.push(change);
      });
    }
    if (page.events.length < 1000) break;
    after = page.next;
  }
  return result;
}
