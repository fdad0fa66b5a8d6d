import { Injectable } from '@nestjs/common';
import {
  AppendRequest,
  CommandReply,
  CommitRequest,
  CommitResult,
  DecidedCommandRequest,
  ReadStreamRequest,
  ReadStreamResult,
  SegmentedCache,
  refuse,
  Subjects,
  WorkgateError,
  WorkOrderAnswer,
  WorkOrderCommandRequest,
  workOrderStream,
} from '@workgate/contracts';
import {
  answerOf,
  decideWorkOrder,
  deterministicUuid,
  evolveWorkOrder,
  initialWorkOrderState,
  startAppend,
  Started,
  WorkOrder,
  WorkOrderContext,
  WorkOrderEvent,
  workOrderEventOf,
  WorkOrderState,
} from '@workgate/domain';
import { InProcessSubjects, PreparedCommit, prepareCommit } from '@workgate/event-store';
import { BatchingRpcClient, foldStream, pagesOver, RpcClient, StreamPageReader } from '@workgate/messaging';
import { CompiledWorkflow } from '@workgate/workflow';
import { decisionDuration, decisions } from './intake.metrics';
import { WorkflowVersions } from './workflow-versions';

interface Cached {
  state: WorkOrderState;
  /** The stream's version, for the next append's expected version. */
  version: number;
  /** The ledger position of the stream's last event. */
  position: number;
}

/** Commands run in order: the replies of those recorded, and the error that stopped the rest. */
export interface InOrder {
  replies: CommandReply[];
  error?: unknown;
}

/** A single command waiting for its work order's turn. */
interface Queued {
  req: WorkOrderCommandRequest;
  arrived: number;
  resolve: (reply: CommandReply) => void;
  reject: (error: unknown) => void;
  /** Told the answer once it is decided, before the commit (IntakeInProcess.commandDecided). */
  decided?: Decided;
}

/** What a caller in this process is told when its command is decided, before the commit. */
type Decided = DecidedCommandRequest['decided'];

/**
 * Work orders kept decided-and-ready in memory; a miss costs one stream read, as long as the work
 * order's history. Bounds the resident memory under bursts. A work order is protected from a flood
 * of new ones once it has been recorded twice (opened, then acted on): a burst of openings cannot
 * push out the work orders in use, whose reads would cost the most.
 */
const CACHE_LIMIT = 10_000;
const MAX_ATTEMPTS = 4;
/**
 * Events of a work order read in its first page (most hold far fewer; later pages are foldStream's).
 * The first pages of the loads of one turn travel as one request: its answer stays under NATS's
 * payload limit at these sizes, and when it does not, each load asks alone.
 */
const FIRST_PAGE = 100;
const READS_PER_REQUEST = 64;
/** Queued commands recorded in one commit at most (a commit holds at most 1,000 events). */
const QUEUED_PER_COMMIT = 64;

/** Tells a caller its answer; what the caller does with it is its own affair and never stops the commit. */
function tell(decided: Decided | undefined, answer: WorkOrderAnswer): void {
  try {
    decided?.(answer);
  } catch {
    // The caller's own failure: the command is recorded and answered all the same.
  }
}

/** The id of the work order an integrator opened as `externalRef` within `source`. */
export function workOrderIdFor(source: string, externalRef: string): string {
  return deterministicUuid('workorder', source, externalRef);
}

/**
 * Runs work-order commands: load the stream (cached with its version), decide once with the pure
 * decider over the workflow version the work order runs on, and commit the work order's events
 * and every stream the command starts (its approvals, exceptions, post-review, delegation) in one
 * ledger commit, each at its expected version; answer after that commit, with its position, so
 * every id in the answer exists. A version conflict reloads and decides again; a retried command
 * (same command id) answers as the first time and writes nothing.
 */
@Injectable()
export class WorkOrdersService {
  private readonly cache = new SegmentedCache<string, Cached>(CACHE_LIMIT);
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Single commands waiting for their work order's turn, by work order: recorded together. */
  private readonly queued = new Map<string, Queued[]>();
  /** Commits of concurrent commands travel together: one round trip per burst, not per command. */
  private readonly commits: BatchingRpcClient<CommitRequest, CommitResult>;
  /**
   * The same, prepared here (checked, canonical JSON) when the ledger writer is in this process.
   * HTTP commands each arrive in an I/O callback of their own: the commits of every callback of a
   * pass of the loop go to the writer's thread as one message (one hand-off, one larger group commit).
   */
  private readonly preparedCommits: BatchingRpcClient<PreparedCommit, CommitResult>;
  /**
   * Work orders this instance does not hold are read together: the first pages of the loads of one
   * turn (a JetStream batch's work orders) cost one round trip and one query, not one each.
   */
  private readonly firstPages: BatchingRpcClient<ReadStreamRequest, ReadStreamResult>;
  private readonly pageAlone: StreamPageReader;

