import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { NatsConnection, Subscription } from 'nats';
import {
  AppendRequest,
  AppendResult,
  DecideRequest,
  DecisionResult,
  ExceptionCode,
  InProcessSubjects,
  ledgerSubject,
  PolicyEvents,
  ReadStreamResult,
  RecordedEvent,
  rememberRecent,
  Subjects,
  WorkflowDefinition,
  WorkflowVersion,
  WorkgateError,
  WorkOrderAnswer,
  WorkOrderCommandRequest,
  workOrderStream,
} from '@workgate/contracts';
import {
  answerOf,
  approvedAddedScope,
  BOUNDARY_REASONS,
  CatalogEntry,
  DecisionContext,
  decideWorkOrder,
  distinctClasses,
  deterministicUuid,
  evolveWorkOrder,
  initialWorkOrderState,
  OpenState,
  WorkOrderEvent,
  workOrderFacts,
  WorkOrderState,
} from '@workgate/domain';
import { PreparedAppend, prepareAppend } from '@workgate/event-store';
import { BatchingRpcClient, decodeJson, NATS_CONNECTION, RpcClient } from '@workgate/messaging';
import { parseDuration } from '@workgate/workflow';

interface Cached {
  state: WorkOrderState;
  version: number;
}

/** Commands run in order: the answers of those recorded, and the error that stopped the rest. */
export interface InOrder {
  answers: WorkOrderAnswer[];
  error?: unknown;
}

/** Work orders kept decided-and-ready in memory; a miss costs one stream read. Bounds the resident memory under bursts. */
const CACHE_LIMIT = 10_000;
const CATALOG_TTL_MS = 10_000;
const CURRENT_TTL_MS = 5_000;
const MAX_ATTEMPTS = 4;

/** The id of the work order an integrator opened as `externalRef` within `source`. */
export function workOrderIdFor(source: string, externalRef: string): string {
  return deterministicUuid('workorder', source, externalRef);
}

export function toWorkOrderEvent(e: RecordedEvent): WorkOrderEvent {
  return { type: e.type, eventId: e.eventId, data: e.data, metadata: e.metadata as WorkOrderEvent['metadata'], occurredAt: e.occurredAt };
}

/**
 * Runs work-order commands: load the stream (cached with its version), decide, append with the
 * expected version, answer after the ledger commit. A version conflict reloads and decides again;
 * a retried command (same command id) answers as the first time and writes nothing.
 */
@Injectable()
export class WorkOrdersService implements OnApplicationShutdown {
  private readonly cache = new Map<string, Cached>();
  private readonly definitions = new Map<string, WorkflowVersion>();
  /** The current version per job type, for opening; dropped when a new version is published. */
  private readonly current = new Map<string, { at: number; version: WorkflowVersion }>();
  private readonly published: Subscription;
  /** The newest version seen published per job type: opening never uses an older one once it is known. */
  private readonly latestPublished = new Map<string, number>();
  private catalogCache?: { at: number; codes: Map<string, CatalogEntry> };
  private readonly locks = new Map<string, Promise<unknown>>();

  /** Appends and decisions of concurrent commands travel together: one round trip per burst, not per event. */
  private readonly appends: BatchingRpcClient<AppendRequest, AppendResult>;
  /** The same, prepared here (checked, canonical JSON) when the ledger writer is in this process. */
  private readonly preparedAppends: BatchingRpcClient<PreparedAppend, AppendResult>;
  private readonly decisions: BatchingRpcClient<DecideRequest, DecisionResult>;

  constructor(
    private readonly rpc: RpcClient,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
  ) {
    this.published = nc.subscribe(ledgerSubject('workflow', PolicyEvents.WorkflowPublished), {
      callback: (err, msg) => {
        this.current.clear();
        if (err) return;
        try {
          const { jobType, version } = decodeJson<RecordedEvent>(msg.data).data as { jobType: string; version: number };
          if (version > (this.latestPublished.get(jobType) ?? 0)) this.latestPublished.set(jobType, version);
        } catch {
          // Not readable: the cleared cache is enough.
        }
      },
    });
    this.appends = new BatchingRpcClient(rpc, Subjects.ledger.appendBatch, { timeoutMs: 15_000 });
    this.preparedAppends = new BatchingRpcClient(rpc, InProcessSubjects.ledgerAppendPreparedBatch, { timeoutMs: 15_000 });
    this.decisions = new BatchingRpcClient(rpc, Subjects.policy.decideBatch);
  }

  onApplicationShutdown(): void {
    this.published.unsubscribe();
  }

