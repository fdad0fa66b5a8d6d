import { SERVICE_ROLES } from './support/database';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Subjects } from '@workgate/contracts';
import { createPool, listParked, rebuildProjection } from '@workgate/event-store';
import { viewsProjection } from '../apps/ledger/views/views.projection';
import { timersProjection } from '../apps/ledger/views/timers.projection';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import type { ActionAnswer, ApprovalView, OpenedAnswer, WorkOrderListItem } from '@workgate/contracts';
import type { HealthRefusal } from './support/answers';

/**
 * An event a projection cannot fold (here a workflow version no view column can hold, as an
 * earlier version could record) is set aside with its error: every other projection and the
 * timers go on, `/health` says so, and a rebuild folds what it can and keeps the rest aside.
 */
describe('events a projection cannot fold', () => {
  const principals = writePrincipals({
    admin: ['admin'],
    helpdesk: ['integrator', 'operator'],
    'support-lead': ['approver'],
    lead: ['ops-lead', 'analyst'],
  });
  let t: TestWorkgate;
  let as: Record<string, ReturnType<typeof client>>;
  let badPosition: number;

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    as = clientsFor(t.url, principals.keys);
    // A workflow whose approvals expire in a second, to see the timers fire after the bad event.
    const yaml = readFileSync(join(__dirname, '..', 'workflows', 'support-recovery.yaml'), 'utf8')
      .replace(/^jobType: .*$/m, 'jobType: quick-expiry')
      .replace(/^approval: .*$/m, 'approval: { timeout: PT1S }');
    expect((await as.admin('POST', '/v1/workflows', yaml, { 'Content-Type': 'application/yaml' })).status).toBe(201);
    t.exemptWriters(
      'workflow-oversized',
      'an event no service could decide, appended around the services to be parked',
    );
    const appended = await t.rpc.request(Subjects.ledger.append, {
      streamId: 'workflow-oversized',
      expectedVersion: 'no_stream',
      events: [
        {
          eventId: '0b7c3f3e-8f3a-4d61-9a52-5d1f7b0e9a01',
          type: 'WorkflowPublished',
          data: {
            jobType: 'oversized',
            version: 1e308,
            sha256: 'a'.repeat(64),
            definition: { jobType: 'oversized', version: 1e308 },
          },
          metadata: { actor: 'test' },
        },
      ],
    });
    badPosition = appended.positions[0];
  });
  afterAll(() => t?.close());

  it('sets the event aside with its error and keeps folding what comes after it', async () => {
    const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'quick-expiry',
      externalRef: 'AFTER-1',
      source: 'parked',
      inputs: { caseId: 'c', orderId: 'o', orderPaid: true },
    });
    expect(opened.status).toBe(201);
    // The list reads the views: it answers once they hold the open, which comes after the bad event.
    expect(
      (await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?source=parked&externalRef=AFTER-1')).body,
    ).toEqual([expect.objectContaining({ id: opened.body.id })]);
    const parked = await listParked(t.db.appPool());
    expect(parked).toEqual([
      expect.objectContaining({
        projection: 'views',
        position: badPosition,
        eventType: 'WorkflowPublished',
        error: expect.stringContaining('for type bigint'),
      }),
    ]);
  });

  it('keeps the timers firing: an approval past its timeout expires', async () => {
    const wo = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'quick-expiry',
      externalRef: 'AFTER-2',
      source: 'parked',
      inputs: { caseId: 'c', orderId: 'o', orderPaid: true },
    });
    const wait = await as.helpdesk<ActionAnswer>('POST', `/v1/work-orders/${wo.body.id}/actions`, {
      system: 'payments',
      operation: 'refund',
      kind: 'write',
    });
    expect(wait.body).toMatchObject({ decision: 'wait', approvalId: expect.any(String) });
    await eventually(
      async () =>
        (await as['support-lead']<ApprovalView>('GET', `/v1/approvals/${wait.body.approvalId}`)).body.status ===
        'expired',
      15_000,
      'the approval to expire',
    );
  });

  it('reports the parked event on /health (503) and, to an ops-lead key, in the ledger health details', async () => {
    const health = await as.lead<HealthRefusal>('GET', '/health');
    expect(health.status).toBe(503);
    expect(health.text).toContain('projection views set aside 1 event(s) it cannot fold');
    expect(health.body.details[0].details.ledger).toMatchObject({
      status: 'down',
      projections: { views: { parked: 1 }, timers: { parked: 0 } },
    });
    // Without a key: the ledger is down, and nothing more.
    const anonymous = await client(t.url)<HealthRefusal>('GET', '/health');
    expect(anonymous.status).toBe(503);
    expect(anonymous.body.details[0].details.ledger).toEqual({ status: 'down' });
  });

  it('folds parked events again on a rebuild, and keeps aside only those that still cannot be folded', async () => {
    const owner = createPool(t.db.url, { max: 2 });
    try {
      const views = await rebuildProjection(owner, viewsProjection, { roles: SERVICE_ROLES });
      expect(views.parked).toEqual([expect.objectContaining({ position: badPosition })]);
      expect(views.differences).toEqual(Object.fromEntries(viewsProjection.tables.map((table) => [table, 0])));
      const timers = await rebuildProjection(owner, timersProjection, { roles: SERVICE_ROLES });
      expect(timers.parked).toEqual([]);
      expect((await listParked(t.db.appPool())).map((e) => e.position)).toEqual([badPosition]);
    } finally {
      await owner.end();
    }
  });
});
