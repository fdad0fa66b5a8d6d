import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import {
  ExceptionCode,
  Notices,
  PolicyEvents,
  refuse,
  Subjects,
  WorkflowPublishedNotice,
  WorkflowVersion,
} from '@workgate/contracts';
import { CatalogCode } from '@workgate/domain';
import { Listening, NoticeBus, RpcClient } from '@workgate/messaging';
import { CompiledWorkflow, compileWorkflow, parseDuration } from '@workgate/workflow';

/** How long the current version of a job type is trusted for opening without asking policy again. */
const CURRENT_TTL_MS = 5_000;
const CATALOG_TTL_MS = 10_000;

/**
 * What work-order commands are decided with, kept in this process: every workflow version a work
 * order runs on, compiled once (versions never change: keyed by job type, version and sha256), the
 * current version per job type for opening, and the exception-code catalog. A miss asks the policy
 * or exceptions service once; nothing is fetched per command.
 */
@Injectable()
export class WorkflowVersions implements OnApplicationShutdown {
  private readonly compiled = new Map<string, CompiledWorkflow>();
  private readonly current = new Map<string, { at: number; workflow: CompiledWorkflow }>();
  /** The newest version seen published per job type: opening never uses an older one once it is known. */
  private readonly latestPublished = new Map<string, number>();
  private readonly listening: Listening[];
  private catalogCache?: { at: number; codes: Map<string, CatalogCode> };

  constructor(
    private readonly rpc: RpcClient,
    notices: NoticeBus,
  ) {
    this.listening = [
      // The policy service's notice arrives before its answer to the publisher: an open sent after that answer uses the new version.
      notices.subscribe(Notices.workflowPublished, (notice) => this.learnPublished(notice)),
      // A version published anywhere is compiled here from the ledger's own event.
      notices.onLedgerEvent('workflow', PolicyEvents.WorkflowPublished, ({ data }) => {
        this.current.clear();
        this.remember(compileWorkflow(data.definition, data.sha256));
        this.learnPublished(data);
      }),
      notices.subscribe(Notices.exceptionCodeDefined, () => (this.catalogCache = undefined)),
    ];
  }

  /** Forgets the current versions, and remembers the newest version published. */
  private learnPublished({ jobType, version }: WorkflowPublishedNotice): void {
    this.current.clear();
    if (version > (this.latestPublished.get(jobType) ?? 0)) this.latestPublished.set(jobType, version);
  }

  onApplicationShutdown(): void {
    for (const listening of this.listening) listening.stop();
  }

  private remember(workflow: CompiledWorkflow): CompiledWorkflow {
    const { jobType, version, sha256 } = workflow.policy;
    const key = `${jobType}@${version}@${sha256}`;
    const known = this.compiled.get(key);
    if (known) return known;
    this.compiled.set(key, workflow);
    return workflow;
  }

  private fromPolicy(v: WorkflowVersion): CompiledWorkflow {
    return (
      this.compiled.get(`${v.jobType}@${v.version}@${v.sha256}`) ??
      this.remember(compileWorkflow(v.definition, v.sha256))
    );
  }

  /** The version a work order runs on, when it is compiled here already. */
  known(policy: { jobType: string; version: number; sha256: string }): CompiledWorkflow | undefined {
    return this.compiled.get(`${policy.jobType}@${policy.version}@${policy.sha256}`);
  }

  /** The version a work order runs on, by its policy reference. */
  async version(policy: { jobType: string; version: number; sha256: string }): Promise<CompiledWorkflow> {
    const hit = this.known(policy);
    if (hit) return hit;
    const found = this.fromPolicy(
      await this.rpc.request(Subjects.policy.get, { jobType: policy.jobType, version: policy.version }),
    );
    if (found.policy.sha256 !== policy.sha256)
      throw refuse(
        'unknown_version',
        `${policy.jobType} v${policy.version} is published with another sha256 than the work order records`,
      );
    return found;
  }

  /** The current version of a job type: what a new work order opens on. */
  async currentOf(jobType: string): Promise<CompiledWorkflow> {
    const known = this.current.get(jobType);
    if (known && Date.now() - known.at < CURRENT_TTL_MS) return known.workflow;
    let workflow = this.fromPolicy(await this.rpc.request(Subjects.policy.get, { jobType }));
    // The policy service may not have applied a version this instance already saw published.
    const latest = this.latestPublished.get(jobType) ?? 0;
    if (workflow.policy.version < latest)
      workflow = this.fromPolicy(await this.rpc.request(Subjects.policy.get, { jobType, version: latest }));
    this.current.set(jobType, { at: Date.now(), workflow });
    return workflow;
  }

  /** The exception-code catalog as last read, while it is fresh. */
  knownCatalog(): ReadonlyMap<string, CatalogCode> | undefined {
    return this.catalogCache && Date.now() - this.catalogCache.at <= CATALOG_TTL_MS
      ? this.catalogCache.codes
      : undefined;
  }

  /** The exception-code catalog: owner and SLA per code (read again at most every 10 s). */
  async catalog(): Promise<ReadonlyMap<string, CatalogCode>> {
    if (!this.knownCatalog()) {
      const codes: ExceptionCode[] = await this.rpc.request(Subjects.exceptions.listCodes, {});
      this.catalogCache = {
        at: Date.now(),
        codes: new Map(codes.map((c) => [c.code, { code: c.code, owner: c.owner, slaMs: parseDuration(c.sla) ?? 0 }])),
      };
    }
    return this.catalogCache!.codes;
  }
}
