import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { JsMsg, NatsConnection } from 'nats';
import { isWorkgateError, Streams } from '@workgate/contracts';
import {
  contextOf,
  errorMessage,
  DeadLetterSink,
  isOutage,
  NATS_CONNECTION,
  OpenSpan,
  openSpan,
  Outcome,
  retryAfter,
  RunningConsumer,
  runPullConsumer,
  SpanKind,
  tracingEnabled,
  withContext,
} from '@workgate/messaging';
import { fromNatsMessage, Parsed } from './cloud-events';
import { intakeEvents } from './intake.metrics';
import { cloudEventHeaders, headersOf } from './message-headers';
import { RejectionStore } from './rejections';
import { requestOf, resolveId, WorkOrderRequest } from './work-order-requests';
import { WorkOrdersService } from './work-orders.service';

/** What became of a message, as `workgate_intake_events_total` counts it. */
const OUTCOME_LABEL = { ack: 'accepted', rejected: 'rejected', retry: 'retried', reject: 'dead_lettered' } as const;

/** Failures that may pass: the message is retried. Any other refusal is final and kept as a rejection. */
export const TRANSIENT: ReadonlySet<string> = new Set(['unavailable', 'timeout', 'internal', 'version_conflict']);
/**
 * The intake's durable consumer of WORK_EVENTS, shared by every intake instance (its queue group).
 * Its acks are explicit, one per message: with AckPolicy.All an instance's ack would acknowledge
 * the messages another instance still holds, so each would have to wait for the other's acks
 * before its own, and two instances stall (docs/messaging.md, Durable pull consumers).
 */
export const INTAKE_DURABLE = 'intake';
/**
 * Messages per batch, and batches in flight: 256 messages (and as many read ahead, the consumer's
 * `max_ack_pending`) keep the ledger's group commits full. More only lengthen how long each
 * message lives in memory: past two young-generation collections it is promoted and dies old
 * (with 1,024 in flight the main thread spent about 1.5 times as long in scavenges).
 */
export const INTAKE_BATCH = 128;
export const INTAKE_CONCURRENCY = 2;
const MAX_DELIVER = 5;

/** One work event of a batch, addressed to its work order. */
interface Item {
  index: number;
  m: JsMsg;
  request: WorkOrderRequest;
  /** The message's span, with tracing on. */
  span?: OpenSpan;
}

/**
 * The front door for work events: a durable JetStream consumer on WORK_EVENTS and the HTTP
 * CloudEvents route share one pipeline. Each message is acked only after the ledger commit of what
 * it caused, or after its rejection is recorded; within a batch, the events of one work order run
 * in order and different work orders run concurrently.
 */
