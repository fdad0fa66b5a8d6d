import { Controller, Inject, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CommandReply,
  CommitResult,
  DecidedCommandRequest,
  DecisionRecord,
  DeliveryPage,
  Empty,
  Evidence,
  GetWorkOrderRequest,
  HealthReply,
  IngestOutcome,
  IngestRequest,
  IntakeInProcess,
  OutcomeCommitRequest,
  Receipt,
  ReceiptRequest,
  RecordedEvent,
  RejectionsPage,
  RejectionsRequest,
  refuse,
  requireUuid,
  Subjects,
  WorkgateError,
  WorkOrderCommandRequest,
  WorkOrderEventMap,
  WorkOrderEvents,
  WorkOrderHandoff,
  WorkOrderIdRequest,
  workOrderStream,
  Written,
} from '@workgate/contracts';
import { workOrderOutcomesOf } from '@workgate/domain';
import {
  currentTraceparent,
  inSpan,
  LocalRoutes,
  RpcClient,
  Serves,
  SERVICE_CONTEXT,
  ServiceContext,
  SpanKind,
} from '@workgate/messaging';
import { HttpIngest } from './http-ingest';
import { RejectionStore } from './rejections';
import { decisionRecords, deliveryPage, stateHandoff } from './work-order.views';
import { WorkOrdersService } from './work-orders.service';

/** What each event of a work order is the receipt of: every command's answering event is a receipt (SPEC section 3a). */
const RECEIPT_KINDS: Record<keyof WorkOrderEventMap, string> = {
  WorkOrderOpened: 'opening',
  ActionRequested: 'action-request',
  ActionDecided: 'decision',
  ActionPerformed: 'action-result',
  StepCompleted: 'step',
  StepBlocked: 'exception',
  WorkOrderClosed: 'closure',
  WorkOrderClosureReported: 'closure-reported',
  WorkOrderReopened: 'reopening',
  ApprovalResolved: 'approval-outcome',
  ApprovalConditional: 'approval-conditional',
  WorkOrderExceptionRaised: 'exception',
  WorkOrderExceptionClosed: 'exception-closed',
  BreakGlassUsed: 'break-glass',
  WorkOrderStopped: 'stop',
  StageArtifactRecorded: 'stage-artifact',
  GateRequested: 'gate',
  ScopeChangeRequested: 'scope-change',
  TaskDelegated: 'delegation',
};

const isReceiptEvent = (type: string): type is keyof WorkOrderEventMap =>
  Object.prototype.hasOwnProperty.call(RECEIPT_KINDS, type);

