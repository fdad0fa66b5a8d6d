import { BatchReply, BatchRequest, RpcContract } from '@workgate/contracts';
import { RpcClient } from './rpc-client';
import { toWireError, unwrapReply } from './wire';

/** Serves a batch request with a per-item handler; a refusal of one item never fails the others. */
export async function serveBatch<T, R>(req: BatchRequest<T>, handle: (item: T) => Promise<R> | R): Promise<BatchReply<R>> {
  const items = Array.isArray(req?.items) ? req.items : [];
  const settled = await Promise.allSettled(items.map(async (item) => handle(item)));
  return {
    results: settled.map((s) => (s.status === 'fulfilled' ? { ok: true as const, data: s.value } : { ok: false as const, error: toWireError(s.reason) })),
  };
}

interface Waiting<T, R> {
  item: T | undefined;
  resolve: (r: R) => void;
  reject: (e: Error) => void;
}

/**
 * Collects the calls made in one turn of the event loop and sends them as ONE request to a batch
 * subject, so a burst of work costs one round trip instead of one per item. Each caller still
 * gets its own answer or its own error. The batch leaves as soon as every promise chain of the
 * turn has run (process.nextTick runs after the microtasks drain), not on a later phase of the
 * loop: a call never waits for other I/O callbacks to be handled first.
 */
export class BatchingRpcClient<T, R> {
  private queue: Array<Waiting<T, R>> = [];
  private scheduled = false;

  constructor(
    private readonly rpc: RpcClient,
    private readonly contract: RpcContract<BatchRequest<T>, BatchReply<R>>,
    private readonly options: { maxBatch?: number; timeoutMs?: number } = {},
  ) {}

  call(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        process.nextTick(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const max = this.options.maxBatch ?? 500;
    while (this.queue.length) {
      const batch = this.queue.splice(0, max);
      const items = batch.map((w) => w.item);
      // Only the callers wait for the answer: the items (an append's canonical texts) are not
      // kept alive meanwhile, so most of them die young.
      for (const w of batch) w.item = undefined;
      this.rpc
        .request(this.contract, { items: items as T[] }, { timeoutMs: this.options.timeoutMs })
        .then(
          (reply) =>
            batch.forEach((w, i) => {
              try {
                w.resolve(unwrapReply(reply.results[i]));
              } catch (error) {
                w.reject(error as Error);
              }
            }),
          (error) => batch.forEach((w) => w.reject(error as Error)),
        );
    }
  }
}
