import { randomUUID } from 'node:crypto';
import {
  ActionAnswer,
  BatchRequest,
  BreakGlassAnswer,
  CommitRequest,
  DelegationAnswer,
  OpenedAnswer,
  ReadStreamRequest,
  ReadStreamResult,
  RequestActionDto,
  RpcContract,
  Subjects,
  WorkOrderCommand,
  WorkgateError,
  WorkOrderCommandRequest,
  workOrderStream,
} from '@workgate/contracts';
import { NoticeBus, RpcClient } from '@workgate/messaging';
import { startTestWorkgate, TestWorkgate } from '../../test/support/workgate';
import { WorkflowVersions } from './workflow-versions';
import { WorkOrdersService, workOrderIdFor } from './work-orders.service';

const SOURCE = 'helpdesk';

/** Requests over NATS to the running services, keeping every commit that reaches the ledger. */
class CountingRpc extends RpcClient {
  readonly commits: CommitRequest[][] = [];
  /** The stream reads of each request on read-stream-batch. */
  readonly readBatches: ReadStreamRequest[][] = [];

  override request<Req, Res>(
    contract: RpcContract<Req, Res>,
    payload: Req,
    options?: { timeoutMs?: number },
  ): Promise<Res> {
    if (contract.subject === Subjects.ledger.appendBatch.subject)
      this.commits.push((payload as BatchRequest<CommitRequest>).items);
    return super.request(contract, payload, options);
  }

  override requestEncoded<Req, Res>(
    contract: RpcContract<Req, Res>,
    bytes: Uint8Array,
    options?: { timeoutMs?: number },
  ): Promise<Res> {
    if (contract.subject === Subjects.ledger.readStreamBatch.subject)
      this.readBatches.push((JSON.parse(Buffer.from(bytes).toString()) as BatchRequest<ReadStreamRequest>).items);
    if (contract.subject === Subjects.ledger.appendBatch.subject)
      this.commits.push((JSON.parse(Buffer.from(bytes).toString()) as BatchRequest<CommitRequest>).items);
    return super.requestEncoded(contract, bytes, options);
  }
}

/**
 * The work-order service against the real ledger, policy and exceptions services over NATS (no
 * intake, no gateway): each command decided once over the workflow version its work order runs
 * on, its events and the streams it starts committed together, consecutive commands in order.
 */
