import { Controller, Inject, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  CommandReply,
  CommitResult,
  DecidedCommandRequest,
  DecisionRecord,
  DeliveryPage,
  Empty,
  GetWorkOrderRequest,
  HealthReply,
  IngestOutcome,
  IngestRequest,
  IntakeInProcess,
  OutcomeCommitRequest,
  ProofRequest,
  Receipt,
  ReceiptRequest,
  RpcContract,
  RecordedEvent,
  RejectionsPage,
  RejectionsRequest,
  refuse,
  requireUuid,
  sharedJson,
  Subjects,
  WorkOrderCommandRequest,
  WorkOrderHandoff,
  WorkOrderIdRequest,
  WorkOrderProof,
  workOrderStream,
  Written,
} from '@workgate/contracts';
import {
  currentTraceparent,
  inSpan,
  LocalRoutes,
  RpcClient,
  Serves,
  serves,
  ServedRoute,
  SERVICE_CONTEXT,
  ServiceContext,
  SpanKind,
} from '@workgate/messaging';
import { HttpIngest } from './http-ingest';
import { ProofPackages } from './proof-packages.service';
import { RejectionStore } from './rejections';
import { decisionRecords, deliveryPage, stateHandoff } from './work-order.views';
import { requestOf } from './work-order-requests';
import { WorkOrdersService } from './work-orders.service';

@Controller()
export class IntakeController implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly workOrders: WorkOrdersService,
    private readonly ingester: HttpIngest,
    private readonly rejections: RejectionStore,
    private readonly proofs: ProofPackages,
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
  ) {}

  /**
   * Intake's in-process routes (callers in this process only, on any of its threads; never on NATS):
   * a command whose caller is told its answer before the commit (the gateway's MCP calls, to forward
   * a read while its decision commits), and a read by id answered as the handoff's JSON text,
   * serialized once per state on this thread. Each is traced as the NATS route it stands for.
   */
  private readonly inProcess: Array<{ route: ServedRoute; callback?: string }> = [
    {
      route: inProcessRoute(IntakeInProcess.commandDecided, Subjects.intake.command, ({ request, decided }) =>
        this.run(request, decided),
      ),
      // Another thread of the process (intake on the ledger's thread) is told each decision through the port.
      callback: 'decided',
    },
    {
      route: inProcessRoute(IntakeInProcess.handoffText, Subjects.intake.get, async (req) =>
        sharedJson(await this.get(req)),
      ),
    },
  ];

  onModuleInit(): void {
    for (const { route, callback } of this.inProcess)
      LocalRoutes.register(route.subject, route.handle, callback ? { callback } : {});
  }

  onModuleDestroy(): void {
    for (const { route } of this.inProcess) LocalRoutes.unregister(route.subject, route.handle);
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
    return { position: await this.workOrders.commitWithOutcome(workOrderId, req.append) };
  }

  private run(req: WorkOrderCommandRequest, decided?: DecidedCommandRequest['decided']): Promise<CommandReply> {
    if (!req?.command || !req.meta || !req.address)
      throw refuse('validation_failed', 'a command needs address, command and meta');
    const traceparent = currentTraceparent();
    if (traceparent) req.meta.traceparent = traceparent;
    return this.workOrders.execute(requestOf(req), undefined, decided);
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
  receipt(@Payload() req: ReceiptRequest): Promise<Receipt> {
    return this.workOrders.receipt(req);
  }

  /** A work order's proof package (but for the delivery page's HTML); private evidence only when asked for by an ops lead. */
  @Serves(Subjects.intake.proof)
  proof(@Payload() req: ProofRequest): Promise<WorkOrderProof> {
    return this.proofs.proof(req);
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

/** An in-process route, in a server span named as the NATS route it stands for (`tracedAs`). */
function inProcessRoute<Req, Res>(
  contract: RpcContract<Req, Res>,
  tracedAs: { subject: string },
  handler: (request: Req) => Promise<Res>,
): ServedRoute {
  const attributes = { 'workgate.service': 'intake', 'messaging.destination.name': contract.subject };
  return serves(contract, (request) =>
    inSpan(tracedAs.subject, { kind: SpanKind.SERVER, attributes }, async () => handler(request)),
  );
}
