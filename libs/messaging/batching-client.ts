import { BatchReply, BatchRequest, RpcContract, WorkgateError } from '@workgate/contracts';
import { contextOf, currentTraceparent, inSpan, tracingEnabled } from './tracing';
import { toWireError, unwrapReply } from './wire';

/** Serves a batch request with a per-item handler; a refusal of one item never fails the others. */
export async function serveBatch<T, R>(
  req: BatchRequest<T>,
  handle: (item: T) => Promise<R> | R,
  traced: { span: string; service: string } = { span: 'batch item', service: 'workgate' },
): Promise<BatchReply<R>> {
  const items = Array.isArray(req?.items) ? req.items : [];
  const traceparents = tracingEnabled() && Array.isArray(req?.traceparents) ? req.traceparents : undefined;
  const settled = await Promise.allSettled(
    items.map(async (item, i) => {
      const traceparent = traceparents?.[i];
      // Each item in its own caller's trace, when tracing is on.
      return typeof traceparent === 'string'
        ? inSpan(
            traced.span,
            { parent: contextOf(traceparent), attributes: { 'workgate.service': traced.service } },
            async () => handle(item),
          )
        : handle(item);
    }),
  );
  return {
    results: settled.map((s) =>
      s.status === 'fulfilled'
        ? { ok: true as const, data: s.value }
        : { ok: false as const, error: toWireError(s.reason) },
    ),
  };
}

/** What a batching client sends its batches with: an RpcClient, or anything that answers as one. */
export interface BatchTransport<T, R> {
  payloadLimit(subject: string): number | undefined;
  request(
    contract: RpcContract<BatchRequest<T>, BatchReply<R>>,
    payload: BatchRequest<T>,
    options?: { timeoutMs?: number },
  ): Promise<BatchReply<R>>;
  requestEncoded(
    contract: RpcContract<BatchRequest<T>, BatchReply<R>>,
    bytes: Uint8Array,
    options?: { timeoutMs?: number },
  ): Promise<BatchReply<R>>;
}

/** The callers' trace contexts, when any has one. */
function tracesOf(batch: Array<{ traceparent?: string }>): Array<string | null> | undefined {
  return batch.some((w) => w.traceparent) ? batch.map((w) => w.traceparent ?? null) : undefined;
}

/** Bytes left for a request's NATS headers (`traceparent`, `tracestate`) under the payload limit. */
const HEADER_ALLOWANCE = 1024;

/** `{"items":[`, `]}` and `,"traceparents":[]` around a batch's encoded items. */
const BATCH_ENVELOPE_BYTES = 12 + 18;

/** A caller waiting for its answer; its item waits beside it in `items` (and is not kept once sent). */
interface Waiting<R> {
  /** The caller's trace context, with tracing on. */
  traceparent?: string;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

/**
 * Collects the calls made in one turn of the event loop and sends them as ONE request to a batch
 * subject, so a burst of work costs one round trip instead of one per item. Each caller still
 * gets its own answer or its own error. By default the batch leaves as soon as every promise
 * chain of the turn has run (process.nextTick runs after the microtasks drain), not on a later
 * phase of the loop: a call never waits for other I/O callbacks to be handled first. With
 * `gather: 'phase'` it leaves once the loop has handled every I/O callback of this pass.
 */
export class BatchingRpcClient<T, R> {
  private queue: Array<Waiting<R>> = [];
  /** The queued callers' items, in the same order. */
  private items: T[] = [];
  private scheduled = false;

  constructor(
    private readonly rpc: BatchTransport<T, R>,
    private readonly contract: RpcContract<BatchRequest<T>, BatchReply<R>>,
    private readonly options: {
      maxBatch?: number;
      timeoutMs?: number;
      /**
       * 'turn' (default): the calls of one turn (one I/O callback and its promise chains) leave
       * together. 'phase': those of every I/O callback the loop handles in this pass leave together
       * (setImmediate), for callers that each arrive in a callback of their own, like HTTP requests.
       */
      gather?: 'turn' | 'phase';
    } = {},
  ) {}

  call(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ resolve, reject, traceparent: currentTraceparent() });
      this.items.push(item);
      if (!this.scheduled) {
        this.scheduled = true;
        if (this.options.gather === 'phase') setImmediate(() => this.flush());
        else process.nextTick(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const max = this.options.maxBatch ?? 500;
    const limit = this.rpc.payloadLimit(this.contract.subject);
    while (this.queue.length) {
      if (limit === undefined) {
        // Only the callers wait for the answer: the items (an append's canonical texts) are not
        // kept alive meanwhile, so most of them die young.
        const batch = this.queue.splice(0, max);
        const items = this.items.splice(0, max);
        const traceparents = tracesOf(batch);
        this.answer(
          batch,
          this.rpc.request(this.contract, traceparents ? { items, traceparents } : { items }, {
            timeoutMs: this.options.timeoutMs,
          }),
        );
      } else {
        this.flushOverNats(max, limit);
      }
    }
  }

  /**
   * Over NATS a request may not exceed the server's payload limit: items are encoded once and
   * sent in as many requests as their bytes need. An item that alone exceeds it is refused
   * (413 `payload_too_large`); the others go on.
   */
  private flushOverNats(max: number, payloadLimit: number): void {
    // NATS counts a message's headers against its payload limit: leave room for them (trace context).
    const limit = payloadLimit - HEADER_ALLOWANCE;
    const batch: Array<Waiting<R>> = [];
    const texts: string[] = [];
    let bytes = BATCH_ENVELOPE_BYTES;
    while (this.queue.length && batch.length < max) {
      const waiting = this.queue[0];
      const text = JSON.stringify(this.items[0] ?? null);
      // The item, its comma, and its entry in `traceparents` (a traceparent or `null`).
      const size = Buffer.byteLength(text) + 1 + (waiting.traceparent ? waiting.traceparent.length + 3 : 5);
      if (BATCH_ENVELOPE_BYTES + size > limit) {
        this.queue.shift();
        this.items.shift();
        waiting.reject(
          new WorkgateError(
            'payload_too_large',
            `one request on ${this.contract.subject} is ${size} bytes encoded, more than NATS takes (${limit})`,
          ),
        );
        continue;
      }
      if (bytes + size > limit) break;
      this.queue.shift();
      this.items.shift();
      batch.push(waiting);
      texts.push(text);
      bytes += size;
    }
    if (batch.length === 0) return;
    const traceparents = tracesOf(batch);
    const encoded = Buffer.from(
      `{"items":[${texts.join(',')}]${traceparents ? `,"traceparents":${JSON.stringify(traceparents)}` : ''}}`,
    );
    this.answer(batch, this.rpc.requestEncoded(this.contract, encoded, { timeoutMs: this.options.timeoutMs }));
  }

  private answer(batch: Array<Waiting<R>>, reply: Promise<BatchReply<R>>): void {
    reply.then(
      (answered) =>
        batch.forEach((w, i) => {
          try {
            w.resolve(unwrapReply(answered.results[i]));
          } catch (error) {
            w.reject(error);
          }
        }),
      (error: unknown) => batch.forEach((w) => w.reject(error)),
    );
  }
}
