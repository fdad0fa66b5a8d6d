import {
  WorkflowChangeProposedData,
  WorkflowDraftSavedData,
  WorkflowPublishedData,
  WorkflowSummary,
  WorkflowVersion,
} from '@workgate/contracts';
import { evolveWorkflow, initialWorkflowState, WorkflowEvent, WorkflowState } from '@workgate/domain';
import { CompiledWorkflow, compileWorkflow } from '@workgate/workflow';

interface Published {
  compiled: CompiledWorkflow;
  publishedAt: string;
}

interface JobTypeEntry {
  versions: Map<number, Published>;
  current: number;
  /** Version of the `workflow-<jobType>` ledger stream (for the next append's expected version). */
  streamVersion: number;
  /** The job type's aggregate: drafts and changes waiting for approval beside its versions. */
  state: WorkflowState;
}

/** Every published definition version, compiled once, in memory; rebuilt from the ledger at start. */
export class PolicyRegistry {
  private readonly byJobType = new Map<string, JobTypeEntry>();
  /** When each change was proposed (its event's `occurredAt`), by approval id: its approval's `requestedAt`. */
  private readonly proposedAt = new Map<string, string>();

  private entry(jobType: string): JobTypeEntry {
    let entry = this.byJobType.get(jobType);
    if (!entry) {
      entry = { versions: new Map(), current: 0, streamVersion: 0, state: initialWorkflowState() };
      this.byJobType.set(jobType, entry);
    }
    return entry;
  }

  /** Applies a WorkflowPublished event; applying the same one twice changes nothing. */
  apply(data: WorkflowPublishedData, streamVersion: number, publishedAt: string): void {
    this.record({ type: 'WorkflowPublished', data }, streamVersion, publishedAt);
  }

  /**
   * Applies an event of a `workflow-<jobType>` stream at its stream version (recorded `at`, occurred
   * at `occurredAt`); one seen already changes nothing.
   */
  record(event: WorkflowEvent, streamVersion: number, at: string, occurredAt = at): void {
    const entry = this.entry(event.data.jobType);
    if (event.type === 'WorkflowChangeProposed') this.proposedAt.set(event.data.approvalId, occurredAt);
    if (streamVersion !== 0 && streamVersion <= entry.streamVersion && event.type !== 'WorkflowPublished') return;
    entry.streamVersion = Math.max(entry.streamVersion, streamVersion);
    if (event.type === 'WorkflowPublished' && entry.versions.has(event.data.version)) return;
    entry.state = evolveWorkflow(entry.state, event);
    if (event.type !== 'WorkflowPublished') return;
    const { data } = event;
    entry.versions.set(data.version, { compiled: compileWorkflow(data.definition, data.sha256), publishedAt: at });
    entry.current = Math.max(entry.current, data.version);
  }

  state(jobType: string): WorkflowState {
    return this.byJobType.get(jobType)?.state ?? initialWorkflowState();
  }

  draft(jobType: string, draftId: string): WorkflowDraftSavedData | undefined {
    const state = this.state(jobType);
    return state.status === 'none' ? undefined : state.drafts.get(draftId);
  }

  drafts(jobType: string): WorkflowDraftSavedData[] {
    const state = this.state(jobType);
    return state.status === 'none' ? [] : [...state.drafts.values()];
  }

  /** A change waiting for its approval, by the approval's id. */
  pendingChange(approvalId: string): WorkflowChangeProposedData | undefined {
    for (const { state } of this.byJobType.values())
      if (state.status !== 'none' && state.pending.has(approvalId)) return state.pending.get(approvalId);
    return undefined;
  }

  /** When the change of an approval was proposed. */
  proposedAtOf(approvalId: string): string | undefined {
    return this.proposedAt.get(approvalId);
  }

  /** The approvals every waiting change waits for. */
  pendingApprovals(): string[] {
    return [...this.byJobType.values()].flatMap(({ state }) =>
      state.status === 'none' ? [] : [...state.pending.keys()],
    );
  }

  streamVersion(jobType: string): number {
    return this.byJobType.get(jobType)?.streamVersion ?? 0;
  }

  currentVersion(jobType: string): number | undefined {
    return this.byJobType.get(jobType)?.current || undefined;
  }

  findBySha(jobType: string, sha256: string): CompiledWorkflow | undefined {
    for (const p of this.byJobType.get(jobType)?.versions.values() ?? [])
      if (p.compiled.policy.sha256 === sha256) return p.compiled;
    return undefined;
  }

  /** The compiled version (default: current), or undefined with which part is missing. */
  resolve(jobType: string, version?: number): { compiled?: CompiledWorkflow; missing?: 'job_type' | 'version' } {
    const entry = this.byJobType.get(jobType);
    if (!entry || entry.current === 0) return { missing: 'job_type' };
    const p = entry.versions.get(version ?? entry.current);
    return p ? { compiled: p.compiled } : { missing: 'version' };
  }

  get(jobType: string, version?: number): WorkflowVersion | undefined {
    const entry = this.byJobType.get(jobType);
    const p = entry?.versions.get(version ?? entry.current);
    if (!p) return undefined;
    return { ...p.compiled.policy, publishedAt: p.publishedAt, definition: p.compiled.definition };
  }

  list(): WorkflowSummary[] {
    return [...this.byJobType.entries()]
      .filter(([, entry]) => entry.current > 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([jobType, entry]) => {
        const current = entry.versions.get(entry.current)!.compiled.definition;
        return {
          jobType,
          title: current.title,
          owner: current.owner,
          currentVersion: entry.current,
          versions: [...entry.versions.entries()]
            .sort(([a], [b]) => a - b)
            .map(([version, p]) => ({ version, sha256: p.compiled.policy.sha256, publishedAt: p.publishedAt })),
        };
      });
  }

  get size(): number {
    return [...this.byJobType.values()].filter((e) => e.current > 0).length;
  }
}
