import { clientsFor } from './support/principals';
import type { ErrorBody } from './support/answers';
import type { ExceptionCode } from '@workgate/contracts';
import { defined, fieldProblemsOf } from './support/answers';
import { escalationSuite } from './support/escalation-suite';
import { eventually } from './support/processes';

/**
 * Escalation rules as the catalog keeps them (docs/api.md, What the commands record), and an
 * escalation due while workgate is down: it happens once workgate is back, and never for an
 * exception resolved after its breach.
 */
describe('escalation rules in the catalog, and across a restart', () => {
  const { suite, blocked, exception, until, resolve, ledgerCount, timerOf } = escalationSuite();
  const { as } = suite;

  it('keeps escalateTo and escalateAfter on catalog entries, and refuses a bad one naming the field', async () => {
    const entry = { code: 'VENDOR_LATE', title: 'The vendor is late', owner: 'stores-lead', sla: 'PT4H' };
    const refused = async (body: Record<string, unknown>) => {
      const r = await as.admin<ErrorBody>('POST', '/v1/exception-codes', body);
      expect(r.status).toBe(422);
      expect(r.body.error).toBe('validation_failed');
      return fieldProblemsOf(r.body.details).map((d) => d.path);
    };
    expect(await refused({ ...entry, escalateTo: 'duty-manager', escalateAfter: 'soon' })).toEqual(['escalateAfter']);
    expect(await refused({ ...entry, escalateAfter: 'PT1H' })).toEqual(['escalateAfter']);
    expect(await refused({ ...entry, escalateTo: 'two words' })).toEqual(['escalateTo']);
    const added = await as.admin<ExceptionCode>('POST', '/v1/exception-codes', {
      ...entry,
      escalateTo: 'duty-manager',
    });
    expect(added).toMatchObject({ status: 201, body: { ...entry, escalateTo: 'duty-manager', escalateAfter: 'PT0S' } });
    const listed = (await as.agent<ExceptionCode[]>('GET', '/v1/exception-codes')).body;
    expect(listed.find((c) => c.code === 'CUSTOMER_UNREACHABLE')).toMatchObject({
      sla: 'PT2S',
      escalateTo: 'duty-manager',
      escalateAfter: 'PT2S',
    });
  });

  it('escalates what fell due while workgate was down once it is back; one resolved after its breach never', async () => {
    const later = await blocked('ESC-3', 'ADDRESS_INVALID');
    const resolvedAfterBreach = await blocked('ESC-4', 'ADDRESS_INVALID');
    await until(later, 'the breach', (x) => x.slaBreached);
    await until(resolvedAfterBreach, 'the breach', (x) => x.slaBreached);
    const escalatesAt = defined((await exception(later)).escalation, 'the escalation rule').escalatesAt;
    // Breached with the rule: the timer is armed for the escalation, until the resolution disarms it.
    const rule = defined((await exception(resolvedAfterBreach)).escalation, 'the rule').escalatesAt;
    await eventually(
      async () => {
        const timers = await timerOf(resolvedAfterBreach);
        return timers.length === 1 && timers[0].due_at.toISOString() === rule;
      },
      10_000,
      'the timer armed for the escalation',
    );
    expect((await resolve(resolvedAfterBreach)).status).toBe(200);
    await eventually(async () => (await timerOf(resolvedAfterBreach)).length === 0, 10_000, 'the timer to be disarmed');

    let stoppedAt = 0;
    await suite.t.restart(async () => {
      stoppedAt = Date.now();
      await eventually(async () => Date.now() > Date.parse(escalatesAt) + 500, 30_000, 'the escalation to fall due');
    });
    Object.assign(as, clientsFor(suite.t.url, suite.principals.keys));
    await until(later, 'the escalation after the restart', (x) => !!x.escalation?.escalatedAt);
    const { escalation } = await exception(later);
    expect(escalation).toMatchObject({ to: 'duty-manager', escalatesAt });
    expect(Date.parse(escalation!.escalatedAt!)).toBeGreaterThan(stoppedAt);
    expect(await exception(resolvedAfterBreach)).toMatchObject({
      status: 'resolved',
      slaBreached: true,
      escalation: { escalatedAt: null },
    });
    expect(await ledgerCount(resolvedAfterBreach, 'ExceptionEscalated')).toBe(0);
  });
});
