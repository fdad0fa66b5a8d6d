import { ExceptionCommand, exceptions } from './exception.decider';
import { specify } from '../spec-support';

const T0 = '2026-11-22T10:00:00.000Z';
const at = (h: number) => new Date(Date.parse(T0) + h * 3600_000).toISOString();
const HOUR = 3600_000;
/** Raised by its work order with an SLA of 4 h; its code escalates to the duty manager 2 h after that. */
const raise = {
  type: 'RaiseException',
  exception: {
    exceptionId: 'ex-9',
    stepId: 'confirm-customer',
    code: 'CUSTOMER_UNREACHABLE',
    rationale: 'no answer twice',
    owner: 'support-lead',
    dueAt: at(4),
  },
  workOrderId: 'wo-9',
  by: 'op-1',
} satisfies ExceptionCommand;
const tick = (afterMs = 2 * HOUR): ExceptionCommand => ({
  type: 'Tick',
  escalation: { to: 'duty-manager', afterMs },
});
const resolve: ExceptionCommand = { type: 'ResolveException', by: 'op-1', resolution: 'called back' };

const exception = specify(exceptions, () => ({ now: T0 }));
const raised = exception.history(raise);
/** Raised, then breached at 4 h with the rule of `tick`. */
const breached = () => exception.historyAt([raise, { now: T0 }], [tick(), { now: at(4) }]);

describe('exception escalation', () => {
  it('records the escalation rule with the SLA breach, and escalates nothing before its time', () => {
    exception
      .given(...raised)
      .when(tick(), { now: at(4) })
      .then(['SlaBreached'], ([e], s) => {
        expect(e.data).toMatchObject({ escalateTo: 'duty-manager', escalateAt: at(6), dueAt: at(4) });
        expect(s).toMatchObject({
          slaBreached: true,
          escalation: { to: 'duty-manager', escalatesAt: at(6), escalatedAt: null },
        });
      });
    exception
      .given(...breached())
      .when(tick(), { now: at(5) })
      .then([]);
  });

  it('escalates an exception still open past its due time plus escalateAfter, to escalateTo, once', () => {
    exception
      .given(...breached())
      .when(tick(), { now: at(6) })
      .then(['ExceptionEscalated'], ([e], s) => {
        expect(e.data).toEqual({
          exceptionId: 'ex-9',
          workOrderId: 'wo-9',
          stepId: 'confirm-customer',
          code: 'CUSTOMER_UNREACHABLE',
          owner: 'support-lead',
          escalatedTo: 'duty-manager',
          dueAt: at(4),
          escalateAt: at(6),
          at: at(6),
        });
        expect(s).toMatchObject({ status: 'open', escalation: { escalatedAt: at(6) } });
      });
    const escalated = exception.historyAt([raise, { now: T0 }], [tick(), { now: at(4) }], [tick(), { now: at(6) }]);
    expect(escalated.map((e) => e.type)).toEqual(['ExceptionRaised', 'SlaBreached', 'ExceptionEscalated']);
    exception
      .given(...escalated)
      .when(tick(), { now: at(9) })
      .then([]);
  });

  it('breaches and escalates in one tick when escalateAfter is PT0S or the tick comes late', () => {
    exception
      .given(...raised)
      .when(tick(0), { now: at(4) })
      .then(['SlaBreached', 'ExceptionEscalated']);
    exception
      .given(...raised)
      .when(tick(), { now: at(7) })
      .then(['SlaBreached', 'ExceptionEscalated'], ([, e]) => expect(e.data).toMatchObject({ escalateAt: at(6) }));
  });

  it('never escalates a resolved exception, nor one resolved between breach and escalation', () => {
    exception
      .given(...exception.history(raise, resolve))
      .when(tick(), { now: at(8) })
      .then([]);
    exception
      .given(
        ...breached(),
        ...exception
          .given(...breached())
          .when(resolve, { now: at(5) })
          .result(),
      )
      .when(tick(), { now: at(6) })
      .then([]);
  });

  it('keeps the rule recorded at the breach: a later change or removal of the rule does not move it', () => {
    exception
      .given(...breached())
      .when({ type: 'Tick' }, { now: at(6) })
      .then(['ExceptionEscalated'], ([e]) => expect(e.data).toMatchObject({ escalatedTo: 'duty-manager' }));
    exception
      .given(...breached())
      .when(tick(10 * HOUR), { now: at(6) })
      .then(['ExceptionEscalated']);
  });

  it('a code without a rule breaches and never escalates', () => {
    const plain = exception.historyAt([raise, { now: T0 }], [{ type: 'Tick' }, { now: at(4) }]);
    expect(plain.map((e) => e.type)).toEqual(['ExceptionRaised', 'SlaBreached']);
    expect(plain[1].data).not.toHaveProperty('escalateTo');
    exception
      .given(...plain)
      .when(tick(0), { now: at(30) })
      .then([]);
  });
});
