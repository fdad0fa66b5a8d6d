import { AppendRequest, CommitResult, Notices, Subjects, WorkgateError } from '@workgate/contracts';
import { appendOf, approvals, WorkflowCommand, workflows, WorkflowEvent } from '@workgate/domain';
import { NoticeBus, retryOnConflict, RpcClient } from '@workgate/messaging';
import { PolicyRegistry } from './policy-registry';

/** What a command on a job type's stream recorded, and the position of its commit (0: nothing new). */
export interface WorkflowCommitted {
  events: WorkflowEvent[];
  position: number;
}

/**
 * The application step of the workflow aggregate: decide on the job type's state as the registry
 * holds it, commit at the stream's version (a proposed change commits with the approval it asks
 * for, in one commit), apply what was recorded. Another instance's write meanwhile: learn it and
 * decide again.
 */
export class WorkflowStream {
  constructor(
    private readonly rpc: RpcClient,
    private readonly notices: NoticeBus,
    private readonly registry: PolicyRegistry,
    private readonly reload: () => Promise<void>,
  ) {}

  async handle(jobType: string, command: WorkflowCommand, actor: string): Promise<WorkflowCommitted> {
    return retryOnConflict(
      async () => {
        const now = new Date().toISOString();
        const events = workflows.decide(command, this.registry.state(jobType), { now });
        if (events.length === 0) return { events, position: 0 };
        const version = this.registry.streamVersion(jobType);
        const recorded = { metadata: { actor }, occurredAt: now };
        const committed = await this.commit([
          appendOf(workflows, jobType, version, events, recorded),
          ...events.flatMap((e) => this.approvalAsked(e, recorded)),
        ]);
        events.forEach((e, i) => this.registry.record(e, version + i + 1, now));
        for (const e of events)
          if (e.type === 'WorkflowPublished')
            this.notices.publish(Notices.workflowPublished, {
              jobType,
              version: e.data.version,
              sha256: e.data.sha256,
            });
        return { events, position: committed.position };
      },
      () => this.reload(),
    );
  }

  /** A proposed change starts its approval's stream in the same commit. */
  private approvalAsked(e: WorkflowEvent, recorded: { metadata: object; occurredAt: string }): AppendRequest[] {
    if (e.type !== 'WorkflowChangeProposed') return [];
    const { approvalId, owner, proposedBy, reviewers, expiresAt, definition: _definition, ...change } = e.data;
    const asked = approvals.decide(
      {
        type: 'RequestWorkflowChange',
        approvalId,
        owner,
        requestedBy: proposedBy,
        ...(reviewers ? { reviewers } : {}),
        expiresAt,
        change,
      },
      approvals.initial(),
      { now: recorded.occurredAt },
    );
    return [appendOf(approvals, approvalId, 0, asked, recorded)];
  }

  /** One stream's append alone, or the appends of several streams in one commit. */
  private async commit(appends: AppendRequest[]): Promise<Pick<CommitResult, 'position'>> {
    if (appends.length === 1) {
      const appended = await this.rpc.request(Subjects.ledger.append, appends[0]);
      return { position: appended.positions[appended.positions.length - 1] };
    }
    const { results } = await this.rpc.request(Subjects.ledger.appendBatch, { items: [{ appends }] });
    const reply = results[0];
    if (!reply) throw new WorkgateError('unavailable', 'the ledger answered no commit');
    if (!reply.ok) throw WorkgateError.fromWire(reply.error);
    return reply.data;
  }
}
