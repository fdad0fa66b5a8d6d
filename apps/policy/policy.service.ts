import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  eventOf,
  isPlainObject,
  Notices,
  PolicyEvents,
  PublishWorkflowRequest,
  PublishWorkflowResult,
  RecordedEvent,
  SimulateRequest,
  SimulatedVerdict,
  SimulateResult,
  Subjects,
  WorkflowDefinition,
  WorkflowPublishedData,
  workflowStream,
  WorkgateError,
  WorkOrderEvents,
  Written,
} from '@workgate/contracts';
import { ConfigFiles, WorkgateConfig } from '@workgate/config';
import { deterministicUuid, rollbackNoteOf } from '@workgate/domain';
import { isOutage, Listening, NoticeBus, RpcClient } from '@workgate/messaging';
import {
  assertDefinitionSize,
  compileWorkflow,
  decide,
  definitionSha256,
  parseDefinitionText,
  validateDefinition,
} from '@workgate/workflow';
import { PolicyRegistry } from './policy-registry';

const STARTUP_RETRY_MS = 250;
const STARTUP_PATIENCE_MS = 60_000;

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
  private listening?: Listening;

  constructor(
    private readonly rpc: RpcClient,
    private readonly notices: NoticeBus,
    @Inject(WorkgateConfig) private readonly config: WorkgateConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    // Definitions another instance publishes reach every instance through the ledger relay.
    this.listening = this.notices.onLedgerEvent('workflow', PolicyEvents.WorkflowPublished, (e) =>
      this.applyRecorded(e),
    );
    await this.patiently('load definitions from the ledger', () => this.loadFromLedger());
    await this.loadDirectory(this.config.WORKGATE_WORKFLOWS_DIR);
  }

  async onApplicationShutdown(): Promise<void> {
    this.listening?.stop();
  }

  private async patiently<T>(
    what: string,
    work: () => Promise<T>,
    alsoWaitFor: (error: WorkgateError) => boolean = () => false,
  ): Promise<T> {
    const until = Date.now() + STARTUP_PATIENCE_MS;
    for (;;) {
      try {
        return await work();
      } catch (error) {
        if ((!isOutage(error) && !alsoWaitFor(error as WorkgateError)) || Date.now() > until) throw error;
        await new Promise((r) => setTimeout(r, STARTUP_RETRY_MS));
      }
    }
  }

  private applyRecorded(recorded: RecordedEvent): void {
    const e = eventOf(recorded, 'workflow', PolicyEvents.WorkflowPublished);
    if (e) this.registry.apply(e.data, e.streamVersion, e.recordedAt);
  }

  private async loadFromLedger(): Promise<void> {
    let after = 0;
    for (;;) {
      const page = await this.rpc.request(Subjects.ledger.query, {
        types: [PolicyEvents.WorkflowPublished],
        after,
        limit: 1000,
      });
      page.events.forEach((e) => this.applyRecorded(e));
      if (page.events.length < 1000) break;
      after = page.next;
    }
  }

  /** Publishes every definition in the workflows directory that is new; logs (never hides) the ones refused. */
  private async loadDirectory(dir: string): Promise<void> {
    const files = ConfigFiles.definitions(dir);
    if (!files) {
      this.logger.warn(`no workflow directory at ${dir}`);
      return;
    }
    for (const { name: file, read } of files) {
      try {
        // At startup the exceptions service may not have seeded its catalog yet (services start in
        // any order): a definition refused only for codes missing from the catalog is tried again.
        const { answer: result } = await this.patiently(
          `publish ${file}`,
          () => this.publish({ definition: read(), actor: `file:${file}` }),
          onlyMissingCodes,
        );
        if (result.created) this.logger.log(`published ${result.jobType} v${result.version} from ${file}`);
      } catch (error) {
        const e = error as WorkgateError;
        const details = Array.isArray(e.details) ? `\n  ${e.details.map((d) => JSON.stringify(d)).join('\n  ')}` : '';
        this.logger.error(`${file} was not published: ${e.message}${details}`);
      }
    }
  }

  private async catalog(): Promise<Set<string>> {
    const codes = await this.rpc.request(Subjects.exceptions.listCodes, {});
    return new Set(codes.map((c) => c.code));
  }

  /** Parses (YAML/JSON text or an object) and validates a definition; refuses with every problem (413 past its size first, before it is parsed). */
  private async checked(definition: unknown): Promise<WorkflowDefinition> {
    assertDefinitionSize(definition);
    let raw = definition;
    if (typeof definition === 'string') {
      try {
        raw = parseDefinitionText(definition);
      } catch (error) {
        if (error instanceof WorkgateError) throw error;
        throw new WorkgateError('invalid_definition', 'the definition is neither valid YAML nor JSON', [
          { path: '', message: (error as Error).message },
        ]);
      }
    }
    const validation = validateDefinition(raw, { catalog: await this.catalog() });
    if (!validation.ok) {
      const n = validation.problems.length;
      throw new WorkgateError(
        'invalid_definition',
        `the definition has ${n} problem${n === 1 ? '' : 's'}`,
        validation.problems,
      );
    }
    return validation.definition;
  }

  async publish(req: PublishWorkflowRequest): Promise<Written<PublishWorkflowResult>> {
    const definition = await this.checked(req?.definition);
    const { jobType, version } = definition;
    const sha256 = definitionSha256(definition);
    for (let attempt = 0; ; attempt++) {
      // Identical content is published already: nothing is written.
      if (this.registry.findBySha(jobType, sha256))
        return { answer: { jobType, version, sha256, created: false }, position: 0 };
      const current = this.registry.currentVersion(jobType);
      if (current !== undefined && version <= current) {
        throw new WorkgateError(
          'version_not_higher',
          `${jobType} is at version ${current}; a new definition needs a higher version than ${version}`,
          [{ jobType, currentVersion: current, version }],
        );
      }
      const streamVersion = this.registry.streamVersion(jobType);
      const data: WorkflowPublishedData = { jobType, version, sha256, definition };
      try {
        const appended = await this.rpc.request(Subjects.ledger.append, {
          streamId: workflowStream(jobType),
          expectedVersion: streamVersion === 0 ? 'no_stream' : streamVersion,
          events: [
            {
              eventId: deterministicUuid(PolicyEvents.WorkflowPublished, sha256),
              type: PolicyEvents.WorkflowPublished,
              data,
              metadata: { actor: req.actor ?? 'unknown' },
            },
          ],
        });
        this.registry.apply(data, appended.nextVersion, new Date().toISOString());
        this.notices.publish(Notices.workflowPublished, { jobType, version, sha256 });
        return { answer: { jobType, version, sha256, created: true }, position: appended.positions[0] };
      } catch (error) {
        // Another instance published meanwhile: learn what it wrote and decide again.
        if ((error as WorkgateError).code !== 'version_conflict' || attempt >= 3) throw error;
        await this.loadFromLedger();
      }
    }
  }

  /**
   * Re-decides every past action request of the job type under a draft; writes nothing. Both
   * verdicts come from the boundary and the rules (`libs/workflow`): the version each request was
   * decided under, and the draft; holds of the work order (a failed prerequisite, a scope change,
   * an overlay's gate) are its state, not the definition's, and are left out of both.
   */
  async simulate(req: SimulateRequest): Promise<SimulateResult> {
    if (!req || typeof req.jobType !== 'string') throw new WorkgateError('validation_failed', 'jobType is required');
    const draft = await this.checked(req.definition);
    if (draft.jobType !== req.jobType) {
      throw new WorkgateError(
        'invalid_definition',
        `the draft is for job type "${draft.jobType}", not "${req.jobType}"`,
        [{ path: 'jobType', message: `must be ${req.jobType}` }],
      );
    }
    const compiled = compileWorkflow(draft);
    const result: SimulateResult = { evaluated: 0, changed: [] };
    let after = 0;
    for (;;) {
      const page = await this.rpc.request(
        Subjects.ledger.query,
        { types: [WorkOrderEvents.ActionDecided], after, limit: 1000, from: req.from, to: req.to },
        { timeoutMs: 30_000 },
      );
      for (const e of page.events) {
        const past = eventOf(e, 'workorder', WorkOrderEvents.ActionDecided)?.data;
        if (!past) continue;
        if (past.decision?.policy?.jobType !== req.jobType) continue;
        const then = this.registry.resolve(req.jobType, past.decision.policy.version).compiled;
        if (!then) continue;
        result.evaluated += 1;
        const note = rollbackNoteOf(past);
        const input = {
          // The note was recorded apart from the action: the versions are asked with it, as the request was.
          action: note === undefined ? past.action : { ...past.action, rollbackNote: note },
          facts: past.facts,
          workOrder: past.workOrder,
          addedScope: past.addedScope,
        };
        const before = decide(then, input);
        const now = decide(compiled, input);
        if (now.decision !== before.decision) {
          const verdict = ({ decision, reason, rule, message }: SimulatedVerdict): SimulatedVerdict => ({
            decision,
            reason,
            rule,
            message,
          });
          result.changed.push({
            actionId: past.actionId,
            before: before.decision,
            after: now.decision,
            rule: now.rule,
            because: { before: verdict(before), after: verdict(now) },
          });
        }
      }
      if (page.events.length < 1000) break;
      after = page.next;
    }
    return result;
  }
}
