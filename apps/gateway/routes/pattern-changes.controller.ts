import { Controller, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApprovalQueueRow, PATTERN_CHANGE, PatternChangeApplied, Subjects, Written } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { CurrentPrincipal, Principal } from '../http';
import { ChangeRoutes, pendingChanges, withdrawChange } from './workflow-changes.controller';

/** A proposed version of a pattern that waits for approval: the ones that wait, and their withdrawal (docs/patterns.md). */
@ApiTags('patterns')
@Controller('v1/patterns/:name')
export class PatternChangesController {
  constructor(private readonly rpc: RpcClient) {}

  @ChangeRoutes.PendingChanges(
    'Pending changes of a pattern',
    "The pattern's proposed versions nobody decided yet, oldest first (at most 100), each as its approval's row in the queue: `requestedBy` (who proposed it, who may withdraw it), `owner`, `expiresAt` and the `patternChange` (`changeId`, `fromVersion`, `version`, the diff).",
  )
  pending(@Param('name') name: string): Promise<ApprovalQueueRow[]> {
    return pendingChanges(this.rpc, PATTERN_CHANGE, name);
  }

  @ChangeRoutes.WithdrawsChange(
    'Withdraw a proposed pattern change',
    'PatternChangeApplied',
    'The proposer, or any admin, takes back a pattern version nobody decided yet: its approval is closed (`withdrawn`) and leaves the queue, nothing is published, and the newest version stays. 409 `approval_decided` once decided, expired or withdrawn; 404 for a change the pattern never had; 403 `not_requester` for anyone else.',
  )
  async withdraw(
    @Param('name') name: string,
    @Param('changeId') changeId: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<Written<PatternChangeApplied>> {
    const change = await this.rpc.request(Subjects.policy.patternChange, { name, changeId });
    const position = await withdrawChange(this.rpc, change.approvalId, p, `change ${changeId}`);
    return { answer: { changeId, name, version: change.version, status: 'withdrawn' }, position };
  }
}
