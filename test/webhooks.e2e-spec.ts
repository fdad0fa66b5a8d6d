// The receivers check signatures with the Standard Webhooks reference library, not with workgate's code.
import { eventually } from './support/processes';

import { client } from './support/principals';
import { webhookSuite } from './support/webhook-suite';
import type { ActionAnswer, CreatedWebhook, DelegationAnswer } from '@workgate/contracts';

const CANARY = 'canary-webhook-7d1c-private';
const refund = { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1001'] };
const steps = ['inspect-case', 'validate-address', 'update-order', 'notify-warehouse', 'confirm-customer'];

/**
 * Webhooks for people (docs/api.md, Webhooks), against a real workgate: every delivery verifies with the
 * Standard Webhooks library; a failing receiver gets the delivery once it recovers, across a
 * restart too; one that never recovers ends as a dead letter that can be sent again by hand.
 */
describe('webhooks', () => {
  const w = webhookSuite(CANARY);
  const { receiver, secrets, warnings, call, subscribe, openWorkOrder, verifyAll, deliveries } = w;

  it('manages subscriptions: the secret is shown once, unknown types and other schemes are 422 naming the field', async () => {
    const id = await subscribe('/managed', ['approval', 'decision.stopped'], ['support-lead']);
    const listed = await call('admin')('GET', '/v1/webhooks');
    expect(listed.status).toBe(200);
    expect(listed.text).not.toContain('whsec_');
    expect(await call('admin')('GET', `/v1/webhooks/${id}`)).toMatchObject({
      status: 200,
      body: { id, events: ['approval', 'decision.stopped'], principals: ['support-lead'], createdBy: 'admin' },
    });
    expect((await call('admin')('GET', `/v1/webhooks/${id}`)).text).not.toContain('whsec_');

    expect(
      await call('admin')('POST', '/v1/webhooks', { url: `${receiver.url}/x`, events: ['approval.granted'] }),
    ).toMatchObject({
      status: 422,
      body: {
        error: 'validation_failed',
        details: [{ path: 'events', message: expect.stringContaining('approval.granted') }],
      },
    });
    expect(await call('admin')('POST', '/v1/webhooks', { url: 'ftp://example.com/x', events: ['*'] })).toMatchObject({
      status: 422,
      body: { details: [{ path: 'url' }] },
    });
    expect(await call('admin')('POST', '/v1/webhooks', { url: 'not a url', events: ['*'] })).toMatchObject({
      status: 422,
      body: { details: [{ path: 'url' }] },
    });
    expect(
      await call('admin')('POST', '/v1/webhooks', { url: `${receiver.url}/x`, events: ['*'], principals: [] }),
    ).toMatchObject({ status: 422, body: { details: [{ path: 'principals' }] } });
    expect(await call('lead')('POST', '/v1/webhooks', { url: `${receiver.url}/x`, events: ['*'] })).toMatchObject({
      status: 403,
    });

    // A replay with the same Idempotency-Key answers the same webhook, without its secret: the secret is never kept.
    const once = client(w.t.url, w.principals.keys.admin);
    const first = await once<CreatedWebhook>(
      'POST',
      '/v1/webhooks',
      { url: `${receiver.url}/replayed`, events: ['*'] },
      { 'Idempotency-Key': 'create-replayed' },
    );
    expect(first).toMatchObject({ status: 201, body: { secret: expect.stringMatching(/^whsec_/) } });
    const replay = await once<CreatedWebhook>(
      'POST',
      '/v1/webhooks',
      { url: `${receiver.url}/replayed`, events: ['*'] },
      { 'Idempotency-Key': 'create-replayed' },
    );
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(Object.fromEntries(Object.entries(first.body).filter(([k]) => k !== 'secret')));
    const kept = await w.t.db
      .appPool()
      .query(`SELECT reply::text FROM idempotency_answers WHERE key = 'create-replayed'`);
    expect(kept.rows).toHaveLength(1);
    expect(kept.rows[0].reply).not.toContain(first.body.secret.slice('whsec_'.length));
    expect((await call('admin')('DELETE', `/v1/webhooks/${first.body.id}`)).status).toBe(200);

    expect(await call('admin')('DELETE', `/v1/webhooks/${id}`)).toMatchObject({ status: 200, body: { id } });
    expect(await call('admin')('GET', `/v1/webhooks/${id}`)).toMatchObject({
      status: 404,
      body: { error: 'not_found' },
    });
  });

  it('delivers signed notifications; a receiver failing 3 times gets the delivery once it recovers, with one webhook-id; no payload carries private evidence or secrets', async () => {
    const flaky = await subscribe('/flaky', ['approval.requested'], ['support-lead']);
    const all = await subscribe('/all', ['*']);
    await subscribe('/nobody', ['*'], ['someone-else']);
    receiver.answers.set(`/flaky?token=${CANARY}`, (n) => (n <= 3 ? 500 : 204));

    const id = await openWorkOrder('WH-1');
    for (const step of steps) {
      await call('agent')('POST', `/v1/work-orders/${id}/steps/${step}/complete`, {
        evidence: [{ kind: 'photo', ref: `${CANARY}-${step}`, private: true, note: CANARY }],
      });
    }
    const wait = await call('agent')<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      ...refund,
      facts: { amount: 40, secret: CANARY },
    });
    expect(wait.body).toMatchObject({ decision: 'wait', approvalId: expect.any(String) });
    const stop = await call('agent')('POST', `/v1/work-orders/${id}/actions`, {
      system: 'payroll',
      operation: 'pay',
      kind: 'write',
      facts: { secret: CANARY },
    });
    expect(stop.body).toMatchObject({ decision: 'stop' });

    const path = `/flaky?token=${CANARY}`;
    await eventually(async () => receiver.at(path).length >= 4, 20_000, 'the flaky receiver to recover');
    const attempts = receiver.at(path);
    expect(attempts).toHaveLength(4);
    expect(new Set(attempts.map((r) => r.headers['webhook-id'])).size).toBe(1);
    const [payload] = verifyAll(path);
    expect(payload).toMatchObject({
      type: 'approval.requested',
      timestamp: expect.any(String),
      data: {
        approvalId: wait.body.approvalId,
        workOrderId: id,
        owner: 'support-lead',
        requestedBy: 'agent',
        expiresAt: expect.any(String),
        message: expect.any(String),
      },
    });

    const flakyDeliveries = await eventually(
      async () => {
        const list = await deliveries(flaky);
        return list[0]?.status === 'delivered' ? list : undefined;
      },
      10_000,
      'the delivery to be recorded delivered',
    );
    expect(flakyDeliveries).toEqual([
      expect.objectContaining({
        deliveryId: attempts[0].headers['webhook-id'],
        type: 'approval.requested',
        status: 'delivered',
        attempts: [
          { at: expect.any(String), status: 500, error: 'answered 500' },
          expect.objectContaining({ status: 500 }),
          expect.objectContaining({ status: 500 }),
          { at: expect.any(String), status: 204 },
        ],
      }),
    ]);

    const allPath = `/all?token=${CANARY}`;
    await eventually(
      async () => new Set(receiver.at(allPath).map((r) => JSON.parse(r.body).type)).has('decision.stopped'),
      10_000,
      'the stop to be delivered',
    );
    const types = verifyAll(allPath).map((p) => p.type);
    expect(types).toEqual(expect.arrayContaining(['approval.requested', 'decision.stopped']));
    expect(receiver.at(`/nobody?token=${CANARY}`)).toEqual([]);
    for (const r of receiver.received) {
      expect(r.body).not.toContain(CANARY);
      expect(r.body).not.toContain('whsec_');
    }
    expect((await deliveries(all)).every((d) => d.status === 'delivered')).toBe(true);

    const metrics = await (await fetch(`${w.t.url}/metrics`)).text();
    expect(metrics).toMatch(/workgate_webhook_deliveries_total\{outcome="delivered"\} [1-9]/);
    expect(metrics).toMatch(/workgate_webhook_deliveries_total\{outcome="failed"\} [3-9]/);
  });

  it('keeps a delivery that never succeeds as a dead letter, listed by the API; a retry sends it again now', async () => {
    const down = await subscribe('/down', ['exception.raised']);
    const path = `/down?token=${CANARY}`;
    let recovered = false;
    receiver.answers.set(path, () => (recovered ? 200 : 503));
    const id = await openWorkOrder('WH-2');
    const blocked = await call('agent')('POST', `/v1/work-orders/${id}/steps/confirm-customer/block`, {
      code: 'CUSTOMER_UNREACHABLE',
      rationale: `no answer: ${CANARY}`,
    });
    expect(blocked.status).toBe(201);

    const [dead] = await eventually(
      async () => {
        const list = await deliveries(down);
        return list[0]?.status === 'dead' ? list : undefined;
      },
      30_000,
      'the delivery to become a dead letter',
    );
    expect(dead).toMatchObject({ type: 'exception.raised', status: 'dead' });
    expect(dead.attempts).toHaveLength(5);
    expect(dead.attempts.every((a) => a.status === 503)).toBe(true);
    expect(receiver.at(path)).toHaveLength(5);
    expect(verifyAll(path)[0]).toMatchObject({
      type: 'exception.raised',
      data: { workOrderId: id, code: 'CUSTOMER_UNREACHABLE', owner: 'support-lead', dueAt: expect.any(String) },
    });

    expect(await call('lead')('POST', `/v1/webhooks/${down}/deliveries/${dead.deliveryId}/retry`)).toMatchObject({
      status: 403,
    });
    expect(
      await call('admin')('POST', `/v1/webhooks/${down}/deliveries/00000000-0000-4000-8000-000000000000/retry`),
    ).toMatchObject({ status: 404 });
    recovered = true;
    expect(await call('admin')('POST', `/v1/webhooks/${down}/deliveries/${dead.deliveryId}/retry`)).toMatchObject({
      status: 202,
      body: { deliveryId: dead.deliveryId, status: 'pending' },
    });
    await eventually(
      async () => (await deliveries(down))[0].status === 'delivered',
      10_000,
      'the retried delivery to be delivered',
    );
    expect(receiver.at(path)).toHaveLength(6);
    expect(receiver.at(path)[5].headers['webhook-id']).toBe(dead.deliveryId);
    expect(verifyAll(path)).toHaveLength(6);

    const metrics = await (await fetch(`${w.t.url}/metrics`)).text();
    expect(metrics).toMatch(/workgate_webhook_deliveries_total\{outcome="dead"\} [1-9]/);
  });

  it('keeps retrying across a restart: a retry due while workgate is down is sent once it is back', async () => {
    const restarting = await subscribe('/restart', ['delegation.dispatched']);
    const path = `/restart?token=${CANARY}`;
    let up = false;
    receiver.answers.set(path, () => (up ? 200 : 500));
    const id = await openWorkOrder('WH-3', 'agent-delegation');
    const dispatched = await call('agent')<DelegationAnswer>('POST', `/v1/work-orders/${id}/delegations`, {
      recipient: 'agent-7',
      command: 'delegate_task',
      prompt: {
        objective: `fix it ${CANARY}`,
        scope: 'the case',
        artifacts: [{ path: 'src/a.ts', access: 'write' }],
        verification: ['npm test'],
        completion: 'tests pass',
      },
    });
    expect(dispatched.status).toBe(201);
    await eventually(async () => receiver.at(path).length >= 1, 10_000, 'the first attempt');

    // While workgate is down, its next attempt falls due (the schedule's first delay is 100 ms).
    // Whatever the receiver gets after `downUntil` is sent by the restarted workgate (which may
    // deliver before restart() has seen it healthy).
    let downUntil = Infinity;
    await w.t.restart(async () => {
      const { rows } = await w.t.db
        .appPool()
        .query<{ next_attempt_at: Date }>(
          `SELECT next_attempt_at FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE s.id = $1`,
          [restarting],
        );
      expect(rows).toHaveLength(1);
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, rows[0].next_attempt_at.getTime() - Date.now()) + 100),
      );
      up = true;
      downUntil = Date.now();
    });
    await eventually(
      async () => (await deliveries(restarting))[0]?.status === 'delivered',
      20_000,
      'the delivery after the restart',
    );
    const last = receiver.at(path).at(-1)!;
    expect(last.at).toBeGreaterThanOrEqual(downUntil);
    const { attempts } = (await deliveries(restarting))[0];
    expect(attempts[0]).toMatchObject({ status: 500 });
    expect(attempts.at(-1)).toMatchObject({ status: 200 });
    expect(new Set(receiver.at(path).map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(verifyAll(path).at(-1)).toMatchObject({
      type: 'delegation.dispatched',
      data: { dispatchId: dispatched.body.dispatchId, workOrderId: id, recipient: 'agent-7' },
    });
    expect(last.body).not.toContain(CANARY);
  });

  it("logs failed attempts by webhook and delivery id and the receiver's host only (no path, no query string), never a secret", () => {
    const failures = warnings.filter((w) => w.includes('failed'));
    expect(failures).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^webhook [0-9a-f-]{36} delivery [0-9a-f-]{36} to ${receiver.url}: attempt 1 failed \\(answered 500\\)$`,
          ),
        ),
      ]),
    );
    for (const w of warnings) {
      expect(w).not.toContain(CANARY);
      expect(w).not.toContain('/flaky');
      expect(w).not.toContain('whsec_');
      for (const secret of secrets.values()) expect(w).not.toContain(secret.slice('whsec_'.length));
    }
  });
});
