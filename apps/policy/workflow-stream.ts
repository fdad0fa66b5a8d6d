import { Notices, OpenChangeApprovalRequest, openChangeApproval, Subjects } from '@workgate/contracts';
import { WorkflowCommand, workflows, WorkflowEvent, WorkflowState } from '@workgate/domain';
import { appendOver, CommandStream, handle, NoticeBus, RpcClient } from '@workgate/messaging';
import { PolicyRegistry } from './policy-registry';

/** What a command on a job type's stream recorded, and the position of its commit (0: nothing new). */
export interface WorkflowCommitted {
  events: WorkflowEvent[];
  position: number;
}

/**
 * The application step of the workflow aggregate: the command handler decides on the job type's
 * state as the registry holds it and commits at the stream's version; what was recorded is applied
 * to the registry, and the approvals service is asked for the approval a proposed change waits
 * for. Another instance's write meanwhile: the registry learns it and the command is decided again.
 */
export class WorkflowStream {
  private readonly stream: CommandStream<WorkflowState, WorkflowEvent>;

  constructor(
    private readonly rpc: RpcClient,
    private readonly notices: NoticeBus,
    private readonly registry: PolicyRegistry,
    private readonly reload: () => Promise<void>,
    /** The service name every event's metadata carries as `producer` (docs/ledger.md, Table). */
    producer: string,
  ) {
    this.stream = {
      def: workflows,
      producer,
      // The registry is the stream as read; a commit that records nothing new answers position 0.
      load: async (jobType) => ({
        state: registry.state(jobType),
        version: registry.streamVersion(jobType),
        position: 0,
      }),
      commit: appendOver(rpc),
    };
  }

  async handle(jobType: string, command: WorkflowCommand, actor: string): Promise<WorkflowCommitted> {
    const now = new Date().toISOString();
    const committed = await handle(this.stream, jobType, (state, clock) => workflows.decide(command, state, clock), {
      actor,
      now,
      beforeRetry: () => this.reload(),
    });
    const { events } = committed;
    const before = committed.version - events.length;
    events.forEach((e, i) => this.registry.record(e, before + i + 1, now));
    for (const e of events)
      if (e.type === 'WorkflowPublished')
        this.notices.publish(Notices.workflowPublished, { jobType, version: e.data.version, sha256: e.data.sha256 });
    let { position } = committed;
    for (const e of events)
      if (e.type === 'WorkflowChangeProposed')
        position = Math.max(position, await this.askApproval(openChangeApproval(e.data, now)));
    return { events, position };
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
