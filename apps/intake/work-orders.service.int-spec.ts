import { workOrderStream } from '@workgate/contracts';
import {
  act,
  actionAnswer,
  serviceOverLedger,
  idOf,
  note,
  open,
  outcomeOf,
  read,
  refund,
  request,
  SOURCE,
  workOrdersOver,
} from './work-orders.fixtures';
import { answerWith } from '../../libs/domain/work-order/work-order.fixtures';

/**
 * The work-order service against the real ledger, policy and exceptions services over NATS (no
 * intake, no gateway): each command decided once over the workflow version its work order runs
 * on, its events and the streams it starts committed together, consecutive commands in order.
 */
describe('WorkOrdersService (real Postgres and NATS)', () => {
  const rig = serviceOverLedger();

  it("decides an open and its actions together; a wait's approval is started by its owner, and the answer carries its position", async () => {
    const ref = 'WOS-1';
    const { replies, error } = await rig.service.executeInOrder(idOf(ref), [
      open(ref),
      act(ref, note),
      act(ref, refund),
    ]);

    expect(error).toBeUndefined();
    expect(replies.map((r) => r.answer)).toEqual([
      expect.objectContaining({ status: 'open' }),
      expect.objectContaining({ decision: 'run', rule: 'address-fix-before-cutoff' }),
      expect.objectContaining({ decision: 'wait', approvalId: expect.any(String) }),
    ]);
    // One commit of the work order's events alone; the approvals service starts the approval before the answer.
    expect(rig.rpc.commits.flat()).toHaveLength(1);
    const [commit] = rig.rpc.commits.flat();
    const approvalId = actionAnswer(replies[2].answer).approvalId!;
    expect(commit.appends.map((a) => [a.streamId, a.expectedVersion, a.events.map((e) => e.type)])).toEqual([
      [workOrderStream(idOf(ref)), 'no_stream', ['WorkOrderOpened', 'ActionDecided', 'GateRequested', 'ActionDecided']],
    ]);
    const approval = await rig.stream(`approval-${approvalId}`);
    expect(approval.events[0]).toMatchObject({
      type: 'ApprovalRequested',
      metadata: { producer: 'approvals' },
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
    const { replies, error } = await rig.service.executeInOrder(idOf(ref), [open(ref), close, act(ref, note)]);

    expect(replies.map((r) => r.answer)).toEqual([expect.objectContaining({ status: 'open' })]);
    expect(error).toMatchObject({ code: 'closure_evidence_required' });
    expect(rig.rpc.commits.flat().map((c) => c.appends.map((a) => a.events.map((e) => e.type)))).toEqual([
      [['WorkOrderOpened']],
    ]);
    expect(await rig.types(ref)).toEqual(['WorkOrderOpened']);
  });

  it('answers a repeated batch as the first time, from another instance too, and records nothing new', async () => {
    const ref = 'WOS-3';
    const batch = [open(ref), act(ref, note)];
    const first = await rig.service.executeInOrder(idOf(ref), batch);
    const again = await workOrdersOver(rig.rpc, rig.workflows).service.executeInOrder(idOf(ref), batch);

    expect(again).toEqual(first);
    expect(await rig.types(ref)).toEqual(['WorkOrderOpened', 'ActionDecided']);
  });

  it('fails the first command alone when it cannot run', async () => {
    const ref = 'WOS-4';
    const { replies, error } = await rig.service.executeInOrder(idOf(ref), [act(ref, note), open(ref)]);

    expect(replies).toEqual([]);
    expect(error).toMatchObject({ code: 'not_found' });
    expect(rig.rpc.commits).toHaveLength(0);
  });

  it('records commands of independent callers that wait for one work order together, each answered (or refused) alone', async () => {
    const ref = 'WOS-10';
    await rig.service.execute(open(ref));
    rig.rpc.commits.splice(0);
    const closeEarly = request(ref, { type: 'CloseWorkOrder', body: { closureEvidenceId: '', evidence: [] } });
    // Ten callers in one turn of the event loop: all wait for the work order's turn together.
    const calls = [
      act(ref, read),
      ...Array.from({ length: 4 }, () => act(ref, note)),
      closeEarly,
      ...Array.from({ length: 4 }, () => act(ref, read)),
    ].map((req) => rig.service.execute(req));
    const settled = await Promise.allSettled(calls);

    expect(settled.map((s) => outcomeOf(s))).toEqual([
      'run',
      'run',
      'run',
      'run',
      'run',
      'closure_evidence_required',
      'run',
      'run',
      'run',
      'run',
    ]);
    // The five before the refusal together, the four after it together: two commits, not nine.
    expect(rig.rpc.commits.flat().map((c) => c.appends[0].events.length)).toEqual([5, 4]);
    expect((await rig.types(ref)).filter((type) => type === 'ActionDecided')).toHaveLength(9);
  });

  it('tells a caller its answer once decided, before the commit, and replies with the same answer after it; a caller that throws changes nothing', async () => {
    const ref = 'WOS-11';
    await rig.service.execute(open(ref));
    rig.rpc.commits.splice(0);
    const told: Array<{ answer: unknown; commitsSent: number }> = [];
    const reply = await rig.service.execute(act(ref, read), undefined, (answer) =>
      told.push({ answer, commitsSent: rig.rpc.commits.length }),
    );

    expect(told).toEqual([{ answer: reply.answer, commitsSent: 0 }]);
    expect(actionAnswer(reply.answer).decision).toBe('run');
    expect(rig.rpc.commits).toHaveLength(1);

    const after = await rig.service.execute(act(ref, note), undefined, () => {
      throw new Error('the caller failed');
    });
    expect(actionAnswer(after.answer).decision).toBe('run');
    expect((await rig.types(ref)).filter((type) => type === 'ActionDecided')).toHaveLength(2);
  });

  it('tells each of several callers waiting for one work order its own answer, and none the refused one', async () => {
    const ref = 'WOS-12';
    await rig.service.execute(open(ref));
    const closeEarly = request(ref, { type: 'CloseWorkOrder', body: { closureEvidenceId: '', evidence: [] } });
    const reqs = [act(ref, read), act(ref, note), closeEarly, act(ref, refund), act(ref, read)];
    const told: unknown[][] = reqs.map(() => []);
    // One turn of the event loop: they wait together; the close is refused on the state the ones before it leave.
    const settled = await Promise.allSettled(
      reqs.map((req, i) => rig.service.execute(req, undefined, (answer) => told[i].push(answer))),
    );

    expect(settled.map((s) => outcomeOf(s))).toEqual(['run', 'run', 'closure_evidence_required', 'wait', 'run']);
    settled.forEach((s, i) => expect(told[i]).toEqual(s.status === 'fulfilled' ? [s.value.answer] : []));
  });

  it('has the exception and the post-review of a break-glass started by their owners before the answer', async () => {
    const ref = 'WOS-5';
    await rig.service.execute(open(ref));
    const { answer, position } = await rig.service.execute(
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
    const used = answerWith(answer, 'postReview');
    const exception = await rig.stream(`exception-${used.exception.exceptionId}`);
    const review = await rig.stream(`postreview-${used.postReview.id}`);
    expect(exception.events.map((e) => [e.type, e.data.owner])).toEqual([['ExceptionRaised', 'support-lead']]);
    expect(review.events.map((e) => [e.type, e.data.reviewer, e.data.dueAt])).toEqual([
      ['PostReviewCreated', used.postReview.owner, used.postReview.dueAt],
    ]);
    expect(Math.max(exception.events[0].position, review.events[0].position)).toBe(position);
  });

  it('has a delegation started by the approvals service before the answer', async () => {
    const ref = 'WOS-6';
    await rig.service.execute(open(ref));
    const prompt = {
      objective: 'fix the note',
      scope: 'order 1',
      artifacts: [{ path: 'orders/1.md', access: 'write' }],
      verification: ['npm test'],
      completion: 'reply done',
    };
    const { answer } = await rig.service.execute(
      request(
        ref,
        { type: 'DispatchDelegation', body: { recipient: 'agent-7', command: 'delegate_task', prompt } },
        'operator-1',
      ),
    );
    const { dispatchId } = answerWith(answer, 'dispatchId');
    const delegation = await rig.stream(`delegation-${dispatchId}`);
    expect(delegation.events.map((e) => [e.type, e.data.recipient, e.data.owner, e.data.dispatchedBy])).toEqual([
      ['DelegationDispatched', 'agent-7', 'support-lead', 'operator-1'],
    ]);
    expect(await rig.types(ref)).toEqual(['WorkOrderOpened', 'TaskDelegated']);
  });

  it('stops writes of a work order a failed prerequisite blocks, naming the exception; reads still run', async () => {
    const ref = 'WOS-7';
    const opened = answerWith(
      (await rig.service.execute(open(ref, { caseId: ref, orderId: '1', orderPaid: false }))).answer,
      'prerequisites',
    );
    expect(opened).toMatchObject({ status: 'blocked', exceptions: [{ code: 'PREREQ_MISSING', owner: 'intake-lead' }] });
    const [x] = opened.exceptions;
    expect((await rig.stream(`exception-${x.exceptionId}`)).events.map((e) => e.type)).toEqual(['ExceptionRaised']);
    expect((await rig.service.execute(act(ref, note))).answer).toMatchObject({
      decision: 'stop',
      reason: 'work_order_blocked',
      decisionOwner: 'intake-lead',
      message: expect.stringContaining(`exception ${x.exceptionId}`),
    });
    expect((await rig.service.execute(act(ref, read))).answer).toMatchObject({ decision: 'run' });
  });
});
