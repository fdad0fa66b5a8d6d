import { randomUUID } from 'node:crypto';
import { AckPolicy } from 'nats';
import { Streams, Subjects, workOrderStream, WorkOrderEvents, WorkOrderOpenedData } from '@workgate/contracts';
import { firstOfType } from './support/answers';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import { requested, v1, withWrites } from './support/workflow-change';
import type { ApprovalView, ExceptionView, OpenedAnswer, PostReviewView, WorkflowVersion } from '@workgate/contracts';

/**
 * The consumers of events this version no longer starts streams from, and what they read: the
 * earliest versions' waits recorded alone, and openings recorded without the exception beside them.
 */
const RETIRED: Array<[string, string]> = [
  ['approvals-waits', 'ActionDecided'],
  ['exceptions-prerequisites', 'WorkOrderOpened'],
];
/** The reactions that start the streams of work-order events their owners' asks did not (docs/ledger.md, Who writes which stream). */
const STARTING = [
  'approvals-gates',
  'approvals-break-glass',
  'approvals-delegations',
  'exceptions-work-order-raised',
  'exceptions-blocked-steps',
  'exceptions-break-glass',
];

/**
 * A ledger written by earlier versions: approvals, exceptions and post-reviews were started by
 * consumers reacting to the work order's events, or not at all. The owners' reactions start what
 * is missing, with the ids intake's ask would have used; the consumers of waits and of openings
 * recorded alone run until they have handled what earlier versions left, and are then deleted.
 */
