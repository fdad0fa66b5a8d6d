import fc from 'fast-check';
import { compileWorkflow } from '../definition/compile';
import { decide } from './decide';
import { WorkflowDefinition } from '../definition/definition';

/**
 * The decision order of docs/policy.md ("Decision order"), checked against a reference written
 * for reading, not speed: the boundary first, then the first rule that matches decides, whatever
 * its kind; outside a system's write list a first match that says `stop` stops, one that says
 * `wait` waits, anything else is `write_not_allowed`. `npm test` runs 500 cases; the faults tier
 * sets WORKGATE_PROPERTY_RUNS (10,000).
 */
const RUNS = Number(process.env.WORKGATE_PROPERTY_RUNS ?? 500);

type Facts = { x?: number; y?: number };
interface Action {
  system: string;
  operation: string;
  kind: 'read' | 'write';
}

/**
 * Each condition with its meaning in plain TypeScript: true, false, or 'error' where CEL cannot
 * evaluate it (a fact the request did not send).
 */
const CONDITIONS: Record<string, (a: Action, f: Facts) => boolean | 'error'> = {
  true: () => true,
  false: () => false,
  'action.kind == "write"': (a) => a.kind === 'write',
  'action.operation == "a"': (a) => a.operation === 'a',
  'action.system == "payments"': (a) => a.system === 'payments',
  'has(facts.y)': (_a, f) => f.y !== undefined,
  'facts.x > 5': (_a, f) => (f.x === undefined ? 'error' : f.x > 5),
  'facts.x == 1': (_a, f) => (f.x === undefined ? 'error' : f.x === 1),
};

interface Rule {
  id: string;
  when: string;
  decision: 'run' | 'wait' | 'stop';
}
interface System {
  name: string;
  read: boolean;
  write: string[];
}

/** What the decision must be, read straight off the documented order. */
function reference(systems: System[], rules: Rule[], action: Action, facts: Facts) {
  const system = systems.find((s) => s.name === action.system);
  if (!system) return { decision: 'stop', reason: 'system_not_named', rule: null };
  if (action.kind === 'read' && !system.read) return { decision: 'stop', reason: 'read_not_allowed', rule: null };
  const inBoundary = action.kind === 'read' || system.write.includes(action.operation);
  for (const rule of rules) {
    const holds = CONDITIONS[rule.when](action, facts);
    if (holds === 'error') return { decision: 'stop', reason: 'rule_error', rule: rule.id };
    if (!holds) continue;
    if (inBoundary || rule.decision !== 'run')
      return { decision: rule.decision, reason: 'rule_matched', rule: rule.id };
    break;
  }
  if (!inBoundary) return { decision: 'stop', reason: 'write_not_allowed', rule: null };
  return { decision: 'run', reason: 'inside_boundary', rule: null };
}

const definition = (systems: System[], rules: Rule[]): WorkflowDefinition => ({
  jobType: 'order-job',
  version: 1,
  title: 'Decision order',
  owner: 'owner',
  systems,
  rules,
});

describe('decision order: the first matching rule decides, whatever its kind', () => {
  /** A refund (outside the payments write list) of `amount`, decided under `rules`. */
  const refund = (rules: Rule[], amount: number) =>
    decide(compileWorkflow(definition([{ name: 'payments', read: true, write: [] }], rules)), {
      action: { system: 'payments', operation: 'refund', kind: 'write' },
      facts: { amount },
    });
  const refundsWait: Rule = { id: 'refunds-wait', when: 'action.operation == "refund"', decision: 'wait' };

  it('a stop rule before a wait rule stops a write outside the write list', () => {
    const rules: Rule[] = [{ id: 'no-huge', when: 'facts.amount > 1000', decision: 'stop' }, refundsWait];
    expect(refund(rules, 5000)).toMatchObject({ decision: 'stop', reason: 'rule_matched', rule: 'no-huge' });
    expect(refund(rules, 50)).toMatchObject({ decision: 'wait', reason: 'rule_matched', rule: 'refunds-wait' });
  });

  it('a run rule before a wait rule does not let a write outside the write list run or wait', () => {
    const rules: Rule[] = [{ id: 'small-runs', when: 'facts.amount < 10', decision: 'run' }, refundsWait];
    expect(refund(rules, 5)).toMatchObject({ decision: 'stop', reason: 'write_not_allowed', rule: null });
  });

  it(`agrees with the reference on ${RUNS} generated workflows and actions`, () => {
    const systemArb = fc.record({
      name: fc.constantFrom('shop', 'payments', 'crm'),
      read: fc.boolean(),
      write: fc.uniqueArray(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }),
    });
    const ruleArb = fc.record({
      when: fc.constantFrom(...Object.keys(CONDITIONS)),
      decision: fc.constantFrom<Rule['decision']>('run', 'wait', 'stop'),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(systemArb, { selector: (s) => s.name, maxLength: 3 }),
        fc.array(ruleArb, { maxLength: 6 }),
        fc.record({
          system: fc.constantFrom('shop', 'payments', 'crm', 'email'),
          operation: fc.constantFrom('a', 'b', 'c', 'd'),
          kind: fc.constantFrom<Action['kind']>('read', 'write'),
        }),
        // Spread into a plain object, as a parsed request body is (fast-check gives no prototype).
        fc.record({ x: fc.integer({ min: 0, max: 9 }), y: fc.integer() }, { requiredKeys: [] }).map((f) => ({ ...f })),
        (systems, generated, action, facts) => {
          const rules = generated.map((r, i) => ({ ...r, id: `r${i}` }));
          // A clock that never moves: a pause of a busy machine must not end a rule at its time budget.
          const d = decide(compileWorkflow(definition(systems, rules)), { action, facts }, () => 0);
          expect({ decision: d.decision, reason: d.reason, rule: d.rule }).toEqual(
            reference(systems, rules, action, facts),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });
});
