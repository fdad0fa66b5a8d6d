import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  isPlainObject,
  PatternEvents,
  PublishOutcome,
  PublishPatternOutcome,
  PublishWorkflowRequest,
  RecordedEvent,
  SimulateRequest,
  SimulateResult,
  Subjects,
  WorkflowDefinition,
  WorkflowDraftSavedData,
  WorkgateError,
  openChangeApproval,
  Written,
} from '@workgate/contracts';
import { ConfigFiles, WorkgateConfig } from '@workgate/config';
import { Listening, NoticeBus, patiently, RpcClient } from '@workgate/messaging';
import { assertDefinitionSize, definitionSha256 } from '@workgate/workflow';
import { Examined } from './definition-jobs';
import { DefinitionThreads, EXAMINE_LIMIT_MS } from './definition-threads';
import { PolicyRegistry } from './policy-registry';
import { changeRequested, WORKFLOW_EVENTS, workflowEventOf } from './workflow-events';
import { WorkflowStream } from './workflow-stream';
import { PatternStore } from './pattern-store';
import { simulateDraft } from './simulation';

/** A refusal whose every problem is an exception code the catalog does not (yet) hold. */
function onlyMissingCodes(error: WorkgateError): boolean {
  const problems = error.details ?? [];
  return (
    error.code === 'invalid_definition' &&
    problems.length > 0 &&
    problems.every(
      (p) =>
        isPlainObject(p) &&
        typeof p.path === 'string' &&
        typeof p.message === 'string' &&
        /^exceptionCodes\[\d+\]$/.test(p.path) &&
        /is not in the exception-code catalog$/.test(p.message),
    )
  );
}

/**
 * Workflow definitions are artifacts: published as ledger events on `workflow-<jobType>`,
 * compiled once into memory, rebuilt from the ledger at start. Decisions and simulations are
 * pure functions of a compiled version and the request.
 */
