import { randomUUID } from 'node:crypto';
import { AppendRequest, ReadStreamResult, RequestActionBody, Subjects, WorkOrderCommand, WorkOrderCommandRequest, workOrderStream } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { WorkOrdersService, workOrderIdFor } from '../apps/intake/work-orders.service';
import { startTestWorkgate, TestWorkgate } from './support/workgate';

const SOURCE = 'helpdesk';

/** Requests over NATS to the running services, keeping every append that reaches the ledger. */
class CountingRpc extends RpcClient {
  readonly appends: AppendRequest[][] = [];

  override request<T>(subject: string, payload: unknown, options?: { timeoutMs?: number }): Promise<T> {
    if (subject === Subjects.ledger.appendBatch) this.appends.push((payload as { items: AppendRequest[] }).items);
    return super.request<T>(subject, payload, options);
  }
}

/**
 * A work order's consecutive commands (as intake gets them in one batch) are decided in order on
 * the state the ones before leave, and recorded in one append; a refusal is never decided on what
 * is not yet recorded. Against the real ledger and policy over NATS.
 */
describe('work-order commands run in order', () => {
  let t: TestWorkgate;
  let rpc: CountingRpc;
  let service: WorkOrdersService;

  beforeAll(async () => {
    t = await startTestWorkgate();
    rpc = new CountingRpc(t.nc, 5000, false);
    service = new WorkOrdersService(rpc, t.nc);
  });
  afterAll(async () => {
    service?.onApplicationShutdown();
    await t?.close();
  });
  beforeEach(() => rpc.appends.splice(0));

  const request = (ref: string, command: WorkOrderCommand): WorkOrderCommandRequest => ({
    address: { source: SOURCE, externalRef: ref },
    command,
    meta: { commandId: randomUUID(), actor: `source:${SOURCE}`, now: new Date().toISOString(), channel: SOURCE },
  });
  const open = (ref: string) => request(ref, { type: 'open', body: { jobType: 'support-recovery', inputs: { caseId: ref, orderId: '1', orderPaid: true }, source: SOURCE, externalRef: ref } });
  const act = (ref: string, body: RequestActionBody) => request(ref, { type: 'request-action', body });
  const note: RequestActionBody = { system: 'shop', operation: 'order.note', kind: 'write', objects: ['order:1'], facts: { orderFulfilled: false, addressValidated: true } };
  const refund: RequestActionBody = { system: 'payments', operation: 'refund', kind: 'write', facts: { amount: 20 } };
  const types = async (ref: string) =>
    (await rpc.request<ReadStreamResult>(Subjects.ledger.readStream, { streamId: workOrderStream(workOrderIdFor(SOURCE, ref)) })).events.map((e) => e.type);

  it('decides an open and its actions together and records them in one append', async () => {
    const ref = 'IN-ORDER-1';
    const { answers, error } = await service.executeInOrder(workOrderIdFor(SOURCE, ref), [open(ref), act(ref, note), act(ref, refund)]);

    expect(error).toBeUndefined();
    expect(answers).toEqual([
      expect.objectContaining({ status: 'open' }),
      expect.objectContaining({ decision: 'run', rule: 'address-fix-before-cutoff' }),
      expect.objectContaining({ decision: 'wait', approvalId: expect.any(String) }),
    ]);
    expect(rpc.appends).toHaveLength(1);
    expect(rpc.appends[0]).toHaveLength(1);
    expect(await types(ref)).toEqual(['WorkOrderOpened', 'ActionDecided', 'GateRequested', 'ActionDecided']);
  });

  it('records the commands before a refusal, decides the refused one again on what is recorded, and runs none after it', async () => {
    const ref = 'IN-ORDER-2';
    const close = request(ref, { type: 'close', body: { closureEvidenceId: '', evidence: [] } } as WorkOrderCommand);
    const { answers, error } = await service.executeInOrder(workOrderIdFor(SOURCE, ref), [open(ref), close, act(ref, note)]);

    expect(answers).toEqual([expect.objectContaining({ status: 'open' })]);
    expect(error).toMatchObject({ code: 'closure_evidence_required' });
    // The open alone, then nothing: the refusal was decided on the recorded work order.
    expect(rpc.appends.flat().map((a) => a.events.map((e) => e.type))).toEqual([['WorkOrderOpened']]);
    expect(await types(ref)).toEqual(['WorkOrderOpened']);
  });

  it('answers a repeated batch as the first time and records nothing new', async () => {
    const ref = 'IN-ORDER-3';
    const batch = [open(ref), act(ref, note)];
    const first = await service.executeInOrder(workOrderIdFor(SOURCE, ref), batch);
    // Another instance (no cache) gets the same messages again.
    const again = await new WorkOrdersService(rpc, t.nc).executeInOrder(workOrderIdFor(SOURCE, ref), batch);

    expect(again).toEqual(first);
    expect(await types(ref)).toEqual(['WorkOrderOpened', 'ActionDecided']);
  });

  it('fails the first command alone when it cannot run', async () => {
    const ref = 'IN-ORDER-4';
    const { answers, error } = await service.executeInOrder(workOrderIdFor(SOURCE, ref), [act(ref, note), open(ref)]);

    expect(answers).toEqual([]);
    expect(error).toMatchObject({ code: 'not_found' });
    expect(rpc.appends).toHaveLength(0);
  });
});
