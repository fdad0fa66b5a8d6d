import { randomUUID } from 'node:crypto';
import { isPlainObject, parseJsonAs } from '@workgate/contracts';

/** A 2xx answer of the API: a JSON object (its `id` read where it is a work order's). */
const isAnswer = (v: unknown): v is { id?: unknown } => isPlainObject(v);

/** One decision the load got: when its first attempt and the attempt that got it were sent, and when it was answered. */
export interface Decided {
  ref: string;
  firstSentAt: number;
  sentAt: number;
  answeredAt: number;
}

/** Answers the client sends again with the same Idempotency-Key (docs/api.md, Conventions): the gateway or the fleet behind it was not there to answer. */
const AGAIN = new Set([0, 408, 409, 425, 429, 500, 502, 503, 504]);

/**
 * A steady load through the load balancer, as integrators send it: each client opens a work order
 * and asks for an action on it, again and again, every request sent again with its
 * Idempotency-Key until it is answered (a dead gateway's 502, a 503 while a writer takes over).
 * `opened` is every work order the fleet acknowledged (its external reference -> id); `decided`
 * every action decision answered.
 */
export class Load {
  readonly opened = new Map<string, string>();
  readonly decided: Decided[] = [];
  readonly refused: string[] = [];
  retries = 0;
  private running = true;
  private done: Promise<void[]> = Promise.resolve([]);

  constructor(
    private readonly url: string,
    private readonly key: string,
    private readonly run = randomUUID().slice(0, 8),
  ) {}

  start(clients: number, pauseMs: number): void {
    this.done = Promise.all(Array.from({ length: clients }, (_, c) => this.client(c, pauseMs)));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  /**
   * The longest a decision asked in [`since`, `at`) and answered after `at` waited past `at` (0 when
   * none): what a client whose request a kill at `at` caught saw, its retries included. Those asked
   * before `since` (an earlier kill's) are that kill's.
   */
  caughtWait(at: number, since: number): number {
    return Math.max(
      0,
      ...this.decided.filter((d) => d.firstSentAt >= since && d.firstSentAt < at).map((d) => d.answeredAt - at),
    );
  }

  /** The first decision whose successful attempt was sent at or after `at`. */
  firstDecisionSentAfter(at: number): Decided | undefined {
    return this.decided.filter((d) => d.sentAt >= at).sort((a, b) => a.answeredAt - b.answeredAt)[0];
  }

  get prefix(): string {
    return `fleet-${this.run}-`;
  }

  private async client(c: number, pauseMs: number): Promise<void> {
    for (let i = 0; this.running; i++) {
      const ref = `${this.prefix}${c}-${i}`;
      const opened = await this.send('POST', '/v1/work-orders', `open-${ref}`, {
        jobType: 'support-recovery',
        externalRef: ref,
        source: 'fleet',
        inputs: { caseId: `C-${c}-${i}`, orderId: `${i}`, orderPaid: true },
      });
      if (typeof opened?.body.id !== 'string') continue;
      const id = opened.body.id;
      this.opened.set(ref, id);
      const action = await this.send('POST', `/v1/work-orders/${id}/actions`, `act-${ref}`, {
        system: 'helpdesk',
        operation: 'case.note',
        kind: 'write',
      });
      if (action)
        this.decided.push({ ref, firstSentAt: action.firstSentAt, sentAt: action.sentAt, answeredAt: Date.now() });
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  }

  /** Sends until answered 2xx (undefined when refused for good: recorded in `refused`). */
  private async send(method: string, path: string, idempotencyKey: string, body: unknown) {
    const firstSentAt = Date.now();
    for (;;) {
      const sentAt = Date.now();
      const answer = await fetch(`${this.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.key}`,
          'content-type': 'application/json',
          'idempotency-key': idempotencyKey,
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      }).then(
        async (r) => ({ status: r.status, text: await r.text() }),
        () => ({ status: 0, text: '' }),
      );
      if (answer.status >= 200 && answer.status < 300)
        return { firstSentAt, sentAt, body: parseJsonAs(answer.text, isAnswer, 'an answer') };
      if (!AGAIN.has(answer.status)) {
        this.refused.push(`${method} ${path}: ${answer.status} ${answer.text.slice(0, 300)}`);
        return undefined;
      }
      this.retries++;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
