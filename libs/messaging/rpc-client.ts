import {
  ErrorCode as NatsErrorCode,
  headers as natsHeaders,
  Msg,
  NatsConnection,
  NatsError,
  RequestOptions,
} from 'nats';
import { Reply, RpcContract, WorkgateError } from '@workgate/contracts';
import { LocalRoutes } from './local-routes';
import { currentTraceparent } from './tracing';
import { decodeJson, encodeJson, unwrapReply } from './wire';

/** What a nats-server takes when it does not say (its default `max_payload`). */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** The nats.js error codes a request can fail with, as the text its errors carry. */
const NO_RESPONDERS: string = NatsErrorCode.NoResponders;
const TIMED_OUT: string = NatsErrorCode.Timeout;
const TOO_LARGE: string = NatsErrorCode.MaxPayloadExceeded;

/** A request over NATS awaiting its answer, and how to send it again. */
interface InFlight {
  subject: string;
  again(): void;
}

/** Request/reply over NATS with an explicit time-out; remote refusals come back as WorkgateErrors with their code. */
export class RpcClient {
  private readonly inFlight = new Set<InFlight>();

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

  /** The most bytes a request on `subject` may have: the server's `max_payload`, or none when it is answered in this process. */
  payloadLimit(subject: string): number | undefined {
    return this.local(subject) ? undefined : (this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD);
  }

  /** The most bytes one NATS message (a request or an answer) carries: the server's `max_payload`. */
  maxPayload(): number {
    return this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
  }

  /**
   * Sends again every request over NATS in flight now on a subject under `prefix` (the ledger's,
   * when another instance has taken over its writer: the one that died took them along). The first
   * answer of any attempt is the request's; each attempt has the whole time-out, and the request
   * fails only when its latest attempt does. For requests that are safe to repeat (the ledger's
   * reads, and appends, which event ids make idempotent). Answers how many it sent.
   */
  resendInFlight(prefix: string): number {
    let sent = 0;
    for (const request of [...this.inFlight])
      if (request.subject.startsWith(prefix)) {
        request.again();
        sent++;
      }
    return sent;
  }

  private local(subject: string) {
    return this.preferLocal && LocalRoutes.enabled ? LocalRoutes.get(subject) : undefined;
  }

  /** Sends the request its contract names and answers its reply, both typed by the contract. */
  async request<Req, Res>(
    contract: RpcContract<Req, Res>,
    payload: Req,
    options: { timeoutMs?: number } = {},
  ): Promise<Res> {
    const timeout = options.timeoutMs ?? this.defaultTimeoutMs;
    const local = this.local(contract.subject);
    if (local) return withTimeout(local(payload) as Promise<Res>, timeout, contract.subject);
    return this.overNats(contract.subject, encodeJson(payload), timeout);
  }

  /** The same over NATS, with the request already encoded as the contract's JSON (a batch composed of encoded items). */
  requestEncoded<Req, Res>(
    contract: RpcContract<Req, Res>,
    bytes: Uint8Array,
    options: { timeoutMs?: number } = {},
  ): Promise<Res> {
    return this.overNats(contract.subject, bytes, options.timeoutMs ?? this.defaultTimeoutMs);
  }

  private async overNats<Res>(subject: string, bytes: Uint8Array, timeout: number): Promise<Res> {
    let reply;
    try {
      // W3C trace context travels in the request's headers, when tracing is on.
      const traceparent = currentTraceparent();
      let headers;
      if (traceparent) {
        headers = natsHeaders();
        headers.set('traceparent', traceparent);
      }
      reply = await this.resendable(subject, bytes, headers ? { timeout, headers } : { timeout });
    } catch (error) {
      const code = (error as NatsError).code;
      if (code === NO_RESPONDERS) {
        throw new WorkgateError('unavailable', `no service answers on ${subject}`);
      }
      if (code === TIMED_OUT) {
        throw new WorkgateError('timeout', `no answer on ${subject} within ${timeout} ms`);
      }
      if (code === TOO_LARGE) {
        throw new WorkgateError(
          'payload_too_large',
          `the request on ${subject} is ${bytes.length} bytes, more than NATS takes (${this.payloadLimit(subject)})`,
        );
      }
      throw new WorkgateError('unavailable', `request on ${subject} failed: ${(error as Error).message}`);
    }
    return unwrapReply(decodeJson<Reply<Res>>(reply.data));
  }

  /** One request, sent again on `resendInFlight`: the first answer wins, the latest attempt's failure is the request's. */
  private resendable(subject: string, bytes: Uint8Array, options: RequestOptions): Promise<Msg> {
    return new Promise<Msg>((resolve, reject) => {
      let latest = 0;
      const request: InFlight = { subject, again: () => send() };
      const send = () => {
        const attempt = ++latest;
        let answer: Promise<Msg>;
        try {
          answer = this.nc.request(subject, bytes, options);
        } catch (error) {
          answer = Promise.reject(asError(error));
        }
        answer.then(
          (msg) => {
            this.inFlight.delete(request);
            resolve(msg);
          },
          (error: unknown) => {
            if (attempt !== latest) return;
            this.inFlight.delete(request);
            reject(asError(error));
          },
        );
      };
      this.inFlight.add(request);
      send();
    });
  }
}

/** nats.js fails with Errors (NatsError, with its code); anything else is made one. */
function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** The same time-out contract for a request answered in-process. */
function withTimeout<T>(work: Promise<T>, timeoutMs: number, subject: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new WorkgateError('timeout', `no answer on ${subject} within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
