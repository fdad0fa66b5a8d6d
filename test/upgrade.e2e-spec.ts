import { randomUUID } from 'node:crypto';
import { AckPolicy } from 'nats';
import { ActionDecidedData, RecordedEvent, Streams, Subjects, workOrderStream, WorkOrderEvents, WorkOrderOpenedData } from '@workgate/contracts';
import { eventually } from './support/processes';
import { client, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';

/**
 * A ledger written by an earlier version: a `wait` recorded as its `ActionDecided` alone, a failed
 * prerequisite in its `WorkOrderOpened` alone, and the consumers that version read them with. After
 * the upgrade those consumers still open the approval and raise the exception, then are deleted.
 */
describe('upgrading a ledger of an earlier version', () => {
  let t: TestWorkgate;
  const principals = writePrincipals({ helpdesk: ['integrator'], agent: ['operator'], 'support-lead': ['approver', 'operator'], 'ops-lead': ['ops-lead'] });
  let as: Record<string, ReturnType<typeof client>>;

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    as = Object.fromEntries(Object.entries(principals.keys).map(([id, key]) => [id, client(t.url, key)]));
  });
  afterAll(() => t?.close());

  const consumerExists = async (durable: string) =>
    (await t.nc.jetstreamManager()).consumers.info(Streams.ledger.name, durable).then(
      () => true,
      () => false,
    );
  const append = (streamId: string, type: string, data: object, actor: string) =>
    t.rpc.request(Subjects.ledger.append, { streamId, expectedVersion: 'any', events: [{ eventId: randomUUID(), type, data, metadata: { commandId: randomUUID(), actor, channel: 'earlier-version' } }] });

  it('opens the approvals and raises the exceptions an earlier version left, then deletes its consumers', async () => {
    // A wait as this version records it, to copy the shapes from.
    const opened = await as.helpdesk('POST', '/v1/work-orders', { jobType: 'support-recovery', externalRef: 'UP-1', source: 'helpdesk', inputs: { caseId: 'UP-1', orderId: '1', orderPaid: true } });
    const id = opened.body.id as string;
    const wait = await as.agent('POST', `/v1/work-orders/${id}/actions`, { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1'], facts: { amount: 40 } });
    expect(wait.body).toMatchObject({ decision: 'wait', approvalId: expect.any(String) });
    const recorded = await t.rpc.request<RecordedEvent[]>(Subjects.intake.events, { workOrderId: id });
    expect(recorded.map((e) => e.type)).toEqual([WorkOrderEvents.Opened, WorkOrderEvents.GateRequested, WorkOrderEvents.ActionDecided]);
    const [openedEvent, , decided] = recorded;

    // What an earlier version left: its consumers, and events without their own reaction events.
    const jsm = await t.nc.jetstreamManager();
    await jsm.consumers.add(Streams.ledger.name, { durable_name: 'approvals-waits', ack_policy: AckPolicy.Explicit, filter_subject: 'ledger.workorder.ActionDecided' });
    await jsm.consumers.add(Streams.ledger.name, { durable_name: 'exceptions-prerequisites', ack_policy: AckPolicy.Explicit, filter_subject: 'ledger.workorder.WorkOrderOpened' });
    const olderWait = { ...(decided.data as unknown as ActionDecidedData), actionId: randomUUID(), approvalId: randomUUID() };
    await append(workOrderStream(id), WorkOrderEvents.ActionDecided, olderWait, 'agent');
    const blockedId = randomUUID();
    const exceptionId = randomUUID();
    const blockedOpening: WorkOrderOpenedData = {
      ...(openedEvent.data as unknown as WorkOrderOpenedData),
      workOrderId: blockedId,
      externalRef: 'UP-2',
      status: 'blocked',
      exceptions: [{ exceptionId, code: 'PREREQ_MISSING', owner: 'intake-lead', dueAt: new Date(Date.now() + 3_600_000).toISOString(), stepId: null, rationale: 'orderPaid must be true' }],
    };
    await append(workOrderStream(blockedId), WorkOrderEvents.Opened, blockedOpening, 'source:helpdesk');

    // The upgrade: this version starts on that ledger.
    await t.restart();
    as = Object.fromEntries(Object.entries(principals.keys).map(([key, secret]) => [key, client(t.url, secret)]));
    await eventually(async () => (await as['support-lead']('GET', `/v1/approvals/${olderWait.approvalId}`)).status === 200, 15_000, 'the older wait\'s approval');
    expect((await as['support-lead']('GET', `/v1/approvals/${olderWait.approvalId}`)).body).toMatchObject({ status: 'requested', owner: 'support-lead', actionId: olderWait.actionId });
    await eventually(async () => (await as.agent('GET', `/v1/exceptions/${exceptionId}`)).status === 200, 15_000, 'the older opening\'s exception');
    expect((await as.agent('GET', `/v1/exceptions/${exceptionId}`)).body).toMatchObject({ code: 'PREREQ_MISSING', workOrderId: blockedId });
    await eventually(async () => !(await consumerExists('approvals-waits')) && !(await consumerExists('exceptions-prerequisites')), 15_000, 'the retired consumers deleted');
    // This version's own consumers stay.
    expect(await consumerExists('approvals-gates')).toBe(true);
    expect(await consumerExists('exceptions-work-order-raised')).toBe(true);
  });
});