  constructor(
    private readonly rpc: RpcClient,
    private readonly workflows: WorkflowVersions,
  ) {
    this.commits = new BatchingRpcClient(rpc, Subjects.ledger.appendBatch, { timeoutMs: 15_000 });
    this.preparedCommits = new BatchingRpcClient(rpc, InProcessSubjects.ledgerCommitPreparedBatch, {
      timeoutMs: 15_000,
      gather: 'phase',
    });
    this.firstPages = new BatchingRpcClient(rpc, Subjects.ledger.readStreamBatch, { maxBatch: READS_PER_REQUEST });
    this.pageAlone = pagesOver(rpc);
  }

  /** Commands on one work order run one at a time in this instance (no needless conflicts). */
  private serialized<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.locks.set(id, next);
    void next
      .catch(() => undefined)
      .finally(() => {
        if (this.locks.get(id) === next) this.locks.delete(id);
      });
    return next;
  }

  resolveId(req: Pick<WorkOrderCommandRequest, 'address' | 'command'>): string {
    const { address, command } = req;
    if (command.type === 'OpenWorkOrder') return workOrderIdFor(command.body.source, command.body.externalRef);
    if (address.workOrderId) return address.workOrderId;
    if (address.source && address.externalRef) return workOrderIdFor(address.source, address.externalRef);
    throw refuse('validation_failed', 'a work order is addressed by its id, or by source and externalRef');
  }

  /**
   * Runs a command; `id` is the work order it addresses when the caller already resolved it.
   * Commands of independent callers that arrive while the work order has one in flight wait
   * together and are then recorded together (one commit for the lot, each decided on the state
   * the ones before it leave), so many callers on one work order cost one commit per burst, not
   * one each. Each caller gets its own reply or its own refusal. `decided`, when given, is told
   * the answer as soon as it is decided, before its commit (the reply waits for the commit).
   */
  execute(req: WorkOrderCommandRequest, id = this.resolveId(req), decided?: Decided): Promise<CommandReply> {
    return new Promise<CommandReply>((resolve, reject) => {
      const queued = this.queued.get(id);
      const waiting = { req, arrived: performance.now(), resolve, reject, decided };
      if (queued) return void queued.push(waiting);
      const batch = [waiting];
      this.queued.set(id, batch);
      void this.serialized(id, async () => {
        // From here on, new arrivals form the next batch, run once this one is recorded.
        if (this.queued.get(id) === batch) this.queued.delete(id);
        await this.runQueued(id, batch);
      });
    });
  }

  /** Runs queued commands in arrival order; a refused one answers its caller and the ones after it still run. */
  private async runQueued(id: string, batch: Queued[]): Promise<void> {
    let rest = batch;
    while (rest.length > 0) {
      const now = rest.slice(0, QUEUED_PER_COMMIT);
      const told = now.map((q) => q.decided);
      let { replies, error } = await this.inOrder(
        id,
        now.map((q) => q.req),
        now[0].arrived,
        told,
      );
      // A commit of several callers' commands that failed (too large, the ledger away) may not be
      // the first one's doing: it is tried alone before it is blamed.
      if (error !== undefined && replies.length === 0 && now.length > 1)
        ({ replies, error } = await this.inOrder(id, [now[0].req], now[0].arrived, [told[0]]));
      replies.forEach((reply, i) => now[i].resolve(reply));
      if (error !== undefined) now[replies.length].reject(error);
      rest = rest.slice(error === undefined ? replies.length : replies.length + 1);
    }
  }

  /**
   * Runs consecutive commands on one work order in order, as if one after the other, but records
   * those that can be decided together in ONE commit: each is decided on the state the ones before
   * it leave, and the events of all of them commit together or not at all. A work order's burst
   * (open, then its first actions) thus waits for one commit instead of one per command. A command
   * refused on that not yet committed state is not refused there: the ones before it are recorded
   * first and it is decided again on the committed state, so a refusal never rests on anything
   * unrecorded. Stops at the first command that fails: `replies` holds those before it, `error` why
   * it failed, and the ones after it are not run.
   */
  executeInOrder(id: string, reqs: WorkOrderCommandRequest[]): Promise<InOrder> {
    const arrived = performance.now();
    return this.serialized(id, () => this.inOrder(id, reqs, arrived));
  }

  /**
   * Commits another stream's append (an approval's decided events, an exception's resolution)
   * together with the commands it causes on this work order, in ONE ledger commit, in the work
   * order's turn: the position answered covers both. When the work order cannot take them (unknown
   * work order, approval or exception), the append commits alone. A version conflict on the other stream is the caller's to decide
   * again; one on the work order reloads it and decides again here.
   */
  commitWith(id: string, reqs: WorkOrderCommandRequest[], also: AppendRequest): Promise<number> {
    const arrived = performance.now();
    return this.serialized(id, async () => {
      if (reqs.length > 0) {
        try {
          // The commands of one decision or resolution are decided together (at most one, as the domain words them).
          const replies = await this.executeNow(id, reqs, arrived, [], also);
          return replies[replies.length - 1].position;
        } catch (error) {
          if ((error as WorkgateError).code !== 'not_found') throw error;
        }
      }
      return (await this.commit({ appends: [also] })).position;
    });
  }

  /** executeInOrder's work, with the work order's turn already held. */
  private async inOrder(
    id: string,
    reqs: WorkOrderCommandRequest[],
    arrived: number,
    told: Array<Decided | undefined> = [],
  ): Promise<InOrder> {
    const replies: CommandReply[] = [];
    while (replies.length < reqs.length) {
      try {
        replies.push(...(await this.executeNow(id, reqs.slice(replies.length), arrived, told.slice(replies.length))));
      } catch (error) {
        return { replies, error };
      }
    }
    return { replies };
  }

  /**
   * Records the first command and as many of the next ones as decide together; their replies, in
   * order (at least one). Each `told` caller hears its answer once decided, before the commit.
   * `also`, another stream's append, commits with them (alone when they record nothing).
   */
  private async executeNow(
    id: string,
    reqs: WorkOrderCommandRequest[],
    arrived: number,
    told: Array<Decided | undefined>,
    also?: AppendRequest,
  ): Promise<CommandReply[]> {
    // Opening a new work order needs no read: append with 'no_stream' and learn on a conflict.
    let optimisticOpen = reqs[0].command.type === 'OpenWorkOrder' && !this.cache.has(id);
    for (let attempt = 1; ; attempt++) {
      const { state, version, position } = optimisticOpen
        ? { state: initialWorkOrderState(), version: 0, position: 0 }
        : await this.load(id);
      optimisticOpen = false;
      const events: WorkOrderEvent[] = [];
      const starts: Array<{ started: Started; cause: WorkOrderEvent }> = [];
      const answers: WorkOrderAnswer[] = [];
      let after = state;
      for (const req of reqs) {
        let decided;
        try {
          decided = decideWorkOrder(
            req.command,
            after,
            this.contextNow(id, req, after) ?? (await this.context(id, req, after)),
          );
        } catch (error) {
          if (answers.length === 0) throw error;
          break; // decided again once the ones before it are recorded
        }
        if (decided.events.length > 0) {
          after = decided.events.reduce(evolveWorkOrder, after);
          events.push(...decided.events);
          const cause = decided.events[decided.events.length - 1];
          starts.push(...decided.starts.map((started) => ({ started, cause })));
        }
        // Nothing recorded (a retry, an outcome already applied): the work order as it stands.
        const wo = after as WorkOrder;
        const handled = wo.handled.get(req.meta.commandId);
        answers.push(handled ? answerOf(handled, wo) : { id: wo.id, status: wo.status });
      }
      if (events.length === 0 && !also) return answers.map((answer) => ({ answer, position }));
      answers.forEach((answer, i) => tell(told[i], answer));
      try {
        const committed = await this.commit({
          appends: [
            ...(events.length > 0
              ? [
                  {
                    streamId: workOrderStream(id),
                    expectedVersion: version === 0 ? ('no_stream' as const) : version,
                    events,
                  },
                ]
              : []),
            ...starts.map(({ started, cause }) => startAppend(started, cause.metadata, cause.occurredAt)),
            ...(also ? [also] : []),
          ],
        });
        if (events.length > 0)
          this.remember(id, { state: after, version: committed.results[0].nextVersion, position: committed.position });
        measure(events, reqs.slice(0, answers.length), arrived);
        return answers.map((answer) => ({ answer, position: committed.position }));
      } catch (error) {
        this.cache.delete(id);
        if ((error as WorkgateError).code !== 'version_conflict' || attempt >= MAX_ATTEMPTS || conflictsOn(error, also))
          throw error;
      }
    }
  }

  /**
   * When the ledger writer is in this process, the commit is checked and put in canonical JSON
   * here and travels as text (a thread clones text far more cheaply than object trees, and the
   * writer does not canonicalize again); otherwise it goes as a plain request to be checked there.
   */
  private commit(request: CommitRequest): Promise<CommitResult> {
    if (!this.rpc.answersInProcess(InProcessSubjects.ledgerCommitPreparedBatch.subject))
      return this.commits.call(request);
    let prepared: PreparedCommit;
    try {
      prepared = prepareCommit(request);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.preparedCommits.call(prepared);
  }

  /** The context of a command on an existing work order when everything it needs is at hand (the common case: no promise). */
  private contextNow(id: string, req: WorkOrderCommandRequest, state: WorkOrderState): WorkOrderContext | undefined {
    if (state.status === 'none') return undefined;
    const workflow = this.workflows.known(state.policy);
    const catalog = this.workflows.knownCatalog();
    return workflow && catalog ? { meta: req.meta, workflow, catalog, workOrderId: id } : undefined;
  }

  /** What a command on `state` is decided with: the version the work order runs on (to open one: the current one), the catalog, time. */
  private async context(id: string, req: WorkOrderCommandRequest, state: WorkOrderState): Promise<WorkOrderContext> {
    let workflow: CompiledWorkflow;
    if (state.status !== 'none') workflow = await this.workflows.version(state.policy);
    else if (req.command.type === 'OpenWorkOrder') workflow = await this.workflows.currentOf(req.command.body.jobType);
    else throw refuse('not_found', 'no such work order');
    return { meta: req.meta, workflow, catalog: await this.workflows.catalog(), workOrderId: id };
  }

  /** The work order's state, stream version and the position of its last event (cached; read from the ledger when not). */
  async load(id: string): Promise<Cached> {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const read: StreamPageReader = (request) => this.readPage(request);
    const loaded = await foldStream(
      read,
      workOrderStream(id),
      initialWorkOrderState(),
      (state, e) => evolveWorkOrder(state, workOrderEventOf(e)),
      FIRST_PAGE,
    );
    if (loaded.version > 0) this.remember(id, loaded);
    return loaded;
  }

  /**
   * A first page with the other loads of this turn; later pages alone. It is asked alone too when
   * the answer together is too large for one message, or when the batch subject is `unavailable`:
   * no ledger of this release answers it (during an upgrade), or the ledger is away (then the read
   * alone fails the same way, one request later).
   */
  private async readPage(request: Required<ReadStreamRequest>): Promise<ReadStreamResult> {
    if (request.fromVersion > 1) return this.pageAlone(request);
    try {
      return await this.firstPages.call(request);
    } catch (error) {
      const code = (error as WorkgateError).code;
      if (code !== 'payload_too_large' && code !== 'unavailable') throw error;
      return this.pageAlone(request);
    }
  }

  private remember(id: string, cached: Cached): void {
    this.cache.remember(id, cached);
  }

  /** An existing work order and the workflow version it runs on, or `not_found`. */
  async existing(id: string): Promise<{ state: WorkOrder; workflow: CompiledWorkflow }> {
    const { state } = await this.load(id);
    if (state.status === 'none') throw refuse('not_found', `no work order ${id}`);
    return { state, workflow: await this.workflows.version(state.policy) };
  }
}

/** Whether a version conflict is on `also`'s stream (deciding the work order again would not help). */
function conflictsOn(error: unknown, also: AppendRequest | undefined): boolean {
  const details = (error as WorkgateError).details;
  return (
    !!also && Array.isArray(details) && details.some((d) => (d as { streamId?: unknown })?.streamId === also.streamId)
  );
}

/** The metrics of a commit: each decision recorded, and how long each action request took to be decided and committed. */
function measure(events: WorkOrderEvent[], committed: WorkOrderCommandRequest[], arrived: number): void {
  for (const e of events)
    if (e.type === 'ActionDecided')
      decisions.inc({ decision: e.data.decision.decision, reason: e.data.decision.reason });
  const seconds = (performance.now() - arrived) / 1000;
  for (const req of committed) if (req.command.type === 'RequestAction') decisionDuration.observe(seconds);
}