@Injectable()
export class PolicyService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('policy');
  readonly registry = new PolicyRegistry();
  /** Definitions sent by callers are parsed, validated and replayed there, never on this thread. */
  readonly threads = new DefinitionThreads();
  private listening: Listening[] = [];
  readonly stream: WorkflowStream;
  /** Patterns workflows extend (docs/patterns.md). */
  readonly patterns: PatternStore;

  constructor(
    private readonly rpc: RpcClient,
    private readonly notices: NoticeBus,
    @Inject(WorkgateConfig) private readonly config: WorkgateConfig,
  ) {
    this.stream = new WorkflowStream(rpc, notices, this.registry, () => this.loadFromLedger(), 'policy');
    this.patterns = new PatternStore(
      rpc,
      this.threads,
      async () => [...(await this.catalog())],
      this.registry,
      'policy',
    );
  }

  async onModuleInit(): Promise<void> {
    // Definitions another instance publishes reach every instance through the ledger relay.
    this.listening = [
      ...WORKFLOW_EVENTS.map((type) => this.notices.onLedgerEvent('workflow', type, (e) => this.applyRecorded(e))),
      ...Object.values(PatternEvents).map((type) =>
        this.notices.onLedgerEvent('pattern', type, (e) => this.patterns.record(e)),
      ),
    ];
    await this.patiently('load patterns from the ledger', () => this.patterns.load());
    await this.patiently('load definitions from the ledger', () => this.loadFromLedger());
    // Patterns first: the workflows that extend them are merged with them as they are published.
    await this.loadDirectory(this.config.WORKGATE_PATTERNS_DIR, 'pattern', (definition, actor) =>
      this.patterns.publish({ definition, actor }, false),
    );
    await this.loadDirectory(this.config.WORKGATE_WORKFLOWS_DIR, 'workflow', (definition, actor) =>
      this.publish({ definition, actor }, { governed: false }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.listening.forEach((l) => l.stop());
    await this.threads.close();
  }

  /** Does `work`, waiting out the services it needs while they start (and `alsoWaitFor`), saying so. */
  private patiently<T>(
    what: string,
    work: () => Promise<T>,
    alsoWaitFor: (error: WorkgateError) => boolean = () => false,
  ): Promise<T> {
    return patiently(what, work, { alsoWaitFor, log: (m) => this.logger.warn(m) });
  }

  private applyRecorded(recorded: RecordedEvent): void {
    const e = workflowEventOf(recorded);
    if (e) this.registry.record(e, recorded.streamVersion, recorded.recordedAt, recorded.occurredAt);
  }

  private async loadFromLedger(): Promise<void> {
    let after = 0;
    for (;;) {
      const page = await this.rpc.request(Subjects.ledger.query, {
        types: [...WORKFLOW_EVENTS],
        after,
        limit: 1000,
      });
      page.events.forEach((e) => this.applyRecorded(e));
      if (page.events.length < 1000) break;
      after = page.next;
    }
  }

  /** Publishes every definition in a directory (workflows, patterns) that is new; logs (never hides) the ones refused. */
  private async loadDirectory(
    dir: string,
    what: 'workflow' | 'pattern',
    publish: (definition: string, actor: string) => Promise<Written<PublishOutcome | PublishPatternOutcome>>,
  ): Promise<void> {
    const files = ConfigFiles.definitions(dir);
    if (!files) {
      if (what === 'workflow') this.logger.warn(`no workflow directory at ${dir}`);
      return;
    }
    for (const { name: file, read } of files) {
      try {
        // At startup the exceptions service may not have seeded its catalog yet (services start in
        // any order): a definition refused only for codes missing from the catalog is tried again.
        const { answer: result } = await this.patiently(
          `publish ${file}`,
          () => publish(read(), `file:${file}`),
          onlyMissingCodes,
        );
        if ('created' in result && result.created)
          this.logger.log(
            `published ${'name' in result ? `pattern ${result.name}` : result.jobType} v${result.version} from ${file}`,
          );
      } catch (error) {
        const e = error as WorkgateError;
        const details = Array.isArray(e.details) ? `\n  ${e.details.map((d) => JSON.stringify(d)).join('\n  ')}` : '';
        this.logger.error(`${file} was not published: ${e.message}${details}`);
      }
    }
  }

  /** The codes of the exception-code catalog. */
  async catalog(): Promise<Set<string>> {
    const codes = await this.rpc.request(Subjects.exceptions.listCodes, {});
    return new Set(codes.map((c) => c.code));
  }

  /**
   * Parses (YAML/JSON text or an object) and validates a definition on the definition thread, within
   * EXAMINE_LIMIT_MS (413 past its size first, checked here before it is sent there).
   */
  async examine(definition: unknown): Promise<Examined> {
    assertDefinitionSize(definition);
    const catalog = [...(await this.catalog())];
    const answer = await this.threads.run(
      { kind: 'examine', source: definition, catalog, patterns: this.patterns.all() },
      EXAMINE_LIMIT_MS,
    );
    if (answer.kind === 'refused') throw WorkgateError.fromWire(answer.error);
    if (answer.kind !== 'examine') throw new WorkgateError('internal', 'the definition thread answered another job');
    return answer.examined;
  }

  /** A definition parsed and validated (`examine`), or refused with every problem. */
  async checked(definition: unknown): Promise<WorkflowDefinition> {
    const examined = await this.examine(definition);
    if (!examined.ok) {
      const n = examined.problems.length;
      throw new WorkgateError(
        'invalid_definition',
        `the definition has ${n} problem${n === 1 ? '' : 's'}`,
        examined.problems,
      );
    }
    return examined.definition;
  }

  /**
   * Publishes a version, or proposes it to the current owner when it widens the version in force
   * (docs/policy.md, Changing a workflow); the deployer's own files (`governed: false`) publish at once.
   */
  async publish(
    req: PublishWorkflowRequest,
    { governed = true, draftId }: { governed?: boolean; draftId?: string } = {},
  ): Promise<Written<PublishOutcome>> {
    const definition = await this.checked(req?.definition);
    const { jobType, version } = definition;
    const sha256 = definitionSha256(definition);
    const actor = req.actor ?? 'unknown';
    const ids = { changeId: randomUUID(), approvalId: randomUUID() };
    const { events, position } = await this.stream.handle(
      jobType,
      {
        type: 'PublishVersion',
        definition,
        sha256,
        by: actor,
        governed,
        ...ids,
        ...(draftId ? { draftId } : {}),
        adminApprovers: Array.isArray(req.adminApprovers) ? req.adminApprovers : [],
      },
      actor,
    );
    const recorded = events[0];
    if (recorded?.type === 'WorkflowChangeProposed') return { answer: changeRequested(recorded.data), position };
    if (recorded) return { answer: { jobType, version, sha256, created: true }, position };
    // Nothing new: the same content is published already, or waits for its approval already.
    const state = this.registry.state(jobType);
    const waiting = state.status === 'none' ? undefined : [...state.pending.values()].find((c) => c.sha256 === sha256);
    if (waiting) {
      // Its approval may not have been opened yet (the approvals service did not answer): asked again, it is.
      const proposedAt = this.registry.proposedAtOf(waiting.approvalId) ?? new Date().toISOString();
      const position = await this.stream.askApproval(openChangeApproval(waiting, proposedAt));
      return { answer: changeRequested(waiting), position };
    }
    return { answer: { jobType, version, sha256, created: false }, position: 0 };
  }

  /** Re-decides past action requests of the job type under a draft (given, or saved: `draftId`); writes nothing. */
  async simulate(req: SimulateRequest): Promise<SimulateResult> {
    if (!req || typeof req.jobType !== 'string') throw new WorkgateError('validation_failed', 'jobType is required');
    const given = req.draftId === undefined ? req.definition : this.savedDraft(req.jobType, req.draftId).source;
    const draft = await this.checked(given);
    if (draft.jobType !== req.jobType) {
      throw new WorkgateError(
        'invalid_definition',
        `the draft is for job type "${draft.jobType}", not "${req.jobType}"`,
        [{ path: 'jobType', message: `must be ${req.jobType}` }],
      );
    }
    return simulateDraft(this.rpc, this.registry, this.threads, draft, { from: req.from, to: req.to });
  }

  /** A saved draft of the job type, or `not_found`. */
  savedDraft(jobType: string, draftId: string): WorkflowDraftSavedData {
    const found = typeof draftId === 'string' ? this.registry.draft(jobType, draftId) : undefined;
    if (!found) throw new WorkgateError('not_found', `${jobType} has no draft ${draftId}`);
    return found;
  }
}
