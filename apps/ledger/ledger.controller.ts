import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  ExceptionListItem,
  ExceptionListQuery,
  InboxMessage,
  InboxRequest,
  ApprovalQueueRequest,
  ApprovalQueueRow,
  BatchReply,
  BatchRequest,
  DueTimer,
  DueTimersRequest,
  Empty,
  GetEventRequest,
  HealthReply,
  LedgerHead,
  SignedCheckpoint,
  LedgerKey,
  InclusionProof,
  ProveRequest,
  ConsistencyRequest,
  ConsistencyProof,
  VerifyCheckpointRequest,
  WorkOrderListItem,
  WorkOrderListQuery,
  QueryEventsRequest,
  ReadAllRequest,
  ReadAllResult,
  ReadStreamRequest,
  ReadStreamResult,
  RecordedEvent,
  Subjects,
  VerifyResult,
  LiveMapQuery,
  CompareQuery,
  CompareRow,
  LiveMapViewRows,
  ViewQuery,
  ViewRow,
  WorkgateError,
} from '@workgate/contracts';
import {
  consistencyProof,
  GENESIS_HASH,
  inclusionProof,
  lastSignedCheckpointSize,
  storedCheckpoints,
  treeRoot,
  verifyAgainstCheckpoint,
  verifyAgainstNote,
  verifyLedger,
  VerifyOptions,
} from '@workgate/event-store';
import { Checkpointer } from './checkpointer';
import { Serves, serveBatch, SERVICE_CONTEXT, ServiceContext } from '@workgate/messaging';
import { LedgerHealth } from './ledger-health';
import { LedgerStore } from './ledger-store';
import { dueTimers } from './views/timers.projection';
import { approvalQueue } from './views/approval-queue';
import { listExceptions } from './views/exceptions.queries';
import { inboxMessages } from './views/inbox.projection';
import { queryView } from './views/views.queries';
import { compareGroups } from './views/compare.queries';
import { liveMapViews } from './views/map.queries';
import { listWorkOrders } from './views/work-orders.projection';

/** Reads, verification and health: any ledger instance (writer or standby) serves these. */
@Controller()
export class LedgerController {
  constructor(
    private readonly store: LedgerStore,
    private readonly healthDetails: LedgerHealth,
    private readonly checkpoints: Checkpointer,
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
  ) {}

  @Serves(Subjects.ledger.readStream)
  readStream(@Payload() req: ReadStreamRequest): Promise<ReadStreamResult> {
    if (!req || typeof req.streamId !== 'string' || req.streamId.length === 0) {
      throw new WorkgateError('validation_failed', 'streamId is required');
    }
    return this.store.reader.readStream(req.streamId, req.fromVersion ?? 1, req.limit);
  }

  /** Each item as read-stream answers it; the reads of a batch are one query. */
  @Serves(Subjects.ledger.readStreamBatch)
  readStreamBatch(@Payload() req: BatchRequest<ReadStreamRequest>): Promise<BatchReply<ReadStreamResult>> {
    return serveBatch(req, (item) => this.readStream(item), { span: 'read-stream', service: 'ledger' });
  }

  @Serves(Subjects.ledger.readAll)
  readAll(@Payload() req: ReadAllRequest): Promise<ReadAllResult> {
    return this.store.reader.readAll(req?.after ?? 0, req?.limit);
  }

  @Serves(Subjects.ledger.query)
  query(@Payload() req: QueryEventsRequest): Promise<ReadAllResult> {
    if (!req || !Array.isArray(req.types) || req.types.some((t) => typeof t !== 'string')) {
      throw new WorkgateError('validation_failed', 'types must be a list of event types');
    }
    for (const [name, value] of [
      ['from', req.from],
      ['to', req.to],
    ] as const) {
      if (value !== undefined && Number.isNaN(Date.parse(value)))
        throw new WorkgateError('validation_failed', `${name} must be an RFC 3339 time`);
    }
    return this.store.reader.query(req.types, req);
  }

  @Serves(Subjects.ledger.getEvent)
  async getEvent(@Payload() req: GetEventRequest): Promise<RecordedEvent> {
    const event = typeof req?.eventId === 'string' ? await this.store.reader.getEvent(req.eventId) : undefined;
    if (!event) throw new WorkgateError('not_found', 'no ledger event has that id');
    return event;
  }

  @Serves(Subjects.ledger.listWorkOrders)
  listWorkOrders(@Payload() req: WorkOrderListQuery): Promise<WorkOrderListItem[]> {
    return listWorkOrders(this.store.pool, req ?? {});
  }

  @Serves(Subjects.ledger.listExceptions)
  listExceptions(@Payload() req: ExceptionListQuery): Promise<ExceptionListItem[]> {
    return listExceptions(this.store.pool, req ?? {});
  }

  @Serves(Subjects.ledger.inbox)
  inbox(@Payload() req: InboxRequest): Promise<InboxMessage[]> {
    return inboxMessages(this.store.pool, req ?? { recipient: '' });
  }

  @Serves(Subjects.ledger.dueTimers)
  dueTimers(@Payload() req: DueTimersRequest): Promise<DueTimer[]> {
    if (!Array.isArray(req?.kinds) || Number.isNaN(Date.parse(req?.now)))
      throw new WorkgateError('validation_failed', 'kinds and now are required');
    return dueTimers(this.store.pool, req.kinds, req.now, req.limit);
  }

  @Serves(Subjects.ledger.listApprovals)
  async listApprovals(@Payload() req: ApprovalQueueRequest): Promise<ApprovalQueueRow[]> {
    return approvalQueue(this.store.pool, req, await this.store.signedUpTo());
  }

