import { Injectable } from '@nestjs/common';
import { IngestOutcome, IngestRequest, WorkgateError, Written } from '@workgate/contracts';
import { contextOf, currentTraceparent, inSpan, SpanKind } from '@workgate/messaging';
import { fromHttp, Parsed } from './cloud-events';
import { TRANSIENT } from './intake.processor';
import { intakeEvents } from './intake.metrics';
import { RejectionStore, sourceToken } from './rejections';
import { requestOf } from './work-order-requests';
import { WorkOrdersService } from './work-orders.service';

type Valid = Extract<Parsed, { ok: true }>;

/**
 * `POST /v1/events`: CloudEvents over HTTP in any mode of the binding, through the pipeline of
 * `WORK_EVENTS`. Every event is validated first; if any is invalid (malformed JSON and invalid
 * UTF-8 included), none is applied and every invalid one is kept as a rejection. Otherwise each
 * is applied in order and the answers come back once committed, with the position of the last
 * commit.
 */
@Injectable()
export class HttpIngest {
  constructor(
    private readonly workOrders: WorkOrdersService,
    private readonly rejections: RejectionStore,
  ) {}

  async ingest(req: IngestRequest): Promise<Written<IngestOutcome[]>> {
    const receivedAt = new Date().toISOString();
    const body = req.text !== undefined ? new TextEncoder().encode(req.text) : Buffer.from(req.base64 ?? '', 'base64');
    const events = fromHttp(req.mode, req.headers ?? {}, body, receivedAt);
    let position = 0;
    // A rejection keeps the request as it came (a batch whole): nothing sent is lost.
    const keep = async (source: string | undefined, reasons: string[], key: string) => {
      const kept = await this.rejections.keep({
        channel: 'http',
        source: source ?? 'unknown',
        subject: `http:${sourceToken(source)}`,
        receivedAt,
        headers: req.headers ?? {},
        raw: body,
        reasons,
        key,
      });
      position = Math.max(position, kept.position);
      return kept.rejectionId;
    };
    if (events.some((p) => !p.ok)) {
      const outcomes = await Promise.all(
        events.map(async (p, index): Promise<IngestOutcome> => {
          if (p.ok)
            return {
              id: p.envelope.id,
              ok: false,
              reasons: ['not applied: another event of this request was refused'],
              rejectionId: '',
            };
          const rejectionId = await keep(p.source, p.reasons, `${req.caller}:${index}:${receivedAt}:${body.length}`);
          return { ...(p.id ? { id: p.id } : {}), ok: false, reasons: p.reasons, rejectionId };
        }),
      );
      intakeEvents.inc({ outcome: 'rejected', channel: 'http' }, events.length);
      return { answer: outcomes, position };
    }
    const outcomes: IngestOutcome[] = [];
    for (const p of events.filter((e): e is Valid => e.ok)) {
      try {
        // In the event's own trace when it carries one (the distributed-tracing extension), else in the request's.
        const reply = await inSpan(
          `intake ${p.envelope.type}`,
          {
            kind: SpanKind.CONSUMER,
            parent: p.envelope.traceparent ? contextOf(p.envelope.traceparent, p.envelope.tracestate) : undefined,
          },
          async () => {
            const traceparent = currentTraceparent();
            if (traceparent) p.request.meta.traceparent = traceparent;
            return this.workOrders.execute(requestOf(p.request));
          },
        );
        position = Math.max(position, reply.position);
        outcomes.push({ id: p.envelope.id, ok: true, answer: reply.answer });
        intakeEvents.inc({ outcome: 'accepted', channel: 'http' });
      } catch (error) {
        const e = error as WorkgateError;
        if (TRANSIENT.has(e.code)) throw error;
        const reasons = [`${e.code}: ${e.message}`];
        outcomes.push({
          id: p.envelope.id,
          ok: false,
          reasons,
          rejectionId: await keep(p.envelope.source, reasons, `${p.envelope.source}:${p.envelope.id}`),
        });
        intakeEvents.inc({ outcome: 'rejected', channel: 'http' });
      }
    }
    return { answer: outcomes, position };
  }
}
