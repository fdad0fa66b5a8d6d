import { WorkflowPublishedData, WorkflowSummary, WorkflowVersion } from '@workgate/contracts';
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
}

/** Every published definition version, compiled once, in memory; rebuilt from the ledger at start. */
export class PolicyRegistry {
  private readonly byJobType = new Map<string, JobTypeEntry>();

  /** Applies a WorkflowPublished event; applying the same one twice changes nothing. */
  apply(data: WorkflowPublishedData, streamVersion: number, publishedAt: string): void {
    let entry = this.byJobType.get(data.jobType);
    if (!entry) {
      entry = { versions: new Map(), current: 0, streamVersion: 0 };
      this.byJobType.set(data.jobType, entry);
    }
    entry.streamVersion = Math.max(entry.streamVersion, streamVersion);
    if (entry.versions.has(data.version)) return;
    entry.versions.set(data.version, { compiled: compileWorkflow(data.definition, data.sha256), publishedAt });
    entry.current = Math.max(entry.current, data.version);
  }

  streamVersion(jobType: string): number {
    return this.byJobType.get(jobType)?.streamVersion ?? 0;
  }

  currentVersion(jobType: string): number | undefined {
    return this.byJobType.get(jobType)?.current;
  }

  findBySha(jobType: string, sha256: string): CompiledWorkflow | undefined {
    for (const p of this.byJobType.get(jobType)?.versions.values() ?? [])
      if (p.compiled.policy.sha256 === sha256) return p.compiled;
    return undefined;
  }

  /** The compiled version (default: current), or undefined with which part is missing. */
  resolve(jobType: string, version?: number): { compiled?: CompiledWorkflow; missing?: 'job_type' | 'version' } {
    const entry = this.byJobType.get(jobType);
    if (!entry) return { missing: 'job_type' };
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
    return this.byJobType.size;
  }
}