@Controller()
export class IntakeController implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly workOrders: WorkOrdersService,
    private readonly ingester: HttpIngest,
    private readonly rejections: RejectionStore,
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
  ) {}

  /** The in-process route (callers in this process only: the gateway's MCP calls, to forward a read while its decision commits). */
  private readonly commandDecided = (payload: unknown) => {
    const { request, decided } = payload as DecidedCommandRequest;
    const attributes = {
      'workgate.service': 'intake',
      'messaging.destination.name': IntakeInProcess.commandDecided.subject,
    };
    return inSpan(Subjects.intake.command.subject, { kind: SpanKind.SERVER, attributes }, async () =>
      this.run(request, decided),
    );
  };

  onModuleInit(): void {
    LocalRoutes.register(IntakeInProcess.commandDecided.subject, this.commandDecided, { thisThreadOnly: true });
  }

  onModuleDestroy(): void {
    LocalRoutes.unregister(IntakeInProcess.commandDecided.subject, this.commandDecided);
  }

  @Serves(Subjects.intake.command)
  command(@Payload() req: WorkOrderCommandRequest): Promise<CommandReply> {
    return this.run(req);
  }

  /**
   * An approval's decision or an exception's resolution and its outcome on the work order, in one
   * commit (the approvals and exceptions services' route).
   */
  @Serves(Subjects.intake.commitWithOutcome)
  async commitWithOutcome(@Payload() req: OutcomeCommitRequest): Promise<Pick<CommitResult, 'position'>> {
    const workOrderId = requireUuid(req?.workOrderId, 'work order');
    if (typeof req.append?.streamId !== 'string' || !Array.isArray(req.append.events))
      throw refuse('validation_failed', "a commit with its outcome needs the approval's or exception's append");
    const now = new Date().toISOString();
    const commands = workOrderOutcomesOf(req.append).map((o) => ({
      address: { workOrderId },
      command: o.command,
      meta: { commandId: o.commandId, actor: o.actor, now: o.occurredAt ?? now, channel: o.channel },
    }));
    return { position: await this.workOrders.commitWith(workOrderId, commands, req.append) };
  }

  private run(req: WorkOrderCommandRequest, decided?: DecidedCommandRequest['decided']): Promise<CommandReply> {
    if (!req?.command || !req.meta || !req.address)
      throw refuse('validation_failed', 'a command needs address, command and meta');
    const traceparent = currentTraceparent();
    if (traceparent) req.meta.traceparent = traceparent;
    return this.workOrders.execute(req, undefined, decided);
  }

  @Serves(Subjects.intake.get)
  async get(@Payload() req: GetWorkOrderRequest): Promise<WorkOrderHandoff> {
    const { state, workflow } = await this.workOrders.existing(requireUuid(req?.workOrderId, 'work order'));
    const { definition } = workflow;
    if (req.stage !== undefined && !(definition.stages ?? []).some((s) => s.id === req.stage)) {
      throw refuse('unknown_stage', `${definition.jobType} v${definition.version} has no stage "${req.stage}"`);
    }
    return stateHandoff(state, definition, req.stage);
  }

  @Serves(Subjects.intake.events)
  async events(@Payload() req: WorkOrderIdRequest): Promise<RecordedEvent[]> {
    const id = requireUuid(req?.workOrderId, 'work order');
    await this.workOrders.existing(id);
    return (await this.rpc.request(Subjects.ledger.readStream, { streamId: workOrderStream(id) })).events;
  }

  @Serves(Subjects.intake.delivery)
  async delivery(@Payload() req: WorkOrderIdRequest): Promise<DeliveryPage> {
    const id = requireUuid(req?.workOrderId, 'work order');
    const { state, workflow } = await this.workOrders.existing(id);
    const stream = await this.rpc.request(Subjects.ledger.readStream, { streamId: workOrderStream(id) });
    return deliveryPage(state, workflow.definition, stream.events);
  }

  @Serves(Subjects.intake.decisions)
  async decisions(@Payload() req: WorkOrderIdRequest): Promise<DecisionRecord[]> {
    const id = requireUuid(req?.workOrderId, 'work order');
    await this.workOrders.existing(id);
    return decisionRecords(
      (await this.rpc.request(Subjects.ledger.readStream, { streamId: workOrderStream(id) })).events,
    );
  }

  /** A decision or step receipt; private evidence only when asked for by an ops lead. */
  @Serves(Subjects.intake.receipt)
  async receipt(@Payload() req: ReceiptRequest): Promise<Receipt> {
    const receiptId = requireUuid(req?.receiptId, 'receipt');
    const e = await this.rpc.request(Subjects.ledger.getEvent, { eventId: receiptId }).catch((error) => {
      throw (error as WorkgateError).code === 'not_found' ? refuse('not_found', 'no receipt has that id') : error;
    });
    if (!isReceiptEvent(e.type) || !e.streamId.startsWith('workorder-'))
      throw refuse('not_found', 'no receipt has that id');
    const kind = RECEIPT_KINDS[e.type];
    const d = e.data as {
      evidence?: Evidence[];
      decision?: { decision: Receipt['decision']; reason: string; policy: Receipt['policy']; inputsSha256: string };
    };
    // Break-glass runs the action outside the rules: its receipt is a `run` for that reason.
    const verdict =
      e.type === WorkOrderEvents.BreakGlassUsed
        ? { decision: 'run' as const, reason: 'break_glass' }
        : d.decision
          ? { decision: d.decision.decision, reason: d.decision.reason }
          : {};
    const { state } = await this.workOrders.existing(e.streamId.slice('workorder-'.length));
    const evidence = (d.evidence ?? []).filter((x) => req.includePrivate || x.private !== true);
    return {
      receiptId: e.eventId,
      kind,
      workOrderId: state.id,
      ...verdict,
      actor: String((e.metadata as { actor?: string }).actor ?? 'unknown'),
      at: e.recordedAt,
      policy: d.decision?.policy ?? state.policy,
      ...(d.decision ? { inputsSha256: d.decision.inputsSha256 } : {}),
      evidence,
      ledger: { position: e.position, hash: e.hash, prevHash: e.prevHash },
      // The whole event (ops leads: private evidence included), so the chain hash can be recomputed offline.
      ...(req.includePrivate ? { event: e } : {}),
      // Its inclusion in the ledger's Merkle tree, against a signed checkpoint: verifiable offline.
      ...(await this.rpc.request(Subjects.ledger.prove, { position: e.position }).then(
        (proof) => ({ proof }),
        (error: WorkgateError) => ({ proofUnavailable: error.message }),
      )),
    };
  }

  @Serves(Subjects.intake.ingest)
  ingest(@Payload() req: IngestRequest): Promise<Written<IngestOutcome[]>> {
    if (
      !req ||
      !['structured', 'batch', 'binary'].includes(req.mode) ||
      (typeof req.text !== 'string' && typeof req.base64 !== 'string')
    ) {
      throw refuse('validation_failed', 'an ingest request needs a mode and the body as text or base64');
    }
    return this.ingester.ingest({ ...req, caller: req.caller ?? 'unknown' });
  }

  @Serves(Subjects.intake.rejections)
  listRejections(@Payload() req: RejectionsRequest): Promise<RejectionsPage> {
    return this.rejections.list(req ?? {});
  }

  @Serves(Subjects.health('intake'))
  health(@Payload() _req: Empty): HealthReply {
    return { service: 'intake', ok: true, instance: this.ctx.instance };
  }
}