  /** The newest signed checkpoint: the tree's signed note, with the head's position and hash signed as JSON too. */
  @Serves(Subjects.ledger.checkpoint)
  async checkpoint(@Payload() _req: Empty): Promise<SignedCheckpoint> {
    const tree = await this.checkpoints.latest();
    return {
      ...this.store.signer.sign(tree.size, tree.lastLeaf ?? GENESIS_HASH, tree.signedAt),
      treeSize: tree.size,
      rootHash: tree.root.toString('base64'),
      note: tree.note,
      verifierKey: this.store.signer.verifierKey,
    };
  }

  @Serves(Subjects.ledger.key)
  key(@Payload() _req: Empty): LedgerKey {
    return { origin: this.store.signer.origin, verifierKey: this.store.signer.verifierKey };
  }

  /** An inclusion proof of the event at a position, against the newest checkpoint (signed now if it does not cover it yet). */
  @Serves(Subjects.ledger.prove)
  async prove(@Payload() req: ProveRequest): Promise<InclusionProof> {
    const position = req?.position;
    if (!Number.isSafeInteger(position) || position < 1)
      throw new WorkgateError('validation_failed', 'position must be a ledger position (1 or more)');
    const tree = await this.checkpoints.latest(position);
    if (position > tree.size)
      throw new WorkgateError(
        'not_found',
        `position ${position} is not in the newest checkpoint (${tree.size} events)`,
      );
    const inclusion = await inclusionProof(this.store.pool, position - 1, tree.size);
    return {
      leafIndex: position - 1,
      treeSize: tree.size,
      inclusion: inclusion.map((h) => h.toString('base64')),
      checkpoint: tree.note,
    };
  }

  @Serves(Subjects.ledger.consistency)
  async consistency(@Payload() req: ConsistencyRequest): Promise<ConsistencyProof> {
    const head = await this.store.reader.signedHead();
    const { from, to = head.position }: Partial<ConsistencyRequest> = req ?? {};
    if (
      from === undefined ||
      !Number.isSafeInteger(from) ||
      !Number.isSafeInteger(to) ||
      from < 1 ||
      from > to ||
      to > head.position
    ) {
      throw new WorkgateError(
        'validation_failed',
        `from and to are tree sizes with 1 <= from <= to <= ${head.position}`,
        [{ path: 'query:from', message: 'must be 1 to to' }],
      );
    }
    const [proof, fromRoot, toRoot] = await Promise.all([
      consistencyProof(this.store.pool, from, to),
      treeRoot(this.store.pool, from),
      treeRoot(this.store.pool, to),
    ]);
    return {
      from,
      to,
      proof: proof.map((h) => h.toString('base64')),
      fromRoot: fromRoot.toString('base64'),
      toRoot: toRoot.toString('base64'),
    };
  }

  @Serves(Subjects.ledger.verifyCheckpoint)
  async verifyCheckpoint(@Payload() req: VerifyCheckpointRequest): Promise<VerifyResult> {
    if (typeof req?.note === 'string')
      return verifyAgainstNote(
        this.store.pool,
        req.note,
        this.store.signer.verifierKey,
        await this.signaturesChecked(),
      );
    const c = req?.checkpoint;
    if (!c || typeof c.position !== 'number' || typeof c.headHash !== 'string' || typeof c.signature !== 'string') {
      throw new WorkgateError(
        'validation_failed',
        'a checkpoint {position, headHash, at, keyId, signature}, or its signed note, is required',
      );
    }
    if (!this.store.signer.verify(c)) {
      const head = await this.store.reader.head();
      return {
        ok: false,
        checked: 0,
        headHash: head.hash,
        headPosition: head.position,
        problem: "the checkpoint's signature does not verify with this ledger's key",
      };
    }
    // With its note, the Merkle root is checked too (every event, not only the head's hash).
    const options = await this.signaturesChecked();
    return typeof c.note === 'string'
      ? verifyAgainstNote(this.store.pool, c.note, this.store.signer.verifierKey, options)
      : verifyAgainstCheckpoint(this.store.pool, c, options);
  }

  /**
   * Verify checks the writer's commit signatures (every one found, and one covering every event past
   * the last checkpoint signed with this ledger's key) and the root of every stored checkpoint.
   */
  private async signaturesChecked(): Promise<VerifyOptions> {
    const key = this.store.signer.verifierKey;
    const [from, roots] = await Promise.all([
      lastSignedCheckpointSize(this.store.pool, key),
      storedCheckpoints(this.store.pool, key),
    ]);
    return { signatures: { from, verify: this.store.signer.verifyCommit }, roots };
  }

  @Serves(Subjects.ledger.view)
  view(@Payload() req: ViewQuery): Promise<ViewRow[]> {
    return queryView(this.store.pool, req);
  }

  @Serves(Subjects.ledger.compare)
  compare(@Payload() req: CompareQuery): Promise<CompareRow[]> {
    return compareGroups(this.store.pool, req);
  }

  @Serves(Subjects.ledger.liveMap)
  liveMap(@Payload() req: LiveMapQuery): Promise<LiveMapViewRows> {
    return liveMapViews(this.store.pool, req);
  }

  @Serves(Subjects.ledger.head)
  head(@Payload() _req: Empty): Promise<LedgerHead> {
    return this.store.reader.signedHead();
  }

  @Serves(Subjects.ledger.verify)
  async verify(@Payload() _req: Empty): Promise<VerifyResult> {
    return verifyLedger(this.store.pool, await this.signaturesChecked());
  }

  @Serves(Subjects.health('ledger'))
  async health(@Payload() _req: Empty): Promise<HealthReply> {
    const details = await this.healthDetails.details();
    return { service: 'ledger', ok: details.problems.length === 0, instance: this.ctx.instance, details };
  }
}
