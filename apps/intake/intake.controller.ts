import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  Evidence,
  HealthReply,
  ReadStreamResult,
  Receipt,
  RecordedEvent,
  requireUuid,
  Subjects,
  WorkgateError,
  WorkOrderAnswer,
  WorkOrderCommandRequest,
  WorkOrderEvents,
  workOrderStream,
} from '@workgate/contracts';
import { RpcClient, SERVICE_CONTEXT, ServiceContext } from '@workgate/messaging';
import { IngestOutcome, IntakeProcessor } from './intake.processor';
import { RejectionStore } from './rejections';
import { deliveryPage, stateHandoff } from './work-order.views';
import { WorkOrdersService } from './work-orders.service';

@Controller()
export class IntakeController {
  constructor(
    private readonly workOrders: WorkOrdersService,
    private readonly processor: IntakeProcessor,
    private readonly rejections: RejectionStore,
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
  ) {}

  @MessagePattern(Subjects.intake.command)
  command(@Payload() req: WorkOrderCommandRequest): Promise<WorkOrderAnswer> {
    if (!req?.command || !req.meta || !req.address) throw new WorkgateError('validation_failed', 'a command needs address, command and meta');
    return this.workOrders.execute(req);
  }

  @MessagePattern(Subjects.intake.get)
  async get(@Payload() req: { workOrderId: string; stage?: string }) {
    const { state, definition } = await this.workOrders.existing(requireUuid(req?.workOrderId, 'work order'));
    if (req.stage !== undefined && !(definition.stages ?? []).some((s) => s.id === req.stage)) {
      throw new WorkgateError('unknown_stage', `${definition.jobType} v${definition.version} has no stage "${req.stage}"`);
    }
    return stateHandoff(state, definition, req.stage);
  }

  @MessagePattern(Subjects.intake.events)
  async events(@Payload() req: { workOrderId: string }): Promise<RecordedEvent[]> {
    const id = requireUuid(req?.workOrderId, 'work order');
    await this.workOrders.existing(id);
    const stream = await this.rpc.request<ReadStreamResult>(Subjects.ledger.readStream, { streamId: workOrderStream(id) });
    return stream.events;
  }

  @MessagePattern(Subjects.intake.delivery)
  async delivery(@Payload() req: { workOrderId: string }) {
    const id = requireUuid(req?.workOrderId, 'work order');
    const { state, definition } = await this.workOrders.existing(id);
    const stream = await this.rpc.request<ReadStreamResult>(Subjects.ledger.readStream, { streamId: workOrderStream(id) });
    return deliveryPage(state, definition, stream.events);
  }

  /** A decision or step receipt; private evidence only when asked for by an ops lead. */
  @MessagePattern(Subjects.intake.receipt)
  async receipt(@Payload() req: { receiptId: string; includePrivate?: boolean }): Promise<Receipt> {
    const receiptId = requireUuid(req?.receiptId, 'receipt');
    const e = await this.rpc.request<RecordedEvent>(Subjects.ledger.getEvent, { eventId: receiptId }).catch((error) => {
      throw (error as WorkgateError).code === 'not_found' ? new WorkgateError('not_found', 'no receipt has that id') : error;
    });
    const kinds: Record<string, string> = { [WorkOrderEvents.ActionDecided]: 'decision', [WorkOrderEvents.StepCompleted]: 'step', [WorkOrderEvents.Closed]: 'closure', [WorkOrderEvents.ClosureReported]: 'closure-reported', [WorkOrderEvents.StepBlocked]: 'exception' };
    if (!kinds[e.type] || !e.streamId.startsWith('workorder-')) throw new WorkgateError('not_found', 'no receipt has that id');
    const d = e.data as Record<string, any>;
    const { state } = await this.workOrders.existing(e.streamId.slice('workorder-'.length));
    const evidence = ((d.evidence ?? []) as Evidence[]).filter((x) => req.includePrivate || x.private !== true);
    return {
      receiptId: e.eventId,
      kind: kinds[e.type],
      workOrderId: state.id,
      ...(d.decision ? { decision: d.decision.decision, reason: d.decision.reason } : {}),
      actor: String((e.metadata as { actor?: string }).actor ?? 'unknown'),
      at: e.recordedAt,
      policy: d.decision?.policy ?? state.policy,
      ...(d.decision ? { inputsSha256: d.decision.inputsSha256 } : {}),
      evidence,
      ledger: { position: e.position, hash: e.hash },
    };
  }

  @MessagePattern(Subjects.intake.ingest)
  ingest(@Payload() req: { body: unknown; raw: string; caller: string }): Promise<IngestOutcome[]> {
    return this.processor.ingest(req?.body, req?.raw ?? '', req?.caller ?? 'unknown');
  }

  @MessagePattern(Subjects.intake.rejections)
  listRejections(@Payload() req: { source?: string; limit?: number; before?: number }) {
    return this.rejections.list(req ?? {});
  }

  @MessagePattern(Subjects.health('intake'))
  health(): HealthReply {
    return { service: 'intake', ok: true, instance: this.ctx.instance };
  }
}
