import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import {
  ApprovalIdRequest,
  approvalStream,
  ChangeApplied,
  ChangeIdRequest,
  ChangeRef,
  DiffRequest,
  isPlainObject,
  DraftIdRequest,
  JobTypeRequest,
  ProposeDraftRequest,
  PublishOutcome,
  SaveDraftRequest,
  Subjects,
  WorkflowDefinition,
  WorkflowDiff,
  WorkflowDraft,
  WorkflowDraftSavedData,
  WorkflowDraftSummary,
  WorkgateError,
  Written,
} from '@workgate/contracts';
import { approvalEventOf, approvals, diffAgainstCurrent } from '@workgate/domain';
import { foldStream, pagesOver, RpcClient } from '@workgate/messaging';
import { definitionSha256, diffDefinitions, workflowMap } from '@workgate/workflow';
import type { Examined } from './definition-jobs';
import { PolicyService } from './policy.service';

type Problems = WorkflowDraftSavedData['problems'];

/** A refusal's problems as a draft keeps them: each with its path. */
const problemsOf = (refusal: WorkgateError): Problems => {
  const listed = (refusal.details ?? []).flatMap((d) =>
    isPlainObject(d) && typeof d.path === 'string' && typeof d.message === 'string'
      ? [{ path: d.path, message: d.message }]
      : [],
  );
  return listed.length > 0 ? listed : [{ path: '', message: refusal.message }];
};

/**
 * Drafts, diffs and governed changes of workflows (docs/policy.md, Changing a workflow): a draft is kept with its
 * problems; a change waiting for approval is published or closed when its approval is decided.
 */
@Injectable()
export class WorkflowDrafts implements OnApplicationBootstrap {
  private readonly logger = new Logger('policy');

  constructor(
    private readonly policy: PolicyService,
    private readonly rpc: RpcClient,
  ) {}

  /** A change whose approval was decided while no policy instance could learn of it is settled at start. */
  async onApplicationBootstrap(): Promise<void> {
    for (const approvalId of this.policy.registry.pendingApprovals())
      await this.applyChange({ approvalId }).catch((error: Error) =>
        this.logger.warn(`change of approval ${approvalId} not settled yet: ${error.message}`),
      );
  }

  /** The definition a draft holds, or its problems (parsed and validated as a publish is). */
  private async examine(
    jobType: string,
    source: unknown,
  ): Promise<{ definition?: WorkflowDefinition; problems: Problems }> {
    let examined: Examined;
    try {
      examined = await this.policy.examine(source);
    } catch (error) {
      const refusal = error instanceof WorkgateError ? error : undefined;
      if (refusal?.code !== 'invalid_definition') throw error;
      return { problems: problemsOf(refusal) };
    }
    if (!examined.ok) return { problems: examined.problems };
    if (examined.definition.jobType !== jobType)
      return { problems: [{ path: 'jobType', message: `must be ${jobType}, the job type of this draft` }] };
    return { definition: examined.definition, problems: [] };
  }

  async save(req: SaveDraftRequest): Promise<Written<WorkflowDraft>> {
    const { jobType, by } = req;
    const { problems } = await this.examine(jobType, req.definition);
    const draftId = req.draftId ?? randomUUID();
    const { position } = await this.policy.stream.handle(
      jobType,
      { type: 'SaveDraft', draftId, jobType, create: req.draftId === undefined, source: req.definition, problems, by },
      by,
    );
    return { answer: await this.get({ jobType, draftId }), position };
  }

  /** Saves a new draft under a given id; one of that id already saved records nothing (a retry, another instance). */
  async saveOnce(req: SaveDraftRequest & { draftId: string }): Promise<void> {
    const { jobType, draftId, by } = req;
    if (this.policy.registry.draft(jobType, draftId)) return;
    const { problems } = await this.examine(jobType, req.definition);
    await this.policy.stream.handle(
      jobType,
      { type: 'SaveDraft', draftId, jobType, create: true, source: req.definition, problems, by },
      by,
    );
  }

  async get({ jobType, draftId }: DraftIdRequest): Promise<WorkflowDraft> {
    const saved = this.policy.savedDraft(jobType, draftId);
    const { definition } = await this.examine(jobType, saved.source);
    const codes = definition ? await this.rpc.request(Subjects.exceptions.listCodes, {}) : [];
    const { draftId: id, revision, savedBy, savedAt, source, problems } = saved;
    return {
      draftId: id,
      jobType,
      revision,
      savedBy,
      savedAt,
      source,
      problems,
      diff:
        definition && problems.length === 0
          ? diffAgainstCurrent(this.policy.registry.state(jobType), definition)
          : null,
      map:
        definition && problems.length === 0
          ? workflowMap(definition, definitionSha256(definition), new Map(codes.map((c) => [c.code, c])))
          : null,
    };
  }

