import type {
  ActionAnswer,
  ApprovalView,
  OpenedAnswer,
  WorkOrderAnswer,
  WorkOrderHandoff,
  WorkOrderListItem,
} from '@workgate/contracts';
import { IntakeInProcess, LedgerHeaders, Subjects } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { commandMeta, sendCommandInProcess } from '../apps/gateway/routes/command';
import { eventually } from './support/processes';
import { clientsFor, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import { defined } from './support/answers';
import { checked, isString, recordOf, shaped } from './support/guards';

/**
 * Intake on the ledger's thread (WORKGATE_INTAKE_THREAD=on): the main thread serves HTTP and
 * reaches intake through the thread's routes, intake reaches policy through the main thread's. The
 * API keeps its guarantees: a caller reads its own writes, an Idempotency-Key writes once; the MCP
 * gateway is still told each decision before its commit's reply.
 */
describe('workgate with intake on the ledger thread', () => {
  let t: TestWorkgate;
  const principals = writePrincipals({
    helpdesk: ['integrator'],
    agent: ['operator'],
    'support-lead': ['approver'],
  });
  let as: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    t = await startTestWorkgate({
      env: { WORKGATE_PRINCIPALS: principals.path },
      ledgerThread: true,
      intakeThread: true,
      sources: true,
    });
    as = clientsFor(t.url, principals.keys);
  });
  afterAll(() => t?.close());

  const open = (externalRef: string) =>
    as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef,
      source: 'helpdesk',
      inputs: { caseId: externalRef, orderId: '1001', orderPaid: true },
    });
  const decidedActions = async (id: string) =>
    (
      await t.db
        .appPool()
        .query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ledger_events WHERE stream_id = $1 AND type = 'ActionDecided'`,
          [`workorder-${id}`],
        )
    ).rows[0].n;

  it('answers /health with every service up, intake among them', async () => {
    const health = await eventually(
      async () => {
        const res = await fetch(`${t.url}/health`);
        return res.status === 200
          ? checked(await res.json(), shaped({ info: recordOf(shaped({ status: isString })) }), 'the health report')
          : undefined;
      },
      10_000,
      'every service up',
    );
    for (const service of ['gateway', 'intake', 'policy', 'approvals', 'ledger', 'exceptions'])
      expect(health.info[service]?.status).toBe('up');
  });

  it('opens, decides and reads back its own writes at once, with the position of each commit', async () => {
    const opened = await open('IT-1');
    expect(opened).toMatchObject({ status: 201, body: { status: 'open' } });
    const openedAt = Number(opened.headers.get(LedgerHeaders.position));
    expect(openedAt).toBeGreaterThan(0);
    const id = opened.body.id;
    const action = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      system: 'shop',
      operation: 'order.read',
      kind: 'read',
    });
    expect(action).toMatchObject({ status: 201, body: { decision: 'run' } });
    expect(Number(action.headers.get(LedgerHeaders.position))).toBeGreaterThan(openedAt);
    expect(await decidedActions(id)).toBe(1);
    // The list is a view the ledger thread projects: the caller's own open is in it at once.
    const listed = await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?source=helpdesk&externalRef=IT-1');
    expect(listed.body.map((w) => w.id)).toEqual([id]);
    const read = await as.agent<WorkOrderHandoff>('GET', `/v1/work-orders/${id}`);
    expect(read).toMatchObject({ status: 200, body: { id, status: 'open', jobType: 'support-recovery' } });
  });

  it('answers a replayed Idempotency-Key with the first answer and writes once', async () => {
    const { body } = await open('IT-2');
    const request = { system: 'shop', operation: 'customer.reply', kind: 'write' };
    const headers = { 'Idempotency-Key': 'it-reply-1' };
    const first = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${body.id}/actions`, request, headers);
    const again = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${body.id}/actions`, request, headers);
    expect(first.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(await decidedActions(body.id)).toBe(1);
  });

  it("takes an approver's decision from the main thread to the work order on intake's thread", async () => {
    const { body } = await open('IT-3');
    const refund = { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1001'] };
    const wait = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${body.id}/actions`, {
      ...refund,
      facts: { amount: 40 },
    });
    expect(wait.body).toMatchObject({ decision: 'wait', approvalId: expect.any(String) });
    const approvalId = defined(wait.body.approvalId, 'the approval the action waits for');
    await eventually(
      async () => (await as['support-lead']('GET', `/v1/approvals/${approvalId}`)).status === 200,
      10_000,
      'the approval to open',
    );
    const approved = await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
      decision: 'approve',
      permittedAction: refund,
    });
    expect(approved).toMatchObject({ status: 200, body: { status: 'approved' } });
    const position = approved.headers.get(LedgerHeaders.position);
    expect(position).toMatch(/^\d+$/);
    const read = await as.helpdesk<WorkOrderHandoff>('GET', `/v1/work-orders/${body.id}`, undefined, {
      'Workgate-Min-Position': position!,
    });
    expect(read.status).toBe(200);
    expect(Object.values(read.body.approvals)).toEqual(['approved']);
    expect(read.body.pendingApprovals).toEqual([]);
  });

  it("reads a work order by id as the handoff's JSON text from intake's thread, the same text intake's NATS route serializes to", async () => {
    const { body } = await open('IT-5');
    const request = { workOrderId: body.id };
    const inProcess = new RpcClient(t.nc, 5000);
    expect(inProcess.answersInProcess(IntakeInProcess.handoffText.subject)).toBe(true);
    const text = await inProcess.request(IntakeInProcess.handoffText, request);
    expect(typeof text).toBe('string');
    // Over NATS: the object, as a gateway in another process gets it.
    const overNats = await new RpcClient(t.nc, 5000, false).request(Subjects.intake.get, request);
    expect(JSON.parse(text)).toEqual(overNats);
    expect(overNats).toMatchObject({ id: body.id, status: 'open', jobType: 'support-recovery' });
    const read = await fetch(`${t.url}/v1/work-orders/${body.id}`, {
      headers: { Authorization: `Bearer ${principals.keys.agent}` },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await read.text()).toBe(text);
    // An unknown stage is refused on intake's thread, as over NATS.
    await expect(inProcess.request(IntakeInProcess.handoffText, { ...request, stage: 'nope' })).rejects.toMatchObject({
      code: 'unknown_stage',
    });
  });

  it("tells the main thread's in-process caller (the MCP gateway) each decision before the commit's reply, and the reply carries the same", async () => {
    const { body } = await open('IT-4');
    // The gateway's own client, as the MCP gateway sends its commands.
    const rpc = new RpcClient(t.nc, 5000);
    expect(rpc.answersInProcess(IntakeInProcess.commandDecided.subject)).toBe(true);
    const heard: Array<[string, WorkOrderAnswer]> = [];
    const reply = await sendCommandInProcess(
      rpc,
      body.id,
      { type: 'RequestAction', body: { system: 'shop', operation: 'order.read', kind: 'read' } },
      commandMeta({ id: 'agent', roles: ['operator'] }, undefined),
      (answer) => heard.push(['told', answer]),
    );
    heard.push(['reply', reply.answer]);
    expect(heard.map(([what]) => what)).toEqual(['told', 'reply']);
    expect(heard[0][1]).toMatchObject({ decision: 'run' });
    expect(heard[0][1]).toEqual(heard[1][1]);
    expect(reply.position).toBeGreaterThan(0);
    expect(await decidedActions(body.id)).toBe(1);
  });
});
