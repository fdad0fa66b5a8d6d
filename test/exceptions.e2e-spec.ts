import type { ExceptionListItem, ExceptionView, OpenedAnswer, StepAnswer } from '@workgate/contracts';
import { defined } from './support/answers';
import { exceptionsSuite } from './support/exceptions-suite';
import { eventually } from './support/processes';

/** Blocked work becomes an owned exception with its SLA, its remediation tasks and drift signals; resolving it with evidence unblocks closure. */
describe('exceptions over HTTP', () => {
  const suite = exceptionsSuite();
  const { as } = suite;

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
    const { rows } = await suite.t.db
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
        const { rows } = await suite.t.db.appPool().query(DRIFT_OF_ADDRESS_INVALID);
        return rows.length ? rows : undefined;
      },
      15_000,
      'the drift signal',
    );
    await new Promise((r) => setTimeout(r, 500));
    const { rows } = await suite.t.db.appPool().query(DRIFT_OF_ADDRESS_INVALID);
    expect(rows).toHaveLength(1);
    // The three raises within the window that reached the threshold.
    expect(signals[0].data).toMatchObject({
      code: 'ADDRESS_INVALID',
      count: 3,
      owner: 'support-lead',
      task: { owner: 'support-lead', title: expect.stringMatching(/^ADDRESS_INVALID repeated 3 times within /) },
    });
  });
});