describe('upgrading a ledger of an earlier version', () => {
  let t: TestWorkgate;
  const principals = writePrincipals({
    helpdesk: ['integrator'],
    agent: ['operator'],
    'support-lead': ['approver', 'operator'],
    'ops-lead': ['ops-lead'],
    'change-admin': ['admin', 'approver'],
    'wc-lead': ['approver'],
  });
  let as: Record<string, ReturnType<typeof client>>;
  const clients = () => (as = clientsFor(t.url, principals.keys));

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    clients();
  });
  afterAll(() => t?.close());

  const consumerExists = async (durable: string) =>
    (await t.nc.jetstreamManager()).consumers.info(Streams.ledger.name, durable).then(
      () => true,
      () => false,
    );
  const append = (streamId: string, type: string, data: object, actor: string) => {
    t.exemptWriters(streamId, "an earlier version's events, which name no producer");
    return t.rpc.request(Subjects.ledger.append, {
      streamId,
      expectedVersion: 'any',
      events: [
        { eventId: randomUUID(), type, data, metadata: { commandId: randomUUID(), actor, channel: 'earlier-version' } },
      ],
    });
  };

  it('starts the approvals, exceptions and post-reviews an earlier version left, and deletes the retired consumers', async () => {
    for (const [durable] of RETIRED) expect(await consumerExists(durable)).toBe(false);
    for (const durable of STARTING) expect(await consumerExists(durable)).toBe(true);

    // Shapes to copy, as this version records them.
    const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: 'UP-1',
      source: 'helpdesk',
      inputs: { caseId: 'UP-1', orderId: '1', orderPaid: true },
    });
    const id = opened.body.id;
    await as.agent('POST', `/v1/work-orders/${id}/actions`, {
      system: 'payments',
      operation: 'refund',
      kind: 'write',
      objects: ['order:1'],
      facts: { amount: 40 },
    });
    await as.agent('POST', `/v1/work-orders/${id}/steps/inspect-case/block`, {
      code: 'CUSTOMER_UNREACHABLE',
      rationale: 'no answer',
    });
    await as.agent('POST', `/v1/work-orders/${id}/break-glass`, {
      code: 'CUSTOMER_UNREACHABLE',
      rationale: 'urgent',
      action: { system: 'shop', operation: 'order.note', kind: 'write' },
    });
    const recorded = await t.rpc.request(Subjects.intake.events, { workOrderId: id });
    const decided = firstOfType(recorded, WorkOrderEvents.ActionDecided).data;
    const gate = firstOfType(recorded, WorkOrderEvents.GateRequested).data;
    const blocked = firstOfType(recorded, WorkOrderEvents.StepBlocked).data;
    const used = firstOfType(recorded, WorkOrderEvents.BreakGlassUsed).data;

    // What earlier versions left: their consumers, and events whose streams were never started.
    const jsm = await t.nc.jetstreamManager();
    for (const [durable, type] of RETIRED)
      await jsm.consumers.add(Streams.ledger.name, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        filter_subject: `ledger.workorder.${type}`,
      });
    const older = {
      wait: { ...decided, actionId: randomUUID(), approvalId: randomUUID() },
      gate: { ...gate, approvalId: randomUUID(), source: { overlayId: 'earlier' } },
      blocked: { ...blocked, exceptionId: randomUUID() },
      used: { ...used, exceptionId: randomUUID(), postReviewId: randomUUID() },
      raised: { ...blocked, exceptionId: randomUUID(), stepId: null },
    };
    await append(workOrderStream(id), WorkOrderEvents.ActionDecided, older.wait, 'agent');
    await append(workOrderStream(id), WorkOrderEvents.GateRequested, older.gate, 'agent');
    await append(workOrderStream(id), WorkOrderEvents.StepBlocked, older.blocked, 'agent');
    await append(workOrderStream(id), WorkOrderEvents.BreakGlassUsed, older.used, 'agent');
    await append(workOrderStream(id), WorkOrderEvents.ExceptionRaised, older.raised, 'source:helpdesk');
    const blockedId = randomUUID();
    const prerequisite = randomUUID();
    const blockedOpening: WorkOrderOpenedData = {
      ...firstOfType(recorded, WorkOrderEvents.Opened).data,
      workOrderId: blockedId,
      externalRef: 'UP-2',
      status: 'blocked',
      exceptions: [
        {
          exceptionId: prerequisite,
          code: 'PREREQ_MISSING',
          owner: 'intake-lead',
          dueAt: new Date(Date.now() + 3_600_000).toISOString(),
          stepId: null,
          rationale: 'orderPaid must be true',
        },
      ],
    };
    await append(workOrderStream(blockedId), WorkOrderEvents.Opened, blockedOpening, 'source:helpdesk');

    // The upgrade: this version starts on that ledger.
    await t.restart();
    clients();
    const got = (path: string) =>
      eventually(async () => ((await as['ops-lead']('GET', path)).status === 200 ? true : undefined), 15_000, path);
    await got(`/v1/approvals/${older.wait.approvalId}`);
    expect(
      (await as['support-lead']<ApprovalView>('GET', `/v1/approvals/${older.wait.approvalId}`)).body,
    ).toMatchObject({
      status: 'requested',
      owner: 'support-lead',
      actionId: older.wait.actionId,
    });
    await got(`/v1/approvals/${older.gate.approvalId}`);
    for (const exceptionId of [
      older.blocked.exceptionId,
      older.used.exceptionId,
      older.raised.exceptionId,
      prerequisite,
    ]) {
      await eventually(
        async () => ((await as.agent('GET', `/v1/exceptions/${exceptionId}`)).status === 200 ? true : undefined),
        15_000,
        `exception ${exceptionId}`,
      );
    }
    expect((await as.agent<ExceptionView>('GET', `/v1/exceptions/${prerequisite}`)).body).toMatchObject({
      code: 'PREREQ_MISSING',
      workOrderId: blockedId,
    });
    await got(`/v1/post-reviews/${older.used.postReviewId}`);
    expect(
      (await as['ops-lead']<PostReviewView>('GET', `/v1/post-reviews/${older.used.postReviewId}`)).body,
    ).toMatchObject({
      status: 'due',
      exceptionId: older.used.exceptionId,
      reviewer: 'support-lead',
    });
    await eventually(
      async () => {
        for (const [durable] of RETIRED) if (await consumerExists(durable)) return undefined;
        return true;
      },
      20_000,
      'the retired consumers deleted',
    );
    for (const durable of STARTING) expect(await consumerExists(durable)).toBe(true);
    // What this version started itself was not started twice.
    const approvals = await t.db
      .appPool()
      .query(
        `SELECT stream_id, count(*)::int AS n FROM ledger_events WHERE type = 'ApprovalRequested' GROUP BY stream_id HAVING count(*) > 1`,
      );
    expect(approvals.rows).toEqual([]);
  });
  /** The policy service's consumers of every approval's outcome, which an earlier version kept (docs/ledger.md, Who writes which stream). */
  const OUTCOME_CONSUMERS = ['ApprovalGranted', 'ApprovalRejected', 'ApprovalExpired', 'ApprovalWithdrawn'];

  it("settles a change whose approval an earlier version decided, and deletes that version's consumers of every outcome", async () => {
    for (const type of OUTCOME_CONSUMERS) expect(await consumerExists(`policy-change-${type}`)).toBe(false);
    expect(await consumerExists('policy-change-settled')).toBe(true);

    expect((await as['change-admin']('POST', '/v1/workflows', v1)).status).toBe(201);
    const change = requested((await as['change-admin']('POST', '/v1/workflows', withWrites(2, ['order.note']))).body);
    const approval = (await as['wc-lead']<ApprovalView>('GET', `/v1/approvals/${change.approvalId}`)).body;

    // What an earlier version left: its consumers, and the approval granted with nothing beside it.
    const jsm = await t.nc.jetstreamManager();
    for (const type of OUTCOME_CONSUMERS)
      await jsm.consumers.add(Streams.ledger.name, {
        durable_name: `policy-change-${type}`,
        ack_policy: AckPolicy.Explicit,
        filter_subject: `ledger.approval.${type}`,
      });
    await append(
      `approval-${change.approvalId}`,
      'ApprovalGranted',
      {
        approvalId: change.approvalId,
        decidedBy: 'wc-lead',
        at: new Date().toISOString(),
        permittedAction: approval.requestedAction,
      },
      'wc-lead',
    );
    await t.restart();
    clients();

    await eventually(
      async () =>
        (await as['change-admin']<WorkflowVersion>('GET', '/v1/workflows/wc-desk')).body.version === 2
          ? true
          : undefined,
      15_000,
      'the change published',
    );
    await eventually(
      async () => {
        for (const type of OUTCOME_CONSUMERS) if (await consumerExists(`policy-change-${type}`)) return undefined;
        return true;
      },
      20_000,
      "the earlier version's consumers deleted",
    );
    expect(await consumerExists('policy-change-settled')).toBe(true);
  });
});
