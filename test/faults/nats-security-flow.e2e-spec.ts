import { headers as natsHeaders } from 'nats';
import { Streams } from '@workgate/contracts';
import type {
  ActionAnswer,
  ApprovalView,
  DelegationAnswer,
  ExceptionView,
  InboxMessage,
  OpenedAnswer,
  SignedCheckpoint,
  StatusAnswer,
  StepAnswer,
  WorkOrderHandoff,
  WorkOrderListItem,
  WorkflowChangeRequested,
  WorkflowDraft,
  WorkflowVersion,
} from '@workgate/contracts';
import { defined } from '../support/answers';
import { enc, KEPT, natsSecurityRig, RETIRED } from './nats-security-rig';

/**
 * deploy/nats.conf exactly as shipped, on a scratch nats-server (test/faults/nats-security-rig.ts):
 * every service runs as its own process under its own NATS user, a work order goes through end to
 * end, a workflow changes and the earlier versions' consumers retire, all with no permission
 * violation. What each user is refused: test/faults/nats-security-refusals.e2e-spec.ts.
 */
describe('NATS security: deploy/nats.conf runs workgate', () => {
  const rig = natsSecurityRig();
  const { until, violations, outputs, probe } = rig;

  it('runs every service under its own user: work orders open, decisions, approvals and exceptions come back, with no violation', async () => {
    const steps = ['inspect-case', 'validate-address', 'update-order', 'notify-warehouse', 'confirm-customer'];
    const refund = { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1001'] };

    const opened = await rig.as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: 'SEC-1',
      source: 'helpdesk',
      inputs: { caseId: 'C-1', orderId: '1001', orderPaid: true },
    });
    expect(opened).toMatchObject({ status: 201, body: { status: 'open' } });
    const id = opened.body.id;

    const run = await rig.as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      system: 'shop',
      operation: 'order.note',
      kind: 'write',
      objects: ['order:1001', 'customer:77', 'address:1001'],
      facts: { orderFulfilled: false, addressValidated: true },
    });
    expect(run).toMatchObject({ status: 201, body: { decision: 'run', receiptId: expect.any(String) } });
    expect(await rig.as.agent('GET', `/v1/receipts/${run.body.receiptId}`)).toMatchObject({
      status: 200,
      body: { decision: 'run' },
    });
    const stop = await rig.as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      system: 'crm',
      operation: 'contact.update',
      kind: 'write',
    });
    expect(stop).toMatchObject({ status: 201, body: { decision: 'stop', reason: 'system_not_named' } });

    // An exception: raised by the exceptions service from the ledger, resolved through the gateway.
    const blocked = await rig.as.agent<StepAnswer>('POST', `/v1/work-orders/${id}/steps/confirm-customer/block`, {
      code: 'CUSTOMER_UNREACHABLE',
      rationale: 'no answer',
    });
    const exceptionId = defined(blocked.body?.exception?.exceptionId, 'exception id');
    expect(exceptionId).toEqual(expect.any(String));
    await until(
      async () => (await rig.as.agent('GET', `/v1/exceptions/${exceptionId}`)).status === 200,
      20_000,
      'the exception to be raised',
    );
    expect(
      await rig.as.agent<ExceptionView>('POST', `/v1/exceptions/${exceptionId}/resolve`, {
        resolution: 'reached by email',
        evidence: [{ kind: 'email', ref: 'm-1' }],
      }),
    ).toMatchObject({
      status: 200,
      body: { status: 'resolved' },
    });
    // Committed with its effect on the work order, through intake: the resolver's next read has it.
    expect((await rig.as.agent<WorkOrderHandoff>('GET', `/v1/work-orders/${id}`)).body.openExceptions).toEqual([]);

    // A wait: the approvals service opens it from the ledger; the owner's approval reaches intake.
    for (const step of steps)
      expect(
        (
          await rig.as.agent<StepAnswer>('POST', `/v1/work-orders/${id}/steps/${step}/complete`, {
            evidence: [{ kind: 'receipt', ref: step }],
          })
        ).status,
      ).toBe(200);
    const wait = await rig.as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      ...refund,
      facts: { amount: 40 },
    });
    expect(wait).toMatchObject({
      status: 201,
      body: { decision: 'wait', decisionOwner: 'support-lead', approvalId: expect.any(String) },
    });
    const approvalId = defined(wait.body.approvalId, 'approval id');
    await until(
      async () => (await rig.as['support-lead']('GET', `/v1/approvals/${approvalId}`)).status === 200,
      20_000,
      'the approval to open',
    );
    expect(
      await rig.as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
        decision: 'approve',
        permittedAction: refund,
      }),
    ).toMatchObject({
      status: 200,
      body: { status: 'approved' },
    });
    const closed = await until(
      async () => {
        const r = await rig.as.agent<StatusAnswer>('POST', `/v1/work-orders/${id}/close`, {
          closureEvidenceId: 'CE-1',
          evidence: [{ kind: 'closure-note', ref: 'n' }],
        });
        return r.status === 200 ? r : undefined;
      },
      20_000,
      'closure once intake learned the approval and the resolution',
    );
    expect(closed.body).toMatchObject({ id, status: 'closed' });

    // An integrator's CloudEvent over JetStream: acked, then opened by intake.
    const h = natsHeaders();
    h.set('Content-Type', 'application/cloudevents+json');
    const event = {
      specversion: '1.0',
      id: 'sec-e1',
      source: 'crm',
      type: 'workgate.workorder.open',
      subject: 'SEC-JS-1',
      data: { jobType: 'support-recovery', inputs: { caseId: 'C-2', orderId: '2', orderPaid: true } },
    };
    const ack = await (
      await probe('integrator')
    )
      .jetstream()
      .publish('workgate.events.crm', enc.encode(JSON.stringify(event)), { msgID: 'crm:sec-e1', headers: h });
    expect(ack).toMatchObject({ stream: 'WORK_EVENTS', duplicate: false });
    const listed = await until(
      async () => {
        const r = await rig.as.lead<WorkOrderListItem[]>('GET', '/v1/work-orders?externalRef=SEC-JS-1');
        return r.body?.length ? r : undefined;
      },
      20_000,
      'intake to open the published work order',
    );
    expect(listed.body[0]).toMatchObject({ source: 'crm', externalRef: 'SEC-JS-1', status: 'open' });

    // A delegation: approvals writes the delegate's INBOX stream and reads it back.
    const delegated = await rig.as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'agent-delegation',
      externalRef: 'SEC-DL-1',
      source: 'helpdesk',
      inputs: { objective: 'x', repository: 'r' },
    });
    expect(delegated.status).toBe(201);
    const prompt = {
      objective: 'Fix the flaky test',
      scope: 'libs/messaging only',
      artifacts: [{ path: 'notes/retry.md', access: 'read' }],
      verification: ['npm test'],
      completion: 'stop and wait',
    };
    const dispatched = await rig.as.agent<DelegationAnswer>(
      'POST',
      `/v1/work-orders/${delegated.body.id}/delegations`,
      {
        recipient: 'agent-x',
        command: 'delegate_task',
        prompt,
      },
    );
    expect(dispatched).toMatchObject({ status: 201, body: { dispatchId: expect.any(String) } });
    const inbox = await until(
      async () => {
        const r = await rig.as.agent<InboxMessage[]>('GET', '/v1/inbox/agent-x?box=inbox&filter=delegate_task');
        return r.body?.length ? r : undefined;
      },
      20_000,
      'the inbox delivery',
    );
    expect(inbox.body[0]).toMatchObject({ dispatchId: dispatched.body.dispatchId, command: 'delegate_task' });

    const dispatchId = dispatched.body.dispatchId;
    expect(await rig.as.agent('GET', `/v1/delegations/${dispatchId}`)).toMatchObject({
      status: 200,
      body: { dispatchId },
    });
    expect(await rig.as.agent('POST', `/v1/delegations/${dispatchId}/confirm`, { note: 'verified' })).toMatchObject({
      status: 200,
      body: { status: 'confirmed' },
    });

    // The gateway's reads, one per service subject it calls.
    for (const path of [
      `/v1/work-orders/${id}`,
      `/v1/work-orders/${id}/events`,
      `/v1/work-orders/${id}/delivery`,
      '/v1/intake/rejections',
      '/v1/workflows',
      '/v1/workflows/support-recovery',
      '/v1/patterns',
      '/v1/patterns/governed-checklist',
      '/v1/patterns/governed-checklist/derived',
      '/v1/exception-codes',
      `/v1/approvals/${approvalId}`,
      '/v1/approvals?owner=support-lead',
      `/v1/exceptions/${exceptionId}`,
      '/v1/ledger/events',
      '/v1/ledger/verify',
      '/v1/views/closures',
    ]) {
      expect({ path, status: (await rig.as.lead('GET', path)).status }).toEqual({ path, status: 200 });
    }
    const checkpoint = await rig.as.lead<SignedCheckpoint>('GET', '/v1/ledger/checkpoint');
    expect(checkpoint.status).toBe(200);
    expect(await rig.as.lead('POST', '/v1/ledger/verify', { checkpoint: checkpoint.body })).toMatchObject({
      status: 200,
      body: { ok: true },
    });
    // Started again, the ledger reads that checkpoint back from CHECKPOINTS before it writes (docs/ledger.md, Signed commits).
    await rig.restartLedger();
    await until(async () => (await fetch(`${rig.baseUrl}/health`)).status === 200, 30_000, '/health after the restart');

    expect((await fetch(`${rig.baseUrl}/health`)).status).toBe(200);
    expect(violations()).toEqual([]);
    expect(outputs()).not.toMatch(/Permissions Violation|Authorization Violation/i);
  });

  it("changes a workflow under the services' own users: a draft, a widening proposal, the owner's approval", async () => {
    const v1 = {
      jobType: 'sec-change',
      version: 1,
      title: 'Security change',
      owner: 'support-lead',
      systems: [{ name: 'shop', read: true, write: [] }],
    };
    expect((await rig.as.lead('POST', '/v1/workflows', v1)).status).toBe(201);
    const draft = await rig.as.lead<WorkflowDraft>('POST', '/v1/workflows/sec-change/drafts', {
      ...v1,
      version: 2,
      systems: [{ name: 'shop', read: true, write: ['order.note'] }],
    });
    expect(draft).toMatchObject({ status: 201, body: { problems: [], diff: { widens: true } } });
    const proposed = await rig.as.lead<WorkflowChangeRequested>(
      'POST',
      `/v1/workflows/sec-change/drafts/${draft.body.draftId}/propose`,
    );
    expect(proposed).toMatchObject({ status: 202, body: { owner: 'support-lead', status: 'requested' } });
    expect(
      await rig.as['support-lead']('POST', `/v1/approvals/${proposed.body.approvalId}/decision`, {
        decision: 'approve',
      }),
    ).toMatchObject({ status: 200, body: { status: 'approved' } });
    expect((await rig.as.lead<WorkflowVersion>('GET', '/v1/workflows/sec-change')).body.version).toBe(2);
    expect(violations()).toEqual([]);
  });

  it('retires the consumers earlier versions left under their own permissions (run until drained, then deleted) and keeps the starting ones', async () => {
    for (const [user, durable] of RETIRED) {
      const jsm = await (await probe(user)).jetstreamManager();
      await until(
        async () =>
          !(await jsm.consumers.info(Streams.ledger.name, durable).then(
            () => true,
            () => false,
          )),
        20_000,
        `${durable} to be retired`,
      );
    }
    // The consumers this version keeps run under the same permissions, and stay.
    for (const [user, durable] of KEPT) {
      const jsm = await (await probe(user)).jetstreamManager();
      expect((await jsm.consumers.info(Streams.ledger.name, durable)).config.durable_name).toBe(durable);
    }
    expect(violations()).toEqual([]);
  });
});
