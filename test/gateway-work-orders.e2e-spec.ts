import { eventually } from './support/processes';
import { onSharedWorkgate, GATEWAY_PRINCIPALS, openSupportRecovery } from './support/suite';
import type {
  ActionAnswer,
  RejectionsPage,
  StepAnswer,
  WorkOrderHandoff,
  WorkOrderListItem,
} from '@workgate/contracts';

import type { ErrorBody, IngestAnswer } from './support/answers';

/**
 * Work orders over HTTP: blocked at opening, blocked steps, replayed keys, CloudEvents. On the
 * worker's shared workgate: the refs and sources it reads (helpdesk CASE-3, shopify) are its own.
 */
describe('gateway: work orders over HTTP', () => {
  const suite = onSharedWorkgate(GATEWAY_PRINCIPALS);
  const { as } = suite;
  const open = openSupportRecovery(as);

  it('opens blocked with PREREQ_MISSING when a prerequisite fails, and finds work orders by source and externalRef', async () => {
    const opened = await open('CASE-3', { caseId: 'C-3', orderId: '1003', orderPaid: false });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({
      status: 'blocked',
      exceptions: [{ code: 'PREREQ_MISSING', owner: 'intake-lead' }],
    });
    expect(opened.body.prerequisites).toContainEqual({
      name: 'orderPaid',
      ok: false,
      reason: 'orderPaid must be true, got false',
    });
    const found = await eventually(
      async () => {
        const r = await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?source=helpdesk&externalRef=CASE-3');
        return r.body?.length === 1 ? r : undefined;
      },
      5000,
      'the work-orders view',
    );
    expect(found.body[0]).toMatchObject({ id: opened.body.id, status: 'blocked', jobType: 'support-recovery' });
    const handoff = await as.helpdesk<WorkOrderHandoff>('GET', `/v1/work-orders/${opened.body.id}`);
    expect(handoff.body).toMatchObject({
      status: 'blocked',
      stage: 'TBD',
      nextOwner: 'intake-lead',
      nextAction: 'resolve exception PREREQ_MISSING',
    });
  });

  it('blocks a step with a catalog code (owner and SLA from the catalog) and refuses free text', async () => {
    const { body } = await open('CASE-4');
    const blocked = await as.agent<StepAnswer>('POST', `/v1/work-orders/${body.id}/steps/confirm-customer/block`, {
      code: 'CUSTOMER_UNREACHABLE',
      rationale: 'no answer twice',
    });
    expect(blocked.status).toBe(201);
    expect(blocked.body.exception).toMatchObject({
      code: 'CUSTOMER_UNREACHABLE',
      owner: 'support-lead',
      dueAt: expect.any(String),
    });
    const free = await as.agent<StepAnswer>('POST', `/v1/work-orders/${body.id}/steps/confirm-customer/block`, {
      code: 'customer did not pick up',
      rationale: 'x',
    });
    expect(free).toMatchObject({ status: 422, body: { error: 'unknown_exception_code' } });
  });

  it('answers a replayed Idempotency-Key with the first answer and writes nothing', async () => {
    const { body } = await open('CASE-5');
    const request = { system: 'shop', operation: 'customer.reply', kind: 'write' };
    const first = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${body.id}/actions`, request, {
      'Idempotency-Key': 'reply-1',
    });
    const again = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${body.id}/actions`, request, {
      'Idempotency-Key': 'reply-1',
    });
    expect(again.body).toEqual(first.body);
    const { rows } = await suite.t.db
      .appPool()
      .query(`SELECT count(*)::int AS n FROM ledger_events WHERE stream_id = $1 AND type = 'ActionDecided'`, [
        `workorder-${body.id}`,
      ]);
    expect(rows[0].n).toBe(1);
  });

  it('takes CloudEvents over HTTP: 202 once committed, 422 with kept rejections', async () => {
    const event = (id: string, type: string, subject: string, data: unknown) => ({
      specversion: '1.0',
      id,
      source: 'shopify',
      type,
      subject,
      data,
    });
    const ok = await as.helpdesk<IngestAnswer>(
      'POST',
      '/v1/events',
      event('e-1', 'workgate.workorder.open', 'ORDER-9', {
        jobType: 'support-recovery',
        inputs: { caseId: 'C', orderId: '9', orderPaid: true },
      }),
      {
        'Content-Type': 'application/cloudevents+json',
      },
    );
    expect(ok.status).toBe(202);
    expect(ok.body.results[0]).toMatchObject({ ok: true, answer: { status: 'open' } });
    const bad = await as.helpdesk<ErrorBody>(
      'POST',
      '/v1/events',
      [
        event('e-2', 'workgate.nope', 'X', {}),
        event('e-3', 'workgate.workorder.open', 'ORDER-10', { jobType: 'support-recovery', inputs: {} }),
      ],
      {
        'Content-Type': 'application/cloudevents-batch+json',
      },
    );
    expect(bad.status).toBe(422);
    expect(bad.body.error).toBe('invalid_event');
    const list = await as.lead<RejectionsPage>('GET', '/v1/intake/rejections?source=shopify');
    expect(list.body.rejections[0].reasons[0]).toMatch(/unknown CloudEvent type/);
    // Nothing of the refused batch was applied.
    const found = await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?source=shopify&externalRef=ORDER-10');
    expect(found.body).toEqual([]);
  });
});
