import { ErrorCode as NatsErrorCode, NatsConnection, NatsError } from 'nats';
import { WorkgateError } from '@workgate/contracts';
import { decodeJson, encodeJson, Reply, unwrapReply } from './wire';

/** Request/reply over NATS with an explicit time-out; remote refusals come back as WorkgateErrors with their code. */
export class RpcClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly defaultTimeoutMs = 5000,
  ) {}

  async request<T>(subject: string, payload: unknown, options: { timeoutMs?: number } = {}): Promise<T> {
    const timeout = options.timeoutMs ?? this.defaultTimeoutMs;
    let reply;
    try {
      reply = await this.nc.request(subject, encodeJson(payload), { timeout });
    } catch (error) {
      const code = (error as NatsError).code;
      if (code === NatsErrorCode.NoResponders) {
        throw new WorkgateError('unavailable', `no service answers on ${subject}`);
      }
      if (code === NatsErrorCode.Timeout) {
        throw new WorkgateError('timeout', `no answer on ${subject} within ${timeout} ms`);
      }
      throw new WorkgateError('unavailable', `request on ${subject} failed: ${(error as Error).message}`);
    }
    return unwrapReply(decodeJson<Reply<T>>(reply.data));
  }
}
