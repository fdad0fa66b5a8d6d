import { Notices, OpenChangeApprovalRequest, openChangeApproval, Subjects } from '@workgate/contracts';
import { appendOf, WorkflowCommand, workflows, WorkflowEvent } from '@workgate/domain';
import { NoticeBus, retryOnConflict, RpcClient } from '@workgate/messaging';
import { PolicyRegistry } from './policy-registry';

/** What a command on a job type's stream recorded, and the position of its commit (0: nothing new). */
export interface WorkflowCommitted {
  events: WorkflowEvent[];
  position: number;
}

/**
 * The application step of the workflow aggregate: decide on the job type's state as the registry
 * holds it, commit at the stream's version, apply what was recorded; then ask the approvals
 * service for the approval a proposed change waits for. Another instance's write meanwhile: learn
 * it and decide again.
 */
export class WorkflowStream {
  constructor(
    private readonly rpc: RpcClient,
    private readonly notices: NoticeBus,
    private readonly registry: PolicyRegistry,
    private readonly reload: () => Promise<void>,
    /** The service name every event's metadata carries as `producer` (docs/ledger.md, Table). */
    private readonly producer: string,
  ) {}

  async handle(jobType: string, command: WorkflowCommand, actor: string): Promise<WorkflowCommitted> {
    const committed = await retryOnConflict(
      async () => {
        const now = new Date().toISOString();
        const events = workflows.decide(command, this.registry.state(jobType), { now });
        if (events.length === 0) return { events, position: 0, at: now };
        const version = this.registry.streamVersion(jobType);
        const recorded = { metadata: { actor, producer: this.producer }, occurredAt: now };
        const appended = await this.rpc.request(
          Subjects.ledger.append,
          appendOf(workflows, jobType, version, events, recorded),
        );
        events.forEach((e, i) => this.registry.record(e, version + i + 1, now));
        for (const e of events)
          if (e.type === 'WorkflowPublished')
            this.notices.publish(Notices.workflowPublished, {
              jobType,
              version: e.data.version,
              sha256: e.data.sha256,
            });
        return { events, position: appended.positions[appended.positions.length - 1], at: now };
      },
      () => this.reload(),
    );
    let { position } = committed;
    for (const e of committed.events)
      if (e.type === 'WorkflowChangeProposed')
        position = Math.max(position, await this.askApproval(openChangeApproval(e.data, committed.at)));
    return { events: committed.events, position };
  }

  /**
   * Asks the approvals service, which alone writes approval streams, to open a recorded change's
   * approval (docs/policy.md, Changing a workflow); the position of its commit. Idempotent: the
   * policy service's reaction to its own `WorkflowChangeProposed` asks again, so a change recorded
   * just before a crash or while the approvals service did not answer still gets its approval.
   */
  async askApproval(request: OpenChangeApprovalRequest): Promise<number> {
    return (await this.rpc.request(Subjects.approvals.openChange, request)).position;
  }
}