  /** Commands on one work order run one at a time in this instance (no needless conflicts). */
  private serialized<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.locks.set(id, next);
    void next.catch(() => undefined).finally(() => {
      if (this.locks.get(id) === next) this.locks.delete(id);
    });
    return next;
  }

  resolveId(req: Pick<WorkOrderCommandRequest, 'address' | 'command'>): string {
    const { address, command } = req;
    if (command.type === 'open') return workOrderIdFor(command.body.source, command.body.externalRef);
    if (address.workOrderId) return address.workOrderId;
    if (address.source && address.externalRef) return workOrderIdFor(address.source, address.externalRef);
    throw new WorkgateError('validation_failed', 'a work order is addressed by its id, or by source and externalRef');
  }

  /** Runs a command; `id` is the work order it addresses when the caller already resolved it. */
  async execute(req: WorkOrderCommandRequest, id = this.resolveId(req)): Promise<WorkOrderAnswer> {
    const { answers, error } = await this.executeInOrder(id, [req]);
    if (error !== undefined) throw error;
    return answers[0];
  }

  /**
   * Runs consecutive commands on one work order in order, as if one after the other, but records
   * those that can be decided together in ONE append: each is decided on the state the ones before
   * it leave, and the events of all of them commit together or not at all. A work order's burst
   * (open, then its first actions) thus waits for one commit instead of one per command. A command
   * refused on that not yet committed state is not refused there: the ones before it are recorded
   * first and it is decided again on the committed state, so a refusal never rests on anything
   * unrecorded. Stops at the first command that fails: `answers` holds those before it, `error` why
   * it failed, and the ones after it are not run.
   */
  executeInOrder(id: string, reqs: WorkOrderCommandRequest[]): Promise<InOrder> {
    return this.serialized(id, async () => {
      const answers: WorkOrderAnswer[] = [];
      while (answers.length < reqs.length) {
        try {
          answers.push(...(await this.executeNow(id, reqs.slice(answers.length))));
        } catch (error) {
          return { answers, error };
        }
      }
      return { answers };
    });
  }

  /** Records the first command and as many of the next ones as decide together; their answers, in order (at least one). */
  private async executeNow(id: string, reqs: WorkOrderCommandRequest[]): Promise<WorkOrderAnswer[]> {
    // Opening a new work order needs no read: append with 'no_stream' and learn on a conflict.
    let optimisticOpen = reqs[0].command.type === 'open' && !this.cache.has(id);
    for (let attempt = 1; ; attempt++) {
      const { state, version } = optimisticOpen ? { state: initialWorkOrderState(), version: 0 } : await this.load(id);
      optimisticOpen = false;
      const events: WorkOrderEvent[] = [];
      const answers: WorkOrderAnswer[] = [];
      let after = state;
      for (const req of reqs) {
        let decided: WorkOrderEvent[];
        try {
          decided = await this.decide(id, req, after);
        } catch (error) {
          if (answers.length === 0) throw error;
          break; // decided again once the ones before it are recorded
        }
        if (decided.length === 0) {
          const s = after as OpenState;
          const handled = s.handled.get(req.meta.commandId);
          // Nothing to record (e.g. an approval outcome already applied): the work order as it stands.
          answers.push(handled ? answerOf(handled, s) : { id: s.id, status: s.status });
          continue;
        }
        after = decided.reduce(evolveWorkOrder, after);
        events.push(...decided);
        // The event the command answers from (not always its last: an opening's exceptions follow it).
        answers.push(answerOf((after as OpenState).handled.get(req.meta.commandId) ?? decided[decided.length - 1], after as OpenState));
      }
      if (events.length === 0) return answers;
      try {
        const appended = await this.append({
          streamId: workOrderStream(id),
          expectedVersion: version === 0 ? 'no_stream' : version,
          events: events.map((e) => ({ eventId: e.eventId, type: e.type, data: e.data as Record<string, unknown>, metadata: e.metadata, occurredAt: e.occurredAt })),
        });
        this.remember(id, { state: after, version: appended.nextVersion });
        return answers;
      } catch (error) {
        this.cache.delete(id);
        if ((error as WorkgateError).code !== 'version_conflict' || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * When the ledger writer runs in this process, the append is checked and put in canonical JSON
   * here and travels as text (a thread clones text far more cheaply than object trees, and the
   * writer does not canonicalize again); otherwise it goes as a plain request to be checked there.
   */
  private append(request: AppendRequest): Promise<AppendResult> {
    if (!this.rpc.answersInProcess(InProcessSubjects.ledgerAppendPreparedBatch)) return this.appends.call(request);
    let prepared: PreparedAppend;
    try {
      prepared = prepareAppend(request);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.preparedAppends.call(prepared);
  }

  /** The events one command records on `state` (none when it was already handled), or its refusal. */
  private async decide(id: string, req: WorkOrderCommandRequest, state: WorkOrderState): Promise<WorkOrderEvent[]> {
    const definition = await this.definitionFor(req, state);
    const catalog = await this.catalog();
    const policy = { jobType: definition.jobType, version: definition.version, sha256: definition.sha256 };
    const fresh = state.status !== 'none' && state.status !== 'closed' && !state.handled.has(req.meta.commandId);
    let decision: DecisionResult | undefined;
    let scopeItems: DecisionContext['scopeItems'];
    if (req.command.type === 'request-action' && fresh) {
      const b = req.command.body;
      decision = await this.decisions.call({
        jobType: policy.jobType,
        version: policy.version,
        action: { system: b.system, operation: b.operation, kind: b.kind, ...(b.objects ? { objects: b.objects } : {}), ...(b.stepId ? { stepId: b.stepId } : {}) },
        facts: b.facts ?? {},
        workOrder: workOrderFacts(state as OpenState),
        addedScope: approvedAddedScope(state as OpenState),
      });
    }
    if (req.command.type === 'change-scope' && fresh) {
      // Only a class the boundary stops can be added; the overlays that apply to it decide its review tracks.
      const decided = await Promise.all(
        distinctClasses(req.command.body.add ?? []).map((item) => this.decisions.call({ jobType: policy.jobType, version: policy.version, action: item, facts: {}, workOrder: workOrderFacts(state as OpenState) })),
      );
      scopeItems = decided.map((d) => ({ outsideBoundary: BOUNDARY_REASONS.has(d.reason), overlays: d.overlays ?? [] }));
    }
    return decideWorkOrder(req.command, state, req.meta, {
      workOrderId: id,
      definition: definition.definition,
      policy,
      catalog,
      durationMs: parseDuration,
      decision,
      scopeItems,
    });
  }

  /** The work order's state and stream version (cached; read from the ledger when not). */
  async load(id: string): Promise<Cached> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    let state = initialWorkOrderState();
    let version = 0;
    for (;;) {
      const page = await this.rpc.request<ReadStreamResult>(Subjects.ledger.readStream, { streamId: workOrderStream(id), fromVersion: version + 1 });
      for (const e of page.events) state = evolveWorkOrder(state, toWorkOrderEvent(e));
      if (page.events.length === 0) break;
      version = page.events[page.events.length - 1].streamVersion;
      if (version >= page.version) break;
    }
    const loaded = { state, version };
    if (version > 0) this.remember(id, loaded);
    return loaded;
  }

  private remember(id: string, cached: Cached): void {
    rememberRecent(this.cache, id, cached, CACHE_LIMIT);
  }


  /** The definition version a command is decided under: the current one to open, the work order's own afterwards. */
  private async definitionFor(req: WorkOrderCommandRequest, state: WorkOrderState): Promise<WorkflowVersion> {
    if (req.command.type === 'open' && state.status === 'none') {
      const jobType = req.command.body.jobType;
      const known = this.current.get(jobType);
      if (known && Date.now() - known.at < CURRENT_TTL_MS) return known.version;
      let version = await this.rpc.request<WorkflowVersion>(Subjects.policy.get, { jobType });
      // The policy service may not have applied a version this instance already saw published.
      const latest = this.latestPublished.get(jobType) ?? 0;
      if (version.version < latest) version = await this.definition(jobType, latest);
      this.current.set(jobType, { at: Date.now(), version });
      return version;
    }
    if (state.status === 'none') throw new WorkgateError('not_found', 'no such work order');
    return this.definition(state.policy.jobType, state.policy.version);
  }

  async definition(jobType: string, version: number): Promise<WorkflowVersion> {
    const key = `${jobType}@${version}`;
    let found = this.definitions.get(key);
    if (!found) {
      found = await this.rpc.request<WorkflowVersion>(Subjects.policy.get, { jobType, version });
      this.definitions.set(key, found); // versions never change
    }
    return found;
  }

  private async catalog(): Promise<Map<string, CatalogEntry>> {
    if (!this.catalogCache || Date.now() - this.catalogCache.at > CATALOG_TTL_MS) {
      const codes = await this.rpc.request<ExceptionCode[]>(Subjects.exceptions.listCodes, {});
      this.catalogCache = { at: Date.now(), codes: new Map(codes.map((c) => [c.code, { owner: c.owner, sla: c.sla }])) };
    }
    return this.catalogCache.codes;
  }

  /** The state of an existing work order, or `not_found`. */
  async existing(id: string): Promise<{ state: OpenState; definition: WorkflowDefinition }> {
    const { state } = await this.load(id);
    if (state.status === 'none') throw new WorkgateError('not_found', `no work order ${id}`);
    return { state, definition: (await this.definition(state.policy.jobType, state.policy.version)).definition };
  }
}
