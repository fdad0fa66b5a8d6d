import { Subjects } from '@workgate/contracts';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import type { ExceptionListItem, ExceptionView, OpenedAnswer, StepAnswer, WorkOrderHandoff } from '@workgate/contracts';
import { defined, found } from './support/answers';

/** Blocked work becomes an owned exception; resolving it with evidence unblocks closure. */
describe('exceptions over HTTP', () => {
  let t: TestWorkgate;
  const principals = writePrincipals({ helpdesk: ['integrator'], agent: ['operator'] });
  let as: Record<string, ReturnType<typeof client>>;

  beforeAll(async () => {
    // The seed catalog, with a one-second SLA for CUSTOMER_UNREACHABLE so a breach can be seen.
    const catalog = join(mkdtempSync(join(tmpdir(), 'wg-catalog-')), 'codes.yaml');
    writeFileSync(
      catalog,
      readFileSync(join(__dirname, '..', 'config', 'exception-codes.yaml'), 'utf8').replace(
        /(code: CUSTOMER_UNREACHABLE,.*sla: )PT24H/,
        '$1PT1S',
      ),
    );
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path, WORKGATE_EXCEPTION_CODES: catalog } });
    as = clientsFor(t.url, principals.keys);
  });
  afterAll(() => t?.close());

  const steps = ['inspect-case', 'validate-address', 'update-order', 'notify-warehouse', 'confirm-customer'];
  const close = (id: string) =>
    as.agent('POST', `/v1/work-orders/${id}/close`, {
      closureEvidenceId: 'CE',
      evidence: [{ kind: 'closure-note', ref: 'n' }],
    });

  it('a blocked step is an owned exception with its SLA; resolved with evidence, the work order can close', async () => {
    const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: 'EX-1',
      source: 'helpdesk',
      inputs: { caseId: 'C', orderId: '1', orderPaid: true },
    });
    const id = opened.body.id;
    const blocked = await as.agent<StepAnswer>('POST', `/v1/work-orders/${id}/steps/confirm-customer/block`, {
      code: 'CUSTOMER_UNREACHABLE',
      rationale: 'no answer twice',
    });
    const exceptionId = defined(blocked.body.exception, 'exception of the blocked step').exceptionId;
    const exception = await eventually(
      async () => {
        const r = await as.agent<ExceptionView>('GET', `/v1/exceptions/${exceptionId}`);
        return r.status === 200 ? r : undefined;
      },
      10_000,
      'the exception to be raised',
    );
    expect(exception.body).toMatchObject({
      status: 'open',
      code: 'CUSTOMER_UNREACHABLE',
      owner: 'support-lead',
      workOrderId: id,
      stepId: 'confirm-customer',
      dueAt: blocked.body.exception?.dueAt,
    });
    // The owner's list names it by the work order's reference (the caller's own write is read back at once).
    const listed = (await as.agent<ExceptionListItem[]>('GET', '/v1/exceptions?owner=support-lead')).body;
    expect(listed.find((e) => e.exceptionId === exceptionId)).toMatchObject({
      workOrderId: id,
      externalRef: 'EX-1',
      source: 'helpdesk',
      code: 'CUSTOMER_UNREACHABLE',
      resolvedAt: null,
    });

    for (const step of steps)
      await as.agent('POST', `/v1/work-orders/${id}/steps/${step}/complete`, {
        evidence: [{ kind: 'receipt', ref: step }],
      });
    expect(await close(id)).toMatchObject({ status: 409, body: { error: 'open_blockers' } });

    // A resolution, evidence, or both: never neither.
    expect(
      await as.agent<ExceptionView>('POST', `/v1/exceptions/${exceptionId}/resolve`, { resolution: ' ', evidence: [] }),
    ).toMatchObject({ status: 422, body: { error: 'evidence_required' } });
    const resolved = await as.agent<ExceptionView>('POST', `/v1/exceptions/${exceptionId}/resolve`, {
      evidence: [{ kind: 'email', ref: 'msg-42' }],
    });
    expect(resolved).toMatchObject({ status: 200, body: { status: 'resolved' } });
    expect(
      (await as.agent<ExceptionListItem[]>('GET', '/v1/exceptions?owner=support-lead')).body.some(
        (e) => e.exceptionId === exceptionId,
      ),
    ).toBe(false);
    expect((await as.agent<ExceptionListItem[]>('GET', '/v1/exceptions?status=resolved')).body).toEqual(
      expect.arrayContaining([expect.objectContaining({ exceptionId, resolvedAt: expect.any(String) })]),
    );
    expect(
      await as.agent<ExceptionView>('POST', `/v1/exceptions/${exceptionId}/resolve`, {
        resolution: 'again',
        evidence: [{ kind: 'email', ref: 'x' }],
      }),
    ).toMatchObject({ status: 409, body: { error: 'exception_resolved' } });
    await eventually(async () => (await close(id)).status === 200, 10_000, 'closure after the exception was resolved');
  });

  /** The work order's events up to a ledger position (what a read at that position holds). */
  const eventsUpTo = async (id: string, position: number) =>
    (await t.rpc.request(Subjects.intake.events, { workOrderId: id })).filter((e) => e.position <= position);

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
      (await t.rpc.request(Subjects.intake.events, { workOrderId: id })).filter(
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
    const stream = await t.rpc.request(Subjects.ledger.readStream, { streamId: `exception-${exceptionId}` });
    const data = {
      exceptionId,
      resolution: 'captured',
      evidence: [],
      resolvedBy: 'agent',
      at: new Date().toISOString(),
    };
    await t.rpc.request(Subjects.ledger.append, {
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
      (await t.rpc.request(Subjects.intake.events, { workOrderId: id })).filter(
        (e) => e.type === 'WorkOrderExceptionClosed',
      ),
    ).toHaveLength(1);
  });

  it('records an SLA breach once when an exception is still open past its due time', async () => {
    const blockedException = async (ref: string) => {
      const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'support-recovery',
        externalRef: ref,
        source: 'helpdesk',
        inputs: { caseId: 'C', orderId: '3', orderPaid: true },
      });
      const blocked = await as.agent<StepAnswer>(
        'POST',
        `/v1/work-orders/${opened.body.id}/steps/confirm-customer/block`,
        { code: 'CUSTOMER_UNREACHABLE', rationale: 'voicemail' },
      );
      return defined(blocked.body.exception, 'exception of the blocked step').exceptionId;
    };
    const breached = async (exceptionId: string) =>
      eventually(
        async () => (await as.agent<ExceptionView>('GET', `/v1/exceptions/${exceptionId}`)).body?.slaBreached === true,
        15_000,
        `the SLA breach of ${exceptionId}`,
      );
    const exceptionId = await blockedException('EX-3');
    await breached(exceptionId);
    // A sentinel raised after the breach with the same SLA: once it has breached, the timers have
    // run past the first one's breach again, where a second breach would have been recorded.
    await breached(await blockedException('EX-3-SENTINEL'));
    const { rows } = await t.db
      .appPool()
      .query(`SELECT count(*)::int AS n FROM ledger_events WHERE stream_id = $1 AND type = 'SlaBreached'`, [
        `exception-${exceptionId}`,
      ]);
    expect(rows[0].n).toBe(1);
  });

  it('remediation tasks are added and closed with evidence; a repeating code raises one drift signal for its owner', async () => {
    // The other tests of this file raise CUSTOMER_UNREACHABLE often enough to signal drift of their own.
    const DRIFT_OF_ADDRESS_INVALID = `SELECT data FROM ledger_events WHERE type = 'DriftSignaled' AND data->>'code' = 'ADDRESS_INVALID'`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'support-recovery',
        externalRef: `EX-D${i}`,
        source: 'helpdesk',
        inputs: { caseId: 'C', orderId: `${i}`, orderPaid: true },
      });
      const blocked = await as.agent<StepAnswer>(
        'POST',
        `/v1/work-orders/${opened.body.id}/steps/validate-address/block`,
        {
          code: 'ADDRESS_INVALID',
          rationale: 'zone unknown',
        },
      );
      ids.push(defined(blocked.body.exception, 'exception of the blocked step').exceptionId);
    }
    await eventually(
      async () => (await as.agent('GET', `/v1/exceptions/${ids[0]}`)).status === 200,
      10_000,
      'the exception',
    );
    const added = await as.agent<ExceptionView>('POST', `/v1/exceptions/${ids[0]}/remediations`, {
      title: 'validate zones at intake',
      owner: 'intake-lead',
      due: '2026-12-31T00:00:00Z',
    });
    expect(added).toMatchObject({
      status: 201,
      body: { remediations: [{ title: 'validate zones at intake', owner: 'intake-lead', closed: false }] },
    });
    const taskId = added.body.remediations[0].taskId;
    expect(
      (
        await as.agent<ExceptionView>('POST', `/v1/exceptions/${ids[0]}/remediations/${taskId}/close`, {
          evidence: { kind: 'change', ref: 'PR-7' },
        })
      ).body.remediations[0].closed,
    ).toBe(true);
    // Closing it again is a conflict the caller can read, never a 500.
    expect(
      await as.agent<ExceptionView>('POST', `/v1/exceptions/${ids[0]}/remediations/${taskId}/close`, {
        evidence: { kind: 'change', ref: 'PR-7' },
      }),
    ).toMatchObject({
      status: 409,
      body: { error: 'remediation_closed', message: `remediation task ${taskId} is already closed` },
    });

    const signals = await eventually(
      async () => {
        const { rows } = await t.db.appPool().query(DRIFT_OF_ADDRESS_INVALID);
        return rows.length ? rows : undefined;
      },
      15_000,
      'the drift signal',
    );
    await new Promise((r) => setTimeout(r, 500));
    const { rows } = await t.db.appPool().query(DRIFT_OF_ADDRESS_INVALID);
    expect(rows).toHaveLength(1);
    // The three raises within the window that reached the threshold.
    expect(signals[0].data).toMatchObject({
      code: 'ADDRESS_INVALID',
      count: 3,
      owner: 'support-lead',
      task: { owner: 'support-lead', title: expect.stringMatching(/^ADDRESS_INVALID repeated 3 times within /) },
    });
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
