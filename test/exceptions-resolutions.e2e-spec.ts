import { randomUUID } from 'node:crypto';
import { Subjects } from '@workgate/contracts';
import type { ExceptionView, OpenedAnswer, StepAnswer, WorkOrderHandoff } from '@workgate/contracts';
import { defined, found } from './support/answers';
import { exceptionsSuite } from './support/exceptions-suite';
import { eventually } from './support/processes';

/** An exception's resolution reaches its work order: in the resolution's own commit, or from the ledger when recorded without it. */
describe('exception resolutions over HTTP', () => {
  const suite = exceptionsSuite();
  const { as } = suite;

  /** The work order's events up to a ledger position (what a read at that position holds). */
  const eventsUpTo = async (id: string, position: number) =>
    (await suite.t.rpc.request(Subjects.intake.events, { workOrderId: id })).filter((e) => e.position <= position);

  it("a resolution's position covers its work order: read at once, by the resolver or at Workgate-Position, the blocker is gone", async () => {
    const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: 'EX-RYW',
      source: 'helpdesk',
      inputs: { caseId: 'C', orderId: '9', orderPaid: true },
    });
    const id = opened.body.id;
    const blocked = await as.agent<StepAnswer>('POST', `/v1/work-orders/${id}/steps/update-order/block`, {
      code: 'PAYMENT_MISMATCH',
      rationale: 'refund not captured',
    });
    const exceptionId = defined(blocked.body.exception, 'exception of the blocked step').exceptionId;
    const before = await as.agent<WorkOrderHandoff>('GET', `/v1/work-orders/${id}`);
    expect(before.body).toMatchObject({
      status: 'blocked',
      openExceptions: [expect.objectContaining({ exceptionId, code: 'PAYMENT_MISMATCH' })],
    });
    expect(before.body.blockers).toContain(`exception PAYMENT_MISMATCH (${exceptionId}) is open`);
    expect(before.body.nextAction).toBe('resolve exception PAYMENT_MISMATCH');

    const resolved = await as.agent<ExceptionView>('POST', `/v1/exceptions/${exceptionId}/resolve`, {
      resolution: 'reached by email',
    });
    expect(resolved).toMatchObject({ status: 200, body: { status: 'resolved' } });
    const position = Number(resolved.headers.get('workgate-position'));
    expect(position).toBeGreaterThan(0);
    // The work order records the resolution in the resolution's own commit, not after it.
    expect(
      (await eventsUpTo(id, position)).filter((e) => e.type === 'WorkOrderExceptionClosed').map((e) => e.data),
    ).toEqual([expect.objectContaining({ exceptionId, resolvedBy: 'agent' })]);
    // And the exception's own stream holds the resolution at that position: the two commit together.
    const exception = await suite.t.rpc.request(Subjects.ledger.readStream, { streamId: `exception-${exceptionId}` });
    expect(
      exception.events.filter((e) => e.type === 'ExceptionResolved' && e.position <= position).map((e) => e.data),
    ).toEqual([expect.objectContaining({ exceptionId, resolution: 'reached by email' })]);
    for (const read of [
      await as.agent<WorkOrderHandoff>('GET', `/v1/work-orders/${id}`),
      await as.helpdesk<WorkOrderHandoff>('GET', `/v1/work-orders/${id}`, undefined, {
        'Workgate-Min-Position': String(position),
      }),
    ]) {
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ status: 'open', openExceptions: [] });
      expect(read.body.blockers.filter((b) => b.startsWith('exception'))).toEqual([]);
      expect(found(read.body.steps, (s) => s.id === 'update-order', 'step update-order').status).toBe('pending');
      expect(read.body.nextAction).toBe('complete step inspect-case: Inspect case, order, shipment and payment');
    }
    // The reaction that carries resolutions recorded elsewhere finds this one applied: closed once.
    await new Promise((r) => setTimeout(r, 500));
    expect(
      (await suite.t.rpc.request(Subjects.intake.events, { workOrderId: id })).filter(
        (e) => e.type === 'WorkOrderExceptionClosed',
      ),
    ).toHaveLength(1);
  });

  it('a resolution recorded without its work order (by an earlier version) still reaches it from the ledger, once', async () => {
    const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: 'EX-OLD',
      source: 'helpdesk',
      inputs: { caseId: 'C', orderId: '8', orderPaid: true },
    });
    const id = opened.body.id;
    const blocked = await as.agent<StepAnswer>('POST', `/v1/work-orders/${id}/steps/update-order/block`, {
      code: 'PAYMENT_MISMATCH',
      rationale: 'refund not captured',
    });
    const exceptionId = defined(blocked.body.exception, 'exception of the blocked step').exceptionId;
    // An earlier exceptions service appended the resolution to the exception's stream alone (its
    // writer all the same: docs/ledger.md, Who writes which stream).
    const stream = await suite.t.rpc.request(Subjects.ledger.readStream, { streamId: `exception-${exceptionId}` });
    const data = {
      exceptionId,
      resolution: 'captured',
      evidence: [],
      resolvedBy: 'agent',
      at: new Date().toISOString(),
    };
    await suite.t.rpc.request(Subjects.ledger.append, {
      streamId: `exception-${exceptionId}`,
      expectedVersion: stream.version,
      events: [
        {
          eventId: randomUUID(),
          type: 'ExceptionResolved',
          data,
          metadata: { actor: 'agent', producer: 'exceptions' },
        },
      ],
    });
    await eventually(
      async () => (await as.agent<WorkOrderHandoff>('GET', `/v1/work-orders/${id}`)).body.status === 'open',
      10_000,
      'the resolution to reach the work order',
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(
      (await suite.t.rpc.request(Subjects.intake.events, { workOrderId: id })).filter(
        (e) => e.type === 'WorkOrderExceptionClosed',
      ),
    ).toHaveLength(1);
  });

  it('a failed prerequisite opens PREREQ_MISSING; resolving it unblocks the work order', async () => {
    const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: 'EX-2',
      source: 'helpdesk',
      inputs: { caseId: 'C', orderId: '2', orderPaid: false },
    });
    const exceptionId = opened.body.exceptions[0].exceptionId;
    await eventually(
      async () => (await as.agent('GET', `/v1/exceptions/${exceptionId}`)).status === 200,
      10_000,
      'PREREQ_MISSING to be raised',
    );
    expect((await as.agent<WorkOrderHandoff>('GET', `/v1/work-orders/${opened.body.id}`)).body.status).toBe('blocked');
    const resolved = await as.agent('POST', `/v1/exceptions/${exceptionId}/resolve`, {
      resolution: 'payment captured',
      evidence: [{ kind: 'payment', ref: 'pay-2' }],
    });
    // Unblocked in the resolution's own commit: read at its position, at once.
    const read = await as.helpdesk<WorkOrderHandoff>('GET', `/v1/work-orders/${opened.body.id}`, undefined, {
      'Workgate-Min-Position': resolved.headers.get('workgate-position')!,
    });
    expect(read.body).toMatchObject({ status: 'open', openExceptions: [] });
  });
});