describe('WorkOrdersService (real Postgres and NATS)', () => {
  let t: TestWorkgate;
  let rpc: CountingRpc;
  let workflows: WorkflowVersions;
  let service: WorkOrdersService;

  beforeAll(async () => {
    t = await startTestWorkgate({ without: ['intake', 'gateway', 'approvals'] });
    rpc = new CountingRpc(t.nc, 5000, false);
    workflows = new WorkflowVersions(rpc, new NoticeBus(t.nc));
    service = new WorkOrdersService(rpc, workflows);
  });
  afterAll(async () => {
    workflows?.onApplicationShutdown();
    await t?.close();
  });
  beforeEach(() => rpc.commits.splice(0));

  const request = (ref: string, command: WorkOrderCommand, actor = `source:${SOURCE}`): WorkOrderCommandRequest => ({
    address: { source: SOURCE, externalRef: ref },
    command,
    meta: { commandId: randomUUID(), actor, now: new Date().toISOString(), channel: SOURCE },
  });
  const open = (ref: string, inputs: Record<string, unknown> = { caseId: ref, orderId: '1', orderPaid: true }) =>
    request(ref, {
      type: 'OpenWorkOrder',
      body: { jobType: 'support-recovery', inputs, source: SOURCE, externalRef: ref },
    });
  const act = (ref: string, body: RequestActionDto) => request(ref, { type: 'RequestAction', body });
  const note: RequestActionDto = {
    system: 'shop',
    operation: 'order.note',
    kind: 'write',
    objects: ['order:1'],
    facts: { orderFulfilled: false, addressValidated: true },
  };
  const refund: RequestActionDto = { system: 'payments', operation: 'refund', kind: 'write', facts: { amount: 20 } };
  const read: RequestActionDto = { system: 'shop', operation: 'order', kind: 'read' };
  const stream = (streamId: string) => rpc.request(Subjects.ledger.readStream, { streamId });
  const types = async (ref: string) =>
    (await stream(workOrderStream(workOrderIdFor(SOURCE, ref)))).events.map((e) => e.type);
  const idOf = (ref: string) => workOrderIdFor(SOURCE, ref);

  it('decides an open and its actions together; a wait and its approval commit together, and the answer carries the position', async () => {
    const ref = 'WOS-1';
    const { replies, error } = await service.executeInOrder(idOf(ref), [open(ref), act(ref, note), act(ref, refund)]);

    expect(error).toBeUndefined();
    expect(replies.map((r) => r.answer)).toEqual([
      expect.objectContaining({ status: 'open' }),
      expect.objectContaining({ decision: 'run', rule: 'address-fix-before-cutoff' }),
      expect.objectContaining({ decision: 'wait', approvalId: expect.any(String) }),
    ]);
    // One commit: the work order's events and the approval's stream.
    expect(rpc.commits.flat()).toHaveLength(1);
    const [commit] = rpc.commits.flat();
    const approvalId = (replies[2].answer as ActionAnswer).approvalId!;
    expect(commit.appends.map((a) => [a.streamId, a.expectedVersion, a.events.map((e) => e.type)])).toEqual([
      [workOrderStream(idOf(ref)), 'no_stream', ['WorkOrderOpened', 'ActionDecided', 'GateRequested', 'ActionDecided']],
      [`approval-${approvalId}`, 'no_stream', ['ApprovalRequested']],
    ]);
    const approval = await stream(`approval-${approvalId}`);
    expect(approval.events[0]).toMatchObject({
      type: 'ApprovalRequested',
      data: {
        approvalId,
        owner: 'support-lead',
        requestedBy: `source:${SOURCE}`,
        kind: 'refunds-and-credits-need-owner',
      },
    });
    expect(new Set(replies.map((r) => r.position))).toEqual(new Set([approval.events[0].position]));
  });

  it('records the commands before a refusal, decides the refused one again on what is recorded, and runs none after it', async () => {
    const ref = 'WOS-2';
    const close = request(ref, { type: 'CloseWorkOrder', body: { closureEvidenceId: '', evidence: [] } });
    const { replies, error } = await service.executeInOrder(idOf(ref), [open(ref), close, act(ref, note)]);

    expect(replies.map((r) => r.answer)).toEqual([expect.objectContaining({ status: 'open' })]);
    expect(error).toMatchObject({ code: 'closure_evidence_required' });
    expect(rpc.commits.flat().map((c) => c.appends.map((a) => a.events.map((e) => e.type)))).toEqual([
      [['WorkOrderOpened']],
    ]);
    expect(await types(ref)).toEqual(['WorkOrderOpened']);
  });

  it('answers a repeated batch as the first time, from another instance too, and records nothing new', async () => {
    const ref = 'WOS-3';
    const batch = [open(ref), act(ref, note)];
    const first = await service.executeInOrder(idOf(ref), batch);
    const again = await new WorkOrdersService(rpc, workflows).executeInOrder(idOf(ref), batch);

    expect(again).toEqual(first);
    expect(await types(ref)).toEqual(['WorkOrderOpened', 'ActionDecided']);
  });

  it('fails the first command alone when it cannot run', async () => {
    const ref = 'WOS-4';
    const { replies, error } = await service.executeInOrder(idOf(ref), [act(ref, note), open(ref)]);

    expect(replies).toEqual([]);
    expect(error).toMatchObject({ code: 'not_found' });
    expect(rpc.commits).toHaveLength(0);
  });

  it('records commands of independent callers that wait for one work order together, each answered (or refused) alone', async () => {
    const ref = 'WOS-10';
    await service.execute(open(ref));
    rpc.commits.splice(0);
    const closeEarly = request(ref, { type: 'CloseWorkOrder', body: { closureEvidenceId: '', evidence: [] } });
    // Ten callers in one turn of the event loop: all wait for the work order's turn together.
    const calls = [
      act(ref, read),
      ...Array.from({ length: 4 }, () => act(ref, note)),
      closeEarly,
      ...Array.from({ length: 4 }, () => act(ref, read)),
    ].map((req) => service.execute(req));
    const settled = await Promise.allSettled(calls);

    expect(
      settled.map((s) =>
        s.status === 'fulfilled' ? (s.value.answer as ActionAnswer).decision : (s.reason as { code: string }).code,
      ),
    ).toEqual(['run', 'run', 'run', 'run', 'run', 'closure_evidence_required', 'run', 'run', 'run', 'run']);
    // The five before the refusal together, the four after it together: two commits, not nine.
    expect(rpc.commits.flat().map((c) => c.appends[0].events.length)).toEqual([5, 4]);
    expect((await types(ref)).filter((type) => type === 'ActionDecided')).toHaveLength(9);
  });

  it('tells a caller its answer once decided, before the commit, and replies with the same answer after it; a caller that throws changes nothing', async () => {
    const ref = 'WOS-11';
    await service.execute(open(ref));
    rpc.commits.splice(0);
    const told: Array<{ answer: unknown; commitsSent: number }> = [];
    const reply = await service.execute(act(ref, read), undefined, (answer) =>
      told.push({ answer, commitsSent: rpc.commits.length }),
    );

    expect(told).toEqual([{ answer: reply.answer, commitsSent: 0 }]);
    expect((reply.answer as ActionAnswer).decision).toBe('run');
    expect(rpc.commits).toHaveLength(1);

    const after = await service.execute(act(ref, note), undefined, () => {
      throw new Error('the caller failed');
    });
    expect((after.answer as ActionAnswer).decision).toBe('run');
    expect((await types(ref)).filter((type) => type === 'ActionDecided')).toHaveLength(2);
  });

  it('tells each of several callers waiting for one work order its own answer, and none the refused one', async () => {
    const ref = 'WOS-12';
    await service.execute(open(ref));
    const closeEarly = request(ref, { type: 'CloseWorkOrder', body: { closureEvidenceId: '', evidence: [] } });
    const reqs = [act(ref, read), act(ref, note), closeEarly, act(ref, refund), act(ref, read)];
    const told: unknown[][] = reqs.map(() => []);
    // One turn of the event loop: they wait together; the close is refused on the state the ones before it leave.
    const settled = await Promise.allSettled(
      reqs.map((req, i) => service.execute(req, undefined, (answer) => told[i].push(answer))),
    );

    expect(
      settled.map((s) =>
        s.status === 'fulfilled' ? (s.value.answer as ActionAnswer).decision : (s.reason as { code: string }).code,
      ),
    ).toEqual(['run', 'run', 'closure_evidence_required', 'wait', 'run']);
    settled.forEach((s, i) => expect(told[i]).toEqual(s.status === 'fulfilled' ? [s.value.answer] : []));
  });

  it('starts the exception and the post-review of a break-glass in its commit', async () => {
    const ref = 'WOS-5';
    await service.execute(open(ref));
    const { answer, position } = await service.execute(
      request(
        ref,
        {
          type: 'UseBreakGlass',
          body: {
            code: 'CUSTOMER_UNREACHABLE',
            rationale: 'the customer is gone',
            action: { system: 'payments', operation: 'refund', kind: 'write' },
          },
        },
        'agent',
      ),
    );
    const used = answer as BreakGlassAnswer;
    const exception = await stream(`exception-${used.exception.exceptionId}`);
    const review = await stream(`postreview-${used.postReview.id}`);
    expect(exception.events.map((e) => [e.type, e.data.owner])).toEqual([['ExceptionRaised', 'support-lead']]);
    expect(review.events.map((e) => [e.type, e.data.reviewer, e.data.dueAt])).toEqual([
      ['PostReviewCreated', used.postReview.owner, used.postReview.dueAt],
    ]);
    expect(Math.max(exception.events[0].position, review.events[0].position)).toBe(position);
  });

  it('starts a delegation in the commit that records it on the work order', async () => {
    const ref = 'WOS-6';
    await service.execute(open(ref));
    const prompt = {
      objective: 'fix the note',
      scope: 'order 1',
      artifacts: [{ path: 'orders/1.md', access: 'write' }],
      verification: ['npm test'],
      completion: 'reply done',
    };
    const { answer } = await service.execute(
      request(
        ref,
        { type: 'DispatchDelegation', body: { recipient: 'agent-7', command: 'delegate_task', prompt } },
        'operator-1',
      ),
    );
    const { dispatchId } = answer as DelegationAnswer;
    const delegation = await stream(`delegation-${dispatchId}`);
    expect(delegation.events.map((e) => [e.type, e.data.recipient, e.data.owner, e.data.dispatchedBy])).toEqual([
      ['DelegationDispatched', 'agent-7', 'support-lead', 'operator-1'],
    ]);
    expect(await types(ref)).toEqual(['WorkOrderOpened', 'TaskDelegated']);
  });

  it('stops writes of a work order a failed prerequisite blocks, naming the exception; reads still run', async () => {
    const ref = 'WOS-7';
    const opened = (await service.execute(open(ref, { caseId: ref, orderId: '1', orderPaid: false })))
      .answer as OpenedAnswer;
    expect(opened).toMatchObject({ status: 'blocked', exceptions: [{ code: 'PREREQ_MISSING', owner: 'intake-lead' }] });
    const [x] = opened.exceptions;
    expect((await stream(`exception-${x.exceptionId}`)).events.map((e) => e.type)).toEqual(['ExceptionRaised']);
    expect((await service.execute(act(ref, note))).answer).toMatchObject({
      decision: 'stop',
      reason: 'work_order_blocked',
      decisionOwner: 'intake-lead',
      message: expect.stringContaining(`exception ${x.exceptionId}`),
    });
    expect((await service.execute(act(ref, read))).answer).toMatchObject({ decision: 'run' });
  });

  it('decides again on a concurrent change: two instances act on one work order, both recorded in order', async () => {
    const ref = 'WOS-8';
    await service.execute(open(ref));
    const other = new WorkOrdersService(rpc, workflows);
    await other.load(idOf(ref));
    const [a, b] = await Promise.all([service.execute(act(ref, note)), other.execute(act(ref, read))]);
    expect([a.answer, b.answer]).toEqual([
      expect.objectContaining({ decision: 'run' }),
      expect.objectContaining({ decision: 'run' }),
    ]);
    expect(await types(ref)).toEqual(['WorkOrderOpened', 'ActionDecided', 'ActionDecided']);
  });

  it('reads the work orders it does not hold together, one request for a burst, and a long one page by page to its end', async () => {
    const refs = ['WOS-9a', 'WOS-9b', 'WOS-9c', 'WOS-9d'];
    for (const ref of refs) await service.execute(open(ref));
    // More events than a first page holds (100): the rest is read on until the stream's version.
    const long = refs[0];
    const { error } = await service.executeInOrder(
      idOf(long),
      Array.from({ length: 150 }, () => act(long, read)),
    );
    expect(error).toBeUndefined();
    expect(await types(long)).toHaveLength(151);

    const fresh = new WorkOrdersService(rpc, workflows);
    rpc.readBatches.splice(0);
    const replies = await Promise.all(refs.map((ref) => fresh.execute(act(ref, note))));
    expect(replies.map((r) => r.answer)).toEqual(refs.map(() => expect.objectContaining({ decision: 'run' })));
    expect(rpc.readBatches).toEqual([
      refs.map((ref) => ({ streamId: workOrderStream(idOf(ref)), fromVersion: 1, limit: 100 })),
    ]);
    const longTypes = await types(long);
    expect(longTypes).toHaveLength(152);
    expect(longTypes[151]).toBe('ActionDecided');
    expect(await fresh.load(idOf(long))).toMatchObject({ version: 152 });
  });

  it.each(['payload_too_large', 'unavailable'])(
    'reads a work order alone when the reads together are refused as %s',
    async (code) => {
      const ref = `WOS-10-${code}`;
      await service.execute(open(ref));
      class RefusingBatches extends CountingRpc {
        override requestEncoded<Req, Res>(
          contract: RpcContract<Req, Res>,
          bytes: Uint8Array,
          options?: { timeoutMs?: number },
        ): Promise<Res> {
          if (contract.subject === Subjects.ledger.readStreamBatch.subject)
            return Promise.reject(new WorkgateError(code as 'unavailable', 'refused'));
          return super.requestEncoded(contract, bytes, options);
        }
      }
      const fresh = new WorkOrdersService(new RefusingBatches(t.nc, 5000, false), workflows);
      expect((await fresh.execute(act(ref, read))).answer).toMatchObject({ decision: 'run' });
      expect(await types(ref)).toEqual(['WorkOrderOpened', 'ActionDecided']);
    },
  );

  it('reads a long work order to its end from a ledger of an earlier release (no batch subject; version of the last event returned)', async () => {
    const ref = 'WOS-LONG-EARLIER';
    await service.execute(open(ref));
    expect(
      (
        await service.executeInOrder(
          idOf(ref),
          Array.from({ length: 120 }, () => act(ref, read)),
        )
      ).error,
    ).toBeUndefined();
    class EarlierLedger extends CountingRpc {
      override request<Req, Res>(
        contract: RpcContract<Req, Res>,
        payload: Req,
        options?: { timeoutMs?: number },
      ): Promise<Res> {
        if (contract.subject !== Subjects.ledger.readStream.subject) return super.request(contract, payload, options);
        return super.request(contract, payload, options).then((page) => {
          const { events } = page as unknown as ReadStreamResult;
          return events.length ? { ...page, version: events[events.length - 1].streamVersion } : page;
        });
      }
      override requestEncoded<Req, Res>(
        contract: RpcContract<Req, Res>,
        bytes: Uint8Array,
        options?: { timeoutMs?: number },
      ): Promise<Res> {
        if (contract.subject === Subjects.ledger.readStreamBatch.subject)
          return Promise.reject(new WorkgateError('unavailable', `no service answers on ${contract.subject}`));
        return super.requestEncoded(contract, bytes, options);
      }
    }
    const fresh = new WorkOrdersService(new EarlierLedger(t.nc, 5000, false), workflows);
    expect(await fresh.load(idOf(ref))).toMatchObject({ version: 121 });
    expect((await fresh.execute(act(ref, read))).answer).toMatchObject({ decision: 'run' });
    expect(await types(ref)).toHaveLength(122);
  });
});
