import { createInbox, headers as natsHeaders, MsgHdrs, NatsConnection, Subscription } from 'nats';
import { isPlainObject } from '@workgate/contracts';

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
  /** A chained batch: the stream sequence its one acknowledged message must have been stored at. */
  lastSeq?: number;
  done: (error?: Error) => void;
}

/** nats.js keeps a header set's values in a Map of name -> values (an internal: checked before use). */
function isHeaderMap(map: unknown): map is Map<string, string[]> {
  return map instanceof Map;
}

/** What a JetStream publish ack says: the stored sequence, or the server's refusal. */
function ackOf(text: string): { error?: string; seq?: number } {
  let ack: unknown;
  try {
    ack = JSON.parse(text);
  } catch {
    return { error: 'unreadable JetStream ack' };
  }
  if (!isPlainObject(ack)) return { error: 'unreadable JetStream ack' };
  if (ack.error) {
    const description = isPlainObject(ack.error) ? ack.error.description : undefined;
    return { error: typeof description === 'string' ? description : 'no sequence in ack' };
  }
  return typeof ack.seq === 'number' ? { seq: ack.seq } : {};
}

/** Header names nats.js has already checked once. */
const checkedKeys = new Set<string>();
const LINE_BREAK = /[\r\n]/;

/**
 * A fresh header set filled for publishing thousands of messages a second. nats.js checks every
 * name on every append by rebuilding it character by character (most of the relay's allocation);
 * here a name is checked by nats.js the first time it is seen and then stored directly, a value
 * is still refused if it holds a line break. Falls back to append if the nats.js internals differ.
 */
class HeaderSet {
  readonly headers: MsgHdrs = natsHeaders();
  private readonly map: unknown = Reflect.get(this.headers, 'headers');

  add(key: string, value: string): void {
    if (!isHeaderMap(this.map) || !checkedKeys.has(key) || LINE_BREAK.test(value)) {
      this.headers.append(key, value);
      checkedKeys.add(key);
      return;
    }
    const values = this.map.get(key);
    if (values) values.push(value);
    else this.map.set(key, [value]);
  }
}

/**
 * Publishes a batch of messages to a JetStream stream and resolves once the server has stored
 * every one (or rejects with the first refusal). Acks come back on one inbox subscription, so a
 * batch of thousands costs no per-message promise, timer or subscription; a chained batch asks
 * for one ack in all.
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
    this.subscription = nc.subscribe(`${this.prefix}.>`, {
      callback: (err, msg) => !err && this.onAck(msg.subject, msg.data),
    });
  }

  publish(messages: OutgoingMessage[], timeoutMs = 10_000): Promise<void> {
    return this.send(messages, false, timeoutMs);
  }

  /**
   * Publishes messages that follow one another in the stream (each expects the sequence of the one
   * before it) with one acknowledgement: only the last carries a reply subject. The server checks
   * every message's expected last sequence on its own, in order, so the last one is stored at the
   * sequence it expects only if every one before it was stored just before it; any refusal (a
   * message it says nothing about) makes every later one, the last included, be refused. Resolves
   * when the last one is in the stream at its place, a resend within the duplicate window
   * included; rejects otherwise, the stream then holding a prefix of the batch.
   */
  publishChained(messages: OutgoingMessage[], timeoutMs = 10_000): Promise<void> {
    const first = messages[0]?.expectedLastSeq;
    if (first === undefined || messages.some((m, i) => m.expectedLastSeq !== first + i))
      return Promise.reject(new Error('a chained batch expects one sequence after another'));
    return this.send(messages, true, timeoutMs);
  }

  private send(messages: OutgoingMessage[], chained: boolean, timeoutMs: number): Promise<void> {
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
      const last = messages.length - 1;
      this.batches.set(id, {
        remaining: chained ? 1 : messages.length,
        lastSeq: chained ? messages[last].expectedLastSeq! + 1 : undefined,
        done: finish,
      });
      messages.forEach((m, i) => {
        const h = new HeaderSet();
        h.add('Nats-Msg-Id', m.msgId);
        h.add('Nats-Expected-Stream', this.stream);
        if (m.expectedLastSeq !== undefined) h.add('Nats-Expected-Last-Sequence', String(m.expectedLastSeq));
        if (m.headers) for (const k in m.headers) h.add(k, m.headers[k]);
        if (chained && i < last) this.nc.publish(m.subject, m.data, { headers: h.headers });
        else this.nc.publish(m.subject, m.data, { reply: `${this.prefix}.${id}.${i}`, headers: h.headers });
      });
    });
  }

  private onAck(subject: string, data: Uint8Array): void {
    const id = Number(subject.slice(this.prefix.length + 1, subject.lastIndexOf('.')));
    const batch = this.batches.get(id);
    if (!batch) return;
    const ack = ackOf(this.decoder.decode(data));
    if (ack.error !== undefined || ack.seq === undefined) {
      batch.done(new Error(`JetStream refused a message: ${ack.error ?? 'no sequence in ack'}`));
      return;
    }
    if (batch.lastSeq !== undefined && ack.seq !== batch.lastSeq) {
      batch.done(new Error(`JetStream stored the last message of a chained batch at ${ack.seq}, not ${batch.lastSeq}`));
      return;
    }
    if (--batch.remaining === 0) batch.done();
  }

  close(): void {
    this.subscription.unsubscribe();
    for (const b of this.batches.values()) b.done(new Error('publisher closed'));
  }
}
