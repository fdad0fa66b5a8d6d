import type * as Nest from '@nestjs/common';
import type { CreatedWebhook, OpenedAnswer, WebhookDelivery, WebhookPayload } from '@workgate/contracts';
import { client, writePrincipals } from './principals';
import { Receiver, verifiedPayload } from './webhook-receiver';
import { resetProcessMetrics, startTestWorkgate, TestWorkgate, workgateModule } from './workgate';

/**
 * The webhooks spec's workgate (test/webhooks.e2e-spec.ts): its own, with webhooks allowed to the
 * local receiver and retries 100 ms to 1 s apart, its warnings caught (the level is silent there,
 * so they are caught before it applies); the calls of its principals, and its subscriptions to the
 * receiver with `canary` in their URLs, their secrets kept to verify what the receiver got.
 */
export function webhookSuite(canary: string) {
  const CANARY = canary;
  let t: TestWorkgate | undefined;
  const receiver = new Receiver();
  const principals = writePrincipals({
    admin: ['admin'],
    lead: ['ops-lead'],
    helpdesk: ['integrator'],
    agent: ['operator'],
    'support-lead': ['approver', 'operator'],
  });
  const secrets = new Map<string, string>();
  // What the services warn about (the level is silent here, so they are caught before it applies).
  const warnings: string[] = [];

  beforeAll(async () => {
    jest
      .spyOn(workgateModule<typeof Nest>('@nestjs/common').Logger.prototype, 'warn')
      .mockImplementation((message: unknown) => void warnings.push(String(message)));
    await receiver.start();
    resetProcessMetrics(); // this worker's earlier workgates counted their deliveries in this process too
    t = await startTestWorkgate({
      env: {
        WORKGATE_PRINCIPALS: principals.path,
        WORKGATE_WEBHOOK_ALLOW_PRIVATE: '1',
        WORKGATE_WEBHOOK_BACKOFF_MS: '100,200,400,1000',
        WORKGATE_WEBHOOK_TIMEOUT_MS: '2000',
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
    jest.restoreAllMocks();
  });
  const call =
    (who: string) =>
    <T = unknown>(method: string, path: string, body?: unknown) =>
      client(t!.url, principals.keys[who])<T>(method, path, body);

  async function subscribe(path: string, events: string[], principalIds?: string[]): Promise<string> {
    const created = await call('admin')<CreatedWebhook>('POST', '/v1/webhooks', {
      url: `${receiver.url}${path}?token=${CANARY}`,
      events,
      ...(principalIds ? { principals: principalIds } : {}),
    });
    expect(created).toMatchObject({
      status: 201,
      body: { id: expect.any(String), events, secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/) },
    });
    secrets.set(`${path}?token=${CANARY}`, created.body.secret);
    return created.body.id;
  }

  async function openWorkOrder(ref: string, jobType = 'support-recovery'): Promise<string> {
    const inputs =
      jobType === 'support-recovery'
        ? { caseId: ref, orderId: '1001', orderPaid: true }
        : { objective: 'x', repository: 'r' };
    const opened = await call('helpdesk')<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType,
      externalRef: ref,
      source: 'helpdesk',
      inputs,
    });
    expect(opened.status).toBe(201);
    return opened.body.id;
  }

  /** Every request a path received verifies under its webhook's secret. */
  function verifyAll(path: string): WebhookPayload[] {
    const secret = secrets.get(path)!;
    return receiver.at(path).map((r) => verifiedPayload(secret, r));
  }

  const deliveries = async (webhookId: string) =>
    (await call('lead')<WebhookDelivery[]>('GET', `/v1/webhooks/${webhookId}/deliveries`)).body;

  return {
    get t(): TestWorkgate {
      if (!t) throw new Error('the webhooks workgate has not started');
      return t;
    },
    principals,
    receiver,
    secrets,
    warnings,
    call,
    subscribe,
    openWorkOrder,
    verifyAll,
    deliveries,
  };
}
