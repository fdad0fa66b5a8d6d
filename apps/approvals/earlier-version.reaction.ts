import { Injectable } from '@nestjs/common';
import {
  AppendRequest,
  ledgerEventSubject,
  ORIGINAL_SCOPE,
  PolicyRef,
  RecordedEvent,
  Subjects,
} from '@workgate/contracts';
import { startAppend, startedBy, WorkOrderEvent, workOrderEventOf } from '@workgate/domain';
import {
  LedgerConsumers,
  holdsText,
  LedgerReaction,
  LedgerReactions,
  retiredStarting,
  RpcClient,
} from '@workgate/messaging';
import { DEFAULT_APPROVAL_TIMEOUT, parseDuration } from '@workgate/workflow';

/**
 * What an earlier version left to the approvals service's consumers: approvals for the gate
 * requests and waits it recorded alone, and post-reviews for its break-glass uses. This version
 * starts them in the commit of the command that asks for them; these consumers run, where they
 * exist, until they have handled everything recorded before this version started, and are then
 * deleted. They start the very same streams, with the same event ids, a command would have.
 */
@Injectable()
export class EarlierVersionReactions extends LedgerReactions {
  private readonly timeouts = new Map<string, number>();

  constructor(
    consumers: LedgerConsumers,
    private readonly rpc: RpcClient,
  ) {
    super(consumers, 'approvals');
  }

  protected reactions(): LedgerReaction[] {
    return [
      retiredStarting(this.rpc, 'approvals-gates', ledgerEventSubject('workorder', 'GateRequested'), (e) =>
        this.starts(e, workOrderEventOf(e)),
      ),
      // The earliest versions record a wait as its ActionDecided alone: only a `wait` is decoded.
      retiredStarting(
        this.rpc,
        'approvals-waits',
        ledgerEventSubject('workorder', 'ActionDecided'),
        (e) => this.waitStarts(e),
        holdsText('"decision":"wait"'),
      ),
      retiredStarting(this.rpc, 'approvals-break-glass', ledgerEventSubject('workorder', 'BreakGlassUsed'), (e) =>
        this.starts(e, workOrderEventOf(e)),
      ),
    ];
  }

  /** The approvals and post-reviews an event starts (its exceptions are the exceptions service's). */
  private async starts(e: RecordedEvent, event: WorkOrderEvent, policy?: PolicyRef): Promise<AppendRequest[]> {
    const ref = policy ?? (event.type === 'GateRequested' ? event.data.policy : undefined);
    const workflow = { approvalTimeoutMs: ref ? await this.approvalTimeout(ref) : 0 };
    return startedBy(event, workflow)
      .filter((s) => s.stream === 'approval' || s.stream === 'postreview')
      .map((s) => startAppend(s, e.metadata, e.occurredAt));
  }

  /** A wait recorded as its ActionDecided alone, as the gate request this version records with it. */
  private waitStarts(e: RecordedEvent): Promise<AppendRequest[]> {
    const decided = workOrderEventOf(e);
    if (decided.type !== 'ActionDecided') return Promise.resolve([]);
    const d = decided.data;
    if (d.decision?.decision !== 'wait' || !d.approvalId) return Promise.resolve([]);
    const { system, operation, kind, objects } = d.action;
    const gate: WorkOrderEvent = {
      ...decided,
      type: 'GateRequested',
      data: {
        workOrderId: d.workOrderId,
        approvalId: d.approvalId,
        kind: d.gate ?? d.decision.rule ?? 'approval',
        owner: d.decision.decisionOwner ?? 'unknown',
        scope: d.scope ?? ORIGINAL_SCOPE,
        source: { actionId: d.actionId },
        action: { system, operation, kind, ...(objects ? { objects } : {}) },
        policy: d.decision.policy,
      },
    };
    return this.starts(e, gate, d.decision.policy);
  }

  private async approvalTimeout(policy: PolicyRef): Promise<number> {
    const key = `${policy.jobType}@${policy.version}`;
    let ms = this.timeouts.get(key);
    if (ms === undefined) {
      const def = await this.rpc.request(Subjects.policy.get, { jobType: policy.jobType, version: policy.version });
      ms = parseDuration(def.definition.approval?.timeout ?? DEFAULT_APPROVAL_TIMEOUT)!;
      this.timeouts.set(key, ms);
    }
    return ms;
  }
}
