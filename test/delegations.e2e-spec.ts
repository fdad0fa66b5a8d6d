import { Subjects } from '@workgate/contracts';
import { prompt } from '../libs/domain/delegation/delegation.fixtures';
import { eventually, inboxDelivery } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import type {
  ActionAnswer,
  DelegationAnswer,
  DelegationView,
  InboxMessage,
  OpenedAnswer,
  WorkOrderHandoff,
} from '@workgate/contracts';

/** The delegation contract: inbox delivery, reminders, a hard timeout that stops the work order, operator-only confirmation. */
describe('delegations over HTTP', () => {
  let t: SharedTestWorkgate;
  const principals = writePrincipals({ helpdesk: ['integrator'], op: ['operator'], 'agent-x': ['operator'] });
  let as: Record<string, ReturnType<typeof client>>;
  // Two reminders (at 2 s and 3 s), then the timeout at 4 s: room for the confirmation in between.
  const fast = { initialWait: 'PT2S', reminderEvery: 'PT1S', backoff: 1, hardTimeout: 'PT4S' };

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = clientsFor(t.url, principals.keys);
  });
  afterAll(() => t?.close());

  const workOrder = async (ref: string) =>
    (
      await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'agent-delegation',
        externalRef: ref,
        source: 'helpdesk',
        inputs: { objective: 'x', repository: 'r' },
      })
    ).body.id;

  it('refuses a prompt with missing parts (every one named) and private planning paths', async () => {
    const id = await workOrder('DL-0');
    const missing = await as.op<DelegationAnswer>('POST', `/v1/work-orders/${id}/delegations`, {
      recipient: 'agent-x',
      command: 'delegate_task',
      prompt: { objective: 'x' },
    });
    expect(missing).toMatchObject({
      status: 422,
      body: {
        error: 'prompt_incomplete',
        details: [
          'scope',
          'artifacts (each with a path and access read or write)',
          'verification commands',
          'completion protocol',
        ],
      },
    });
    const leak = await as.op<DelegationAnswer>('POST', `/v1/work-orders/${id}/delegations`, {
      recipient: 'agent-x',
      command: 'delegate_task',
      prompt: { ...prompt, artifacts: [{ path: 'brain/plan.md', access: 'read' }] },
    });
    expect(leak).toMatchObject({ status: 422, body: { error: 'private_path' } });
  });

  it('reminds the owner, then times out, notifies, and stops the work order with the reason', async () => {
    const notices: Array<{ kind: string; ref?: string; message: string }> = [];
    const sub = t.nc.subscribe('workgate.notify.agent-ops-lead', {
      callback: (_e, m) => notices.push(JSON.parse(new TextDecoder().decode(m.data))),
    });
    const id = await workOrder('DL-1');
    const dispatched = await as.op<DelegationAnswer>('POST', `/v1/work-orders/${id}/delegations`, {
      recipient: 'agent-x',
      command: 'delegate_task',
      prompt,
      timeouts: fast,
    });
    expect(dispatched).toMatchObject({
      status: 201,
      body: { dispatchId: expect.any(String), dispatchCreatedAt: expect.any(String) },
    });
    const { dispatchId } = dispatched.body;

    // The dispatcher reads its delegation in the inbox at once; the recipient's durable NATS inbox gets it after commit.
    const inbox = await as.op<InboxMessage[]>('GET', '/v1/inbox/agent-x?box=inbox&filter=delegate_task');
    expect(inbox.body).toEqual([
      expect.objectContaining({
        dispatchId,
        command: 'delegate_task',
        from: 'op',
        prompt: expect.objectContaining({ objective: prompt.objective }),
      }),
    ]);
    expect(JSON.parse(await inboxDelivery(t.nc, 'agent-x'))).toMatchObject({ dispatchId });
    expect((await as.op<InboxMessage[]>('GET', '/v1/inbox/agent.*')).body).toMatchObject({
      error: 'validation_failed',
      details: [{ path: 'param:recipient' }],
    });

    const handoff = await eventually(
      async () => {
        const r = await as.op<WorkOrderHandoff>('GET', `/v1/work-orders/${id}`);
        return r.body.status === 'stopped' ? r : undefined;
      },
      15_000,
      'the work order to stop',
    );
    expect(handoff.body.status).toBe('stopped');
    const events = await t.rpc.request(Subjects.intake.events, { workOrderId: id });
    expect(events.find((e) => e.type === 'WorkOrderStopped')?.data).toMatchObject({
      reason: `delegation ${dispatchId} timed out`,
      ref: dispatchId,
    });
    await eventually(
      async () => notices.some((n) => n.kind === 'delegation-timed-out' && n.ref === dispatchId),
      5000,
      'the timeout notice',
    );
    // Reminders and timeouts are sent by consumers of their own, so a late reminder may arrive after the timeout's notice.
    const reminders = () => notices.filter((n) => n.kind === 'delegation-reminder' && n.ref === dispatchId);
    await eventually(async () => reminders().length >= 2, 5000, 'both reminders');
    expect(reminders().map((n) => n.message)).toEqual([
      expect.stringContaining('(reminder 1)'),
      expect.stringContaining('(reminder 2)'),
    ]);
    expect((await as.op<DelegationView>('POST', `/v1/delegations/${dispatchId}/confirm`, {})).body).toMatchObject({
      error: 'delegation_timed_out',
    });
    expect(
      (
        await as.op<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
          system: 'ci',
          operation: 'pipeline.run',
          kind: 'write',
        })
      ).body,
    ).toMatchObject({ error: 'work_order_stopped' });
    sub.unsubscribe();
  });

  it('confirmed by an operator before the timeout: no timeout fires; the delegate cannot confirm itself', async () => {
    const id = await workOrder('DL-2');
    const { dispatchId } = (
      await as.op<DelegationAnswer>('POST', `/v1/work-orders/${id}/delegations`, {
        recipient: 'agent-x',
        command: 'delegate_task',
        prompt,
        timeouts: fast,
      })
    ).body;
    expect(await as['agent-x']('POST', `/v1/delegations/${dispatchId}/confirm`, {})).toMatchObject({
      status: 403,
      body: { error: 'delegate_cannot_confirm' },
    });
    expect(
      (await as.op<DelegationView>('POST', `/v1/delegations/${dispatchId}/confirm`, { note: 'verified: tests green' }))
        .body,
    ).toMatchObject({ status: 'confirmed' });
    // A sentinel dispatched after it with the same timeouts, never confirmed: once it has timed out,
    // the timers have passed the confirmed delegation's deadline too.
    const sentinel = await workOrder('DL-2-SENTINEL');
    await as.op<DelegationAnswer>('POST', `/v1/work-orders/${sentinel}/delegations`, {
      recipient: 'agent-x',
      command: 'delegate_task',
      prompt,
      timeouts: fast,
    });
    await eventually(
      async () => (await as.op<WorkOrderHandoff>('GET', `/v1/work-orders/${sentinel}`)).body.status === 'stopped',
      20_000,
      'the sentinel delegation to time out',
    );
    expect((await as.op<WorkOrderHandoff>('GET', `/v1/work-orders/${id}`)).body.status).toBe('open');
    const { rows } = await t.db
      .appPool()
      .query(`SELECT type FROM ledger_events WHERE stream_id = $1 ORDER BY position`, [`delegation-${dispatchId}`]);
    expect(rows.map((r) => r.type)).toEqual(['DelegationDispatched', 'DelegationConfirmed']);
  });
});
