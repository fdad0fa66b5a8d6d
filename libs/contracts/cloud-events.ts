/**
 * Work events as integrators send them (CloudEvents 1.0 over NATS or HTTP): each CloudEvent type,
 * the DTO its `data` is, and the work-order command it carries; what intake answers; what it keeps
 * of an event it refuses.
 */
import {
  BlockStepEventDto,
  BreakGlassDto,
  ChangeScopeDto,
  CloseWorkOrderDto,
  CompleteStepEventDto,
  OpenWorkOrderEventDto,
  RecordArtifactEventDto,
  ReopenWorkOrderDto,
  ReportClosureDto,
  RequestActionDto,
} from './dto';
import { FieldProblem } from './json-problems';
import { decodeDto } from './validation';
import { WorkOrderAnswer, WorkOrderCommand } from './work-orders';

/** The envelope fields workgate uses. */
export interface Envelope {
  id: string;
  source: string;
  type: string;
  subject?: string;
  time?: string;
  data: unknown;
  /** The distributed-tracing extension: the W3C trace context the event was sent in. */
  traceparent?: string;
  tracestate?: string;
}

interface CloudEventCommand {
  /** What `data` must be. */
  dto: new () => object;
  /**
   * The command, from `data` when it is valid as `dto` (its problems when not), and the envelope's
   * source and subject. `keysChecked`: the whole event's keys were checked already.
   */
  command: (
    data: unknown,
    source: string,
    subject: string,
  ) => { ok: true; command: WorkOrderCommand } | { ok: false; problems: FieldProblem[] };
}

const mapping = <D extends object>(
  dto: new () => D,
  command: (data: D, source: string, subject: string) => WorkOrderCommand,
): CloudEventCommand => ({
  dto,
  command: (data, source, subject) => {
    const checked = decodeDto(dto, data, { keysChecked: true });
    return checked.ok ? { ok: true, command: command(checked.value, source, subject) } : checked;
  },
});

/**
 * CloudEvent type -> the work-order command it carries. `data` is the HTTP route's body (plus
 * `stepId` / `stageId` where the route has one); the work order is addressed by `subject` (its
 * externalRef) within `source`, and for `open` they are the new work order's.
 */
export const CLOUD_EVENT_COMMANDS = {
  'workgate.workorder.open': mapping(OpenWorkOrderEventDto, (d, source, externalRef) => ({
    type: 'OpenWorkOrder',
    body: { jobType: d.jobType, inputs: d.inputs, ...(d.owner ? { owner: d.owner } : {}), source, externalRef },
  })),
  'workgate.action.requested': mapping(RequestActionDto, (body) => ({ type: 'RequestAction', body })),
  'workgate.step.completed': mapping(CompleteStepEventDto, ({ stepId, ...body }) => ({
    type: 'CompleteStep',
    stepId,
    body,
  })),
  'workgate.step.blocked': mapping(BlockStepEventDto, ({ stepId, ...body }) => ({ type: 'BlockStep', stepId, body })),
  'workgate.workorder.close': mapping(CloseWorkOrderDto, (body) => ({ type: 'CloseWorkOrder', body })),
  'workgate.workorder.closure_reported': mapping(ReportClosureDto, (body) => ({ type: 'ReportClosure', body })),
  'workgate.workorder.reopen': mapping(ReopenWorkOrderDto, (body) => ({ type: 'ReopenWorkOrder', body })),
  'workgate.workorder.break_glass': mapping(BreakGlassDto, (body) => ({ type: 'UseBreakGlass', body })),
  'workgate.stage.artifact_recorded': mapping(RecordArtifactEventDto, ({ stageId, ...body }) => ({
    type: 'RecordStageArtifact',
    stageId,
    body,
  })),
  'workgate.workorder.scope_change': mapping(ChangeScopeDto, (body) => ({ type: 'ChangeScope', body })),
} as const satisfies Record<string, CloudEventCommand>;

export type CloudEventType = keyof typeof CLOUD_EVENT_COMMANDS;

export function isCloudEventType(type: string): type is CloudEventType {
  return Object.prototype.hasOwnProperty.call(CLOUD_EVENT_COMMANDS, type);
}

/** The three modes of the CloudEvents HTTP binding. */
export type CloudEventMode = 'structured' | 'batch' | 'binary';

/**
 * `POST /v1/events` handed to intake as it arrived: the mode its media type names, the `ce-`
 * headers and `content-type` (binary mode's attributes), and the body's bytes, as text when they
 * are UTF-8, else base64 (kept as a rejection).
 */
export interface IngestRequest {
  mode: CloudEventMode;
  headers: Record<string, string>;
  text?: string;
  base64?: string;
  /** The principal that sent it. */
  caller: string;
}

/** One event of an ingest: applied (with the command's answer), or refused and kept as a rejection. */
export type IngestOutcome =
  | { id: string; ok: true; answer: WorkOrderAnswer }
  | { id?: string; ok: false; reasons: string[]; rejectionId: string };

/** A refused work event, kept whole in the ledger (`rejections-<source>`). */
export interface IntakeRejectedData {
  rejectionId: string;
  /** `nats` (WORK_EVENTS) or `http` (POST /v1/events). */
  channel: 'nats' | 'http';
  source: string;
  subject: string;
  receivedAt: string;
  headers: Record<string, string>;
  rawBase64: string;
  rawBytes: number;
  rawSha256: string;
  /** The raw bytes kept are the first ones only. */
  truncated: boolean;
  reasons: string[];
}

/** Event type -> data of the `rejections-<source>` streams. */
export interface IntakeEventMap {
  IntakeRejected: IntakeRejectedData;
}

export const IntakeEvents = { Rejected: 'IntakeRejected' } as const satisfies Record<string, keyof IntakeEventMap>;

export interface RejectionsRequest {
  source?: string;
  limit?: number;
  /** A ledger position: rejections recorded before it (the `next` of a previous page). */
  before?: number;
}

export interface RejectionsPage {
  rejections: Array<IntakeRejectedData & { position: number }>;
  next?: number;
}
