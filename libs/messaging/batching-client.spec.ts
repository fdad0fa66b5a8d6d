import { BatchReply, BatchRequest, rpc } from '@workgate/contracts';
import { BatchingRpcClient, BatchTransport } from './batching-client';

const lengths = rpc<BatchRequest<string>, BatchReply<number>>('workgate.test.lengths');

/** An in-process RpcClient that answers each batch at once and remembers the batches' sizes. */
function inProcess(sizes: number[]): BatchTransport<string, number> {
  return {
    payloadLimit: () => undefined,
    request: async (_contract, req) => {
      sizes.push(req.items.length);
      return { results: req.items.map((item) => ({ ok: true as const, data: item.length })) };
    },
    requestEncoded: () => Promise.reject(new Error('answered in process, never over NATS')),
  };
}

/** Calls from two I/O-like callbacks of one pass of the loop (two timers due together). */
async function fromTwoCallbacks(client: BatchingRpcClient<string, number>): Promise<number[]> {
  const answers: Array<Promise<number>> = [];
  await new Promise<void>((resolve) => {
    setTimeout(() => answers.push(client.call('a'), client.call('bb')), 0);
    setTimeout(() => {
      answers.push(client.call('ccc'));
      resolve();
    }, 0);
  });
  return Promise.all(answers);
}

describe('BatchingRpcClient gathering', () => {
  it("sends the calls of one turn together, and a later callback's in a request of its own", async () => {
    const sizes: number[] = [];
    expect(await fromTwoCallbacks(new BatchingRpcClient(inProcess(sizes), lengths))).toEqual([1, 2, 3]);
    expect(sizes).toEqual([2, 1]);
  });

  it('with gather "phase", sends the calls of every callback of the pass together, each caller answered', async () => {
    const sizes: number[] = [];
    expect(await fromTwoCallbacks(new BatchingRpcClient(inProcess(sizes), lengths, { gather: 'phase' }))).toEqual([
      1, 2, 3,
    ]);
    expect(sizes).toEqual([3]);
  });
});