@Injectable()
export class IntakeProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('intake');
  private consumer?: RunningConsumer;
  /** The tail of each work order's chain of messages in flight. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Work order -> the stream sequence that must go through before later ones of it. */
  private readonly retrying = new Map<string, number>();

  constructor(
    private readonly workOrders: WorkOrdersService,
    private readonly rejections: RejectionStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly deadLetters: DeadLetterSink,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer = await runPullConsumer(this.nc, {
      stream: Streams.workEvents.name,
      durable: INTAKE_DURABLE,
      filterSubject: 'workgate.events.>',
      batch: INTAKE_BATCH,
      concurrency: INTAKE_CONCURRENCY,
      maxDeliver: MAX_DELIVER,
      ackWaitMs: 10_000,
      handle: (messages) => this.handleBatch(messages),
      deadLetter: (m, reason) => this.deadLetters.keep(m, INTAKE_DURABLE, reason),
      log: (m) => this.logger.warn(m),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }

  /**
   * The messages of each work order join its chain in stream order as the batch is read, so several
   * batches can be in flight and a work order's events still apply in order; a work order's
   * messages of one batch go together (decided in order, recorded in one append where they can be).
   * When one must be retried, the later ones of that work order are retried too until it has gone
   * through.
   */
  private async handleBatch(messages: JsMsg[]): Promise<Outcome[]> {
    const spans: Array<OpenSpan | undefined> = [];
    let outcomes: Outcome[] | undefined;
    try {
      outcomes = await this.handle(messages, spans);
    } finally {
      spans.forEach((span, i) => {
        const outcome = outcomes?.[i];
        span?.end(outcome === undefined ? 'not handled' : outcome.kind === 'ack' ? undefined : outcome.reason);
      });
    }
    for (const outcome of outcomes)
      intakeEvents.inc({
        outcome: OUTCOME_LABEL[outcome.kind === 'ack' && outcome.rejected ? 'rejected' : outcome.kind],
        channel: 'nats',
      });
    return outcomes;
  }

  private handle(messages: JsMsg[], spans: Array<OpenSpan | undefined>): Promise<Outcome[]> {
    const receivedAt = new Date().toISOString();
    const outcomes: Array<Promise<Outcome>> = [];
    const byWorkOrder = new Map<string, Item[]>();
    messages.forEach((m, index) => {
      const refuse = (rejected: Extract<Parsed, { ok: false }>) => {
        outcomes[index] = this.reject(rejected, m, receivedAt);
      };
      const parsed = fromNatsMessage(cloudEventHeaders(m), m.data, receivedAt);
      if (!parsed.ok) return refuse(parsed);
      const request = requestOf(parsed.request);
      let id: string;
      try {
        id = resolveId(request);
      } catch (error) {
        return refuse({ ok: false, reasons: [(error as Error).message] });
      }
      // In the event's own trace (the distributed-tracing extension, or a traceparent header), with tracing on.
      const traceparent = tracingEnabled() ? (parsed.envelope.traceparent ?? m.headers?.get('traceparent')) : undefined;
      const span = openSpan(`intake ${parsed.envelope.type}`, {
        kind: SpanKind.CONSUMER,
        parent: contextOf(traceparent || undefined, parsed.envelope.tracestate),
        attributes: {
          'workgate.service': 'intake',
          'cloudevents.event_id': parsed.envelope.id,
          'cloudevents.event_source': parsed.envelope.source,
        },
      });
      if (span?.traceparent) request.meta.traceparent = span.traceparent;
      spans[index] = span;
      const items = byWorkOrder.get(id) ?? [];
      items.push({ index, m, request, span });
      byWorkOrder.set(id, items);
    });
    for (const [id, items] of byWorkOrder) {
      const run = (this.chains.get(id) ?? Promise.resolve()).then(() => this.applyInOrder(id, items, receivedAt));
      const tail = run.then(
        () => undefined,
        () => undefined,
      );
      this.chains.set(id, tail);
      void tail.then(() => {
        if (this.chains.get(id) === tail) this.chains.delete(id);
      });
      items.forEach((item, k) => {
        outcomes[item.index] = run.then((done) => done[k]);
      });
    }
    return Promise.all(outcomes);
  }

  /** Applies one work order's messages of a batch, in stream order; one outcome per message. */
  private async applyInOrder(id: string, items: Item[], receivedAt: string): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    while (outcomes.length < items.length) {
      const waitingFor = this.retrying.get(id);
      // An open never waits behind its work order's earlier messages: they may be waiting for it.
      const waits = (item: Item) =>
        waitingFor !== undefined && item.m.seq > waitingFor && item.request.command.type !== 'OpenWorkOrder';
      if (waits(items[outcomes.length])) {
        // Not this message's fault: it never counts towards dead-lettering.
        outcomes.push({
          kind: 'retry',
          reason: `waits for message ${waitingFor} of the same work order`,
          outage: true,
        });
        continue;
      }
      let runnable = outcomes.length + 1;
      while (runnable < items.length && !waits(items[runnable])) runnable++;
      const batch = items.slice(outcomes.length, runnable);
      // One commit for the batch, in the first message's trace (each event keeps its own in its metadata).
      const { replies, error } = await withContext(batch[0].span?.context, () =>
        this.workOrders.executeInOrder(
          id,
          batch.map((item) => item.request),
        ),
      );
      for (const item of batch.slice(0, replies.length)) {
        this.wentThrough(id, item, waitingFor);
        outcomes.push({ kind: 'ack' });
      }
      if (error !== undefined)
        outcomes.push(await this.failed(id, batch[replies.length], error, waitingFor, receivedAt));
    }
    return outcomes;
  }

  /** The message the work order's later ones waited for has gone through (or given up): they run again. */
  private wentThrough(id: string, item: Item, waitingFor: number | undefined): void {
    // `seq` parses the message's reply subject: only asked when something waits.
    if (waitingFor !== undefined && waitingFor === item.m.seq) this.retrying.delete(id);
  }

  /** What becomes of a message whose command failed: retried (with the later ones of its work order) or kept as a rejection. */
  private failed(
    id: string,
    item: Item,
    e: unknown,
    waitingFor: number | undefined,
    receivedAt: string,
  ): Promise<Outcome> | Outcome {
    const { m, request } = item;
    if (!isWorkgateError(e)) {
      // Not a refusal with a code: kept as a rejection, never retried.
      this.wentThrough(id, item, waitingFor);
      return this.reject(
        { ok: false, source: request.address.source, reasons: [`refused: ${errorMessage(e)}`] },
        m,
        receivedAt,
      );
    }
    // With several intake instances, a work order's open may still be committing on another
    // instance: "no such work order" is retried (with back-off) until the last delivery.
    const notOpenYet =
      e.code === 'not_found' && request.command.type !== 'OpenWorkOrder' && m.info.redeliveryCount < MAX_DELIVER;
    if (TRANSIENT.has(e.code) || notOpenYet) {
      // An outage (the ledger or policy unavailable) is retried until it ends; anything else is
      // dead-lettered by the consumer at its last delivery, and the work order must not wait for it.
      const outage = isOutage(e);
      if (!outage && m.info.redeliveryCount >= MAX_DELIVER) this.wentThrough(id, item, waitingFor);
      else this.retrying.set(id, Math.min(waitingFor ?? m.seq, m.seq));
      return retryAfter(e, `${e.code}: ${e.message}`);
    }
    this.wentThrough(id, item, waitingFor);
    return this.reject(
      { ok: false, source: request.address.source, reasons: [`${e.code}: ${e.message}`] },
      m,
      receivedAt,
    );
  }

  /** Keeps the message as a rejection (keyed by its stream position), acking it. */
  private async reject(parsed: Extract<Parsed, { ok: false }>, m: JsMsg, receivedAt: string): Promise<Outcome> {
    const subject = m.subject;
    const source = parsed.source ?? subject.split('.').slice(2).join('.');
    try {
      await this.rejections.keep({
        channel: 'nats',
        source,
        subject,
        receivedAt,
        headers: headersOf(m),
        raw: m.data,
        reasons: parsed.reasons,
        key: `${m.info.stream}:${m.seq}`,
      });
      return { kind: 'ack', rejected: true };
    } catch (error) {
      return retryAfter(error, `cannot keep the rejection: ${(error as Error).message}`);
    }
  }
}
