import { Injectable } from '@nestjs/common';
import { PolicyRef, Subjects } from '@workgate/contracts';
import { WorkOrderEvent } from '@workgate/domain';
import { RpcClient, startsLedgerOver, StreamStarts } from '@workgate/messaging';
import { DEFAULT_APPROVAL_TIMEOUT, parseDuration } from '@workgate/workflow';

/**
 * The approvals, post-reviews and delegations committed work-order events start: this service
 * alone writes them (docs/ledger.md, Who writes which stream), asked by intake
 * (`workgate.approvals.start`) or from its own ledger reactions (StartReactions). An approval
 * expires after the approval timeout of the workflow version its gate names.
 */
@Injectable()
export class ApprovalStarts extends StreamStarts {
  private readonly timeouts = new Map<string, number>();

  constructor(private readonly client: RpcClient) {
    super(startsLedgerOver(client), 'approvals');
  }

  protected override async workflowOf(e: WorkOrderEvent): Promise<{ approvalTimeoutMs: number }> {
    return { approvalTimeoutMs: e.type === 'GateRequested' ? await this.approvalTimeout(e.data.policy) : 0 };
  }

  private async approvalTimeout(policy: PolicyRef): Promise<number> {
    const key = `${policy.jobType}@${policy.version}`;
    let ms = this.timeouts.get(key);
    if (ms === undefined) {
      const def = await this.client.request(Subjects.policy.get, { jobType: policy.jobType, version: policy.version });
      ms = parseDuration(def.definition.approval?.timeout ?? DEFAULT_APPROVAL_TIMEOUT)!;
      this.timeouts.set(key, ms);
    }
    return ms;
  }
}
