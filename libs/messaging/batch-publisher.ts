import { createInbox, headers as natsHeaders, NatsConnection, Subscription } from 'nats';

export interface OutgoingMessage {
  subject: string;
  data: Uint8Array;
  /** Nats-Msg-Id: the server drops a repeat inside the stream's duplicate window. */
  msgId: string;
  /** Refused by the server unless the stream's last sequence is exactly this (keeps the stream a gap-free prefix). */
  expectedLastSeq?: number;
  headers?: Record<string, string>;
}

interface PendingBatch {
  remaining: number;
  done: (error?: Error) => void;
}

/**
 * Publishes a batch of messages to a JetStream stream and resolves once the server has stored
 * every one (or rejects with the first refusal). Acks come back on one inbox subscription, so a
 * batch of thousands costs no per-message promise, timer or subscription.
 */
export class JetStreamBatchPublisher {
  private readonly prefix = createInbox();
  private readonly subscription: Subscription;
  private readonly batches = new Map<number, PendingBatch>();
  private nextBatch = 0;
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly nc: NatsConnection,
    private readonly stream: string,
  ) {
    this.subscription = nc.subscribe(`${this.prefix}.>`, { callback: (err, msg) => !err && this.onAck(msg.subject, msg.data) });
  }

  publish(messages: OutgoingMessage[], timeoutMs = 10_000): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    const id = ++this.nextBatch;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no JetStream ack within ${timeoutMs} ms`)), timeoutMs);
      const finish = (error?: Error) => {
        if (!this.batches.delete(id)) return;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      this.batches.set(id, { remaining: messages.length, done: finish });
      messages.forEach((m, i) => {
        // A fresh header set: append (set would first look for an earlier value to replace).
        const h = natsHeaders();
        h.append('Nats-Msg-Id', m.msgId);
        h.append('Nats-Expected-Stream', this.stream);
        if (m.expectedLastSeq !== undefined) h.append('Nats-Expected-Last-Sequence', String(m.expectedLastSeq));
        if (m.headers) for (const k in m.headers) h.append(k, m.headers[k]);
        this.nc.publish(m.subject, m.data, { reply: `${this.prefix}.${id}.${i}`, headers: h });
      });
    });
  }

  private onAck(subject: string, data: Uint8Array): void {
    const id = Number(subject.slice(this.prefix.length + 1, subject.lastIndexOf('.')));
    const batch = this.batches.get(id);
    if (!batch) return;
    let ack: { error?: { description?: string }; seq?: number };
    try {
      ack = JSON.parse(this.decoder.decode(data));
    } catch {
      ack = { error: { description: 'unreadable JetStream ack' } };
    }
    if (ack.error || typeof ack.seq !== 'number') {
      batch.done(new Error(`JetStream refused a message: ${ack.error?.description ?? 'no sequence in ack'}`));
      return;
    }
    if (--batch.remaining === 0) batch.done();
  }

  close(): void {
    this.subscription.unsubscribe();
    for (const b of this.batches.values()) b.done(new Error('publisher closed'));
  }
}
