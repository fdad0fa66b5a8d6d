import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { NatsConnection } from 'nats';
import {
  IntakeEvents,
  eventOf,
  IntakeRejectedData,
  RecordedEvent,
  RejectionsPage,
  RejectionsRequest,
  rejectedSubject,
  streamId,
  Subjects,
} from '@workgate/contracts';
import { deterministicUuid } from '@workgate/domain';
import { encodeJson, NATS_CONNECTION, RpcClient } from '@workgate/messaging';

/** Kept raw bytes per rejection; beyond this the record keeps the first bytes plus the size and sha256 of the whole. */
const KEEP_BYTES = 256 * 1024;

export interface Rejection {
  /** Where it came from: `nats` (WORK_EVENTS) or `http` (POST /v1/events). */
  channel: 'nats' | 'http';
  source: string;
  subject: string;
  receivedAt: string;
  headers: Record<string, string>;
  raw: Uint8Array;
  reasons: string[];
  /** Identity of this delivery: the stream sequence, or the caller + body hash for HTTP. */
  key: string;
}

export function sourceToken(source: string | undefined): string {
  return (source ?? 'unknown').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100) || 'unknown';
}

/**
 * Nothing invalid is dropped: a refused event is recorded in the ledger (raw bytes, reasons),
 * republished on `workgate.rejected.<source>`, and listed over the API.
 */
@Injectable()
export class RejectionStore {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  /** Keeps a refused event; its id and the ledger position of the record. */
  async keep(r: Rejection): Promise<{ rejectionId: string; position: number }> {
    const token = sourceToken(r.source);
    const rejectionId = deterministicUuid('rejection', r.channel, r.key);
    const truncated = r.raw.length > KEEP_BYTES;
    const data: IntakeRejectedData = {
      rejectionId,
      channel: r.channel,
      source: r.source,
      subject: r.subject,
      receivedAt: r.receivedAt,
      headers: r.headers,
      rawBase64: Buffer.from(r.raw.subarray(0, KEEP_BYTES)).toString('base64'),
      rawBytes: r.raw.length,
      rawSha256: createHash('sha256').update(r.raw).digest('hex'),
      truncated,
      reasons: r.reasons,
    };
    const appended = await this.rpc.request(Subjects.ledger.append, {
      streamId: streamId('rejections', token),
      expectedVersion: 'any',
      events: [
        {
          eventId: rejectionId,
          type: IntakeEvents.Rejected,
          data,
          metadata: { actor: `intake:${r.channel}`, producer: 'intake' },
          occurredAt: r.receivedAt,
        },
      ],
    });
    this.nc.publish(rejectedSubject(token), encodeJson(data));
    return { rejectionId, position: appended.positions[0] };
  }

  async list(options: RejectionsRequest): Promise<RejectionsPage> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    const out: Array<RecordedEvent & { data: IntakeRejectedData }> = [];
    let before = options.before;
    // Newest first; filtered by source when asked.
    for (let pages = 0; out.length < limit && pages < 20; pages++) {
      const page = await this.rpc.request(Subjects.ledger.query, {
        types: [IntakeEvents.Rejected],
        descending: true,
        before,
        limit: 500,
      });
      for (const recorded of page.events) {
        const e = eventOf(recorded, 'rejections', IntakeEvents.Rejected);
        if (e && (!options.source || e.data.source === options.source)) out.push(e);
      }
      if (page.events.length < 500) break;
      before = page.events[page.events.length - 1].position;
    }
    const rejections = out.slice(0, limit).map((e) => ({ ...e.data, position: e.position }));
    return { rejections, ...(out.length > limit ? { next: out[limit - 1].position } : {}) };
  }
}
