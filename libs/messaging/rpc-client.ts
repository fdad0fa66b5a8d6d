import { ErrorCode as NatsErrorCode, NatsConnection, NatsError } from 'nats';
import { Reply, RpcContract, WorkgateError } from '@workgate/contracts';
import { LocalRoutes } from './local-routes';
import { decodeJson, encodeJson, unwrapReply } from './wire';

/** Request/reply over NATS with an explicit time-out; remote refusals come back as WorkgateErrors with their code. */
export class RpcClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly defaultTimeoutMs = 5000,
    /** false: always go over NATS, even to a service in this process (tests of the NATS path). */
    private readonly preferLocal = true,
  ) {}

  /** Whether a request on `subject` is answered in this process right now (by this thread or another thread's offered route). */
  answersInProcess(subject: string): boolean {
    return this.local(subject) !== undefined;
  }

  private local(subject: string) {
    return this.preferLocal && LocalRoutes.enabled ? LocalRoutes.get(subject) : undefined;
  }

  /** Sends the request its contract names and answers its reply, both typed by the contract. */
  async request<Req, Res>(contract: RpcContract<Req, Res>, payload: Req, options: { timeoutMs?: number } = {}): Promise<Res> {
    const { subject } = contract;
    const timeout = options.timeoutMs ?? this.defaultTimeoutMs;
    const local = this.local(subject);
    if (local) return withTimeout(local(payload) as Promise<Res>, timeout, subject);
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
    return unwrapReply(decodeJson<Reply<Res>>(reply.data));
  }
}

/** The same time-out contract for a request answered in-process. */
function withTimeout<T>(work: Promise<T>, timeoutMs: number, subject: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WorkgateError('timeout', `no answer on ${subject} within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
