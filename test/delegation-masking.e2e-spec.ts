import { runInNewContext } from 'node:vm';
import { randomBytes } from 'node:crypto';
import { inboxDelivery } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import type { DelegationAnswer, InboxMessage, OpenedAnswer } from '@workgate/contracts';

/**
 * docs/api.md, Conventions (masking): credential-shaped text is masked wherever it is shown, delegation prompts and inboxes
 * included. Canaries planted in a delegation prompt never show in the operator inbox (HTTP), the
 * delegate's inbox (JetStream), the state handoff, the delivery page or any answer the console's
 * work-order page reads; the ops lead's ledger events keep them, as the evidence of what was sent.
 */
describe('credentials in a delegation prompt are masked', () => {
  // The workgate may be shared with other files: the delegate's name is this file's alone, so its inbox holds only this prompt.
  const principals = writePrincipals({
    helpdesk: ['integrator'],
    op: ['operator'],
    'agent-mask': ['operator'],
    lead: ['ops-lead'],
    approver: ['approver'],
  });
  let t: SharedTestWorkgate;
  let as: Record<string, ReturnType<typeof client>>;
  const hex = () => randomBytes(8).toString('hex');
  // The secret part of each canary is what is searched for.
  const stripe = `sk_live_${hex()}${hex()}`;
  const bearer = `cy${hex()}`;
  const password = `cy${hex()}`;
  const aws = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const urlPassword = `cy${hex()}`;
  const secrets = [stripe, bearer, password, aws, urlPassword];
  const prompt = {
    objective: `Reconcile the payouts; the API answers with Authorization: Bearer ${stripe}`,
    scope: `billing only; the staging database password=${password}`,
    artifacts: [{ path: 'docs/payouts.md', access: 'read' }],
    verification: [
      `curl -H "Authorization: Bearer ${bearer}" https://ci.example.com/check`,
      `aws s3 ls --access-key ${aws}`,
    ],
    completion: `upload to https://exporter:${urlPassword}@files.example.com/out.csv, then stop and wait for the operator`,
  };
  let workOrderId: string;
  let dispatchId: string;
  const leaks = (text: string) => secrets.filter((s) => text.includes(s));

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = clientsFor(t.url, principals.keys);
    const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'agent-delegation',
      externalRef: 'DL-MASK',
      source: 'helpdesk',
      inputs: { objective: 'payouts', repository: 'r' },
    });
    workOrderId = opened.body.id;
    const dispatched = await as.op<DelegationAnswer>('POST', `/v1/work-orders/${workOrderId}/delegations`, {
      recipient: 'agent-mask',
      command: 'delegate_task',
      prompt,
    });
    expect(dispatched.status).toBe(201);
    dispatchId = dispatched.body.dispatchId;
  });
  afterAll(() => t?.close());

  it('the operator inbox shows the prompt with every credential masked, and the rest of it as written', async () => {
    const inbox = await as.op<InboxMessage[]>('GET', '/v1/inbox/agent-mask?box=inbox&filter=all');
    expect(inbox.status).toBe(200);
    expect(leaks(inbox.text)).toEqual([]);
    expect(inbox.body).toEqual([
      expect.objectContaining({
        dispatchId,
        prompt: {
          objective: 'Reconcile the payouts; the API answers with Authorization: [redacted]',
          scope: 'billing only; the staging database [redacted]',
          artifacts: [{ path: 'docs/payouts.md', access: 'read' }],
          verification: [
            'curl -H "Authorization: [redacted]" https://ci.example.com/check',
            'aws s3 ls --access-key [redacted]',
          ],
          completion: 'upload to [redacted]files.example.com/out.csv, then stop and wait for the operator',
        },
      }),
    ]);
  });

  it("the delegate's inbox on JetStream gets the prompt masked", async () => {
    const delivered = await inboxDelivery(t.nc, 'agent-mask');
    expect(JSON.parse(delivered)).toMatchObject({
      dispatchId,
      prompt: { objective: 'Reconcile the payouts; the API answers with Authorization: [redacted]' },
    });
    expect(leaks(delivered)).toEqual([]);
  });

  it("no answer the console's work-order page reads, nor the handoff or the delivery page, shows them", async () => {
    const shown: string[] = [];
    for (const [who, path, accept] of [
      ['op', `/v1/work-orders/${workOrderId}`, 'application/json'],
      ['op', `/v1/work-orders/${workOrderId}/decisions`, 'application/json'],
      ['op', `/v1/work-orders/${workOrderId}/delivery`, 'application/json'],
      ['op', `/v1/work-orders/${workOrderId}/delivery`, 'text/html'],
      ['op', `/v1/delegations/${dispatchId}`, 'application/json'],
      ['lead', `/v1/delegations/${dispatchId}`, 'application/json'],
      ['op', '/v1/work-orders?source=helpdesk', 'application/json'],
    ] as const) {
      const res = await as[who]('GET', path, undefined, { Accept: accept });
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      shown.push(res.text);
    }
    expect(leaks(shown.join('\n'))).toEqual([]);
  });

  it("the ops lead's ledger events keep the prompt as it was sent (the evidence), and the console shows it masked", async () => {
    const events = await as.lead('GET', `/v1/work-orders/${workOrderId}/events`);
    expect(leaks(events.text)).toEqual(secrets);
    const script = await (await fetch(`${t.url}/console/masking.js`)).text();
    // The console masks with the same patterns as the API: loaded as the page loads it.
    const page: { workgateMask?: (text: string) => string } = {};
    runInNewContext(script, { window: page });
    expect(page.workgateMask!(prompt.objective)).toBe(
      'Reconcile the payouts; the API answers with Authorization: [redacted]',
    );
    expect(leaks(secrets.map((s) => page.workgateMask!(`token: ${s} Bearer ${s}`)).join('\n'))).toEqual([]);
  });
});