  list({ jobType }: JobTypeRequest): WorkflowDraftSummary[] {
    return this.policy.registry
      .drafts(jobType)
      .sort((a, b) => b.savedAt.localeCompare(a.savedAt))
      .map(({ draftId, revision, savedBy, savedAt, problems }) => ({
        draftId,
        jobType,
        revision,
        savedBy,
        savedAt,
        problems: problems.length,
      }));
  }

  /** `from` a version (default: the current one) `to` a version or a draft. */
  async diff(req: DiffRequest): Promise<WorkflowDiff> {
    const { jobType } = req;
    const version = (v: number | string | undefined, what: string) => {
      const found = this.policy.registry.get(jobType, v === undefined ? undefined : Number(v));
      if (!found) throw new WorkgateError('unknown_version', `${jobType} has no version ${v ?? ''} (${what})`.trim());
      return found.definition;
    };
    const before = version(req.from, 'from');
    if (req.to === undefined || /^\d+$/.test(String(req.to))) return diffDefinitions(before, version(req.to, 'to'));
    const saved = this.policy.savedDraft(jobType, String(req.to));
    const { definition, problems } = await this.examine(jobType, saved.source);
    if (!definition) {
      const n = problems.length;
      throw new WorkgateError('invalid_definition', `draft ${req.to} has ${n} problem${n === 1 ? '' : 's'}`, problems);
    }
    return diffDefinitions(before, definition);
  }

  /** Publishes a draft, or proposes it to the current owner when it widens the version in force. */
  propose({ jobType, draftId, by, adminApprovers }: ProposeDraftRequest): Promise<Written<PublishOutcome>> {
    const saved = this.policy.savedDraft(jobType, draftId);
    return this.policy.publish({ definition: saved.source, actor: by, adminApprovers }, { draftId });
  }

  /** A change the job type's stream recorded, by its id, with its approval. */
  change({ jobType, changeId }: ChangeIdRequest): ChangeRef {
    const state = typeof jobType === 'string' ? this.policy.registry.state(jobType) : undefined;
    const found = state && state.status !== 'none' ? state.proposals.get(changeId) : undefined;
    if (!found) throw new WorkgateError('not_found', `${jobType} has no change ${changeId}`);
    return found;
  }

  /** A workflow-change approval was decided or expired: publishes or closes its change, as its own stream says. */
  async applyChange({ approvalId }: ApprovalIdRequest): Promise<Written<ChangeApplied>> {
    const { state } = await foldStream(pagesOver(this.rpc), approvalStream(approvalId), approvals.initial(), (s, e) =>
      approvals.evolve(s, approvalEventOf(e)),
    );
    if (state.status === 'none' || !state.change)
      throw new WorkgateError('not_found', `no workflow change waits for approval ${approvalId}`);
    const { changeId, jobType, version } = state.change;
    const outcome =
      state.status === 'approved'
        ? 'approved'
        : state.status === 'requested' || state.status === 'conditional'
          ? undefined
          : state.status;
    if (!outcome) return { answer: { changeId, jobType, version, status: 'requested' }, position: 0 };
    const by = 'decidedBy' in state ? state.decidedBy : 'withdrawnBy' in state ? state.withdrawnBy : undefined;
    const { events, position } = await this.policy.stream.handle(
      jobType,
      { type: 'CloseChange', approvalId, outcome, ...(by ? { by } : {}) },
      by ?? 'timer',
    );
    const e = events[0];
    const status =
      e?.type === 'WorkflowPublished'
        ? 'published'
        : e?.type === 'WorkflowChangeClosed'
          ? e.data.outcome
          : this.settled(jobType, version, outcome);
    return { answer: { changeId, jobType, version, status }, position };
  }

  /** Where a change closed earlier stands: published when its version is. */
  private settled(
    jobType: string,
    version: number,
    outcome: 'approved' | 'rejected' | 'expired' | 'withdrawn',
  ): ChangeApplied['status'] {
    if (outcome !== 'approved') return outcome;
    return this.policy.registry.get(jobType, version) ? 'published' : 'superseded';
  }
}
