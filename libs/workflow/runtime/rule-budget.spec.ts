import { compileWorkflow } from '../definition/compile';
import { decide } from './decide';
import { DecisionInput, WorkflowDefinition } from '../definition/definition';
import { CATALOG } from '../definition/test-fixtures';
import { validateDefinition } from '../definition/validate';

/** `[0, 0, …]` with n zeros: a literal list as an analyst can write one in a condition. */
const zeros = (n: number) => `[${Array.from({ length: n }, () => '0').join(',')}]`;

const workflow = (when: string): WorkflowDefinition => ({
  jobType: 'budget-job',
  version: 1,
  title: 'Budget',
  owner: 'budget-owner',
  systems: [{ name: 'shop', read: true, write: ['order.note'] }],
  rules: [
    { id: 'cheap', when: 'facts.vip == true', decision: 'wait' },
    { id: 'expensive', when, decision: 'run' },
  ],
});

const note: DecisionInput['action'] = { system: 'shop', operation: 'order.note', kind: 'write' };
/** A clock that never moves: the verdict must not depend on how fast this machine is. */
const frozenClock = () => 0;

describe('a rule is bounded by a cost budget counted inside its evaluation (docs/policy.md)', () => {
  // Counted by hand: each list charges 1 + its 900 elements where a loop reads it, each turn 1, each
  // value a call reads 1 (`a == b`: 2; `@result + [b]`: 1 + 2); the outer turn holds the inner loop.
  it.each([
    // 901 + 900 × (1 + 901 + 900 × 3)
    [
      'nested all over literal lists (810,000 turns)',
      `${zeros(900)}.all(a, ${zeros(900)}.all(b, a == b))`,
      '3,242,701',
    ],
    // 901 + 900 × (1 + 1 + 2 + 901 + 900 × (1 + 1 + 2 + 2)) + 1 (size) + 1 (> 0)
    ['nested map over literal lists', `${zeros(900)}.map(a, ${zeros(900)}.map(b, a + b)).size() > 0`, '5,675,403'],
    // 901 + 900 × (1 + 1 + 1 + 901 + 900 × (1 + 2 + 3))
    ['filter inside exists', `${zeros(900)}.exists(a, ${zeros(900)}.filter(b, a == b).size() == 0)`, '5,674,501'],
  ])('%s is refused when the definition is validated, naming the rule and its cost', (_name, when, cost) => {
    const v = validateDefinition(workflow(when), { catalog: CATALOG });
    expect(v.ok ? [] : v.problems).toEqual([
      {
        path: 'rules[1].when',
        message: `loops over its literal lists for ${cost} steps: a rule may take at most 100,000`,
      },
    ]);
  });

  it.each([
    ['nested all over the facts', 'facts.zeros.all(a, facts.zeros.all(b, a == b))'],
    ['nested map over the facts', 'facts.zeros.map(a, facts.zeros.map(b, a + b)).size() > 0'],
    ['an expensive loop whose error a || would absorb', 'facts.zeros.all(a, facts.zeros.all(b, a == b)) || true'],
    ['filter inside exists', 'facts.zeros.exists(a, facts.zeros.filter(b, a == b).size() == 0)'],
    ['a literal loop inside a loop over the facts', `facts.zeros.all(a, ${zeros(900)}.all(b, a == b))`],
  ])('%s fails closed as rule_error naming the rule', (_name, when) => {
    const zerosFact = Array.from({ length: 900 }, () => 0);
    const facts = { vip: false, zeros: zerosFact };
    const d = decide(compileWorkflow(workflow(when)), { action: note, facts }, frozenClock);
    expect(d).toMatchObject({ decision: 'stop', reason: 'rule_error', rule: 'expensive' });
    expect(d.message).toBe(
      'rule "expensive" could not be evaluated: its evaluation went over its cost budget of 100,000 steps',
    );
  });

  it('a comparison of large facts repeated outside any loop is counted too', () => {
    const when = Array.from({ length: 60 }, () => 'facts.a == facts.b').join(' && ');
    const big = Array.from({ length: 50_000 }, (_, i) => i);
    const d = decide(compileWorkflow(workflow(when)), { action: note, facts: { vip: false, a: big, b: [...big] } });
    expect(d).toMatchObject({ decision: 'stop', reason: 'rule_error', rule: 'expensive' });
  });

  it('a loop well inside the budget decides as its condition says', () => {
    const wf = compileWorkflow(workflow(`${zeros(100)}.all(a, ${zeros(100)}.all(b, a == b))`));
    expect(decide(wf, { action: note, facts: { vip: false } }, frozenClock)).toMatchObject({
      decision: 'run',
      reason: 'rule_matched',
      rule: 'expensive',
    });
  });

  it('a loop over a realistic list of facts decides as its condition says', () => {
    const wf = compileWorkflow(workflow('facts.items.exists(i, i.sku == "B-7" && i.qty > 2)'));
    const items = Array.from({ length: 2000 }, (_, n) => ({ sku: n === 1999 ? 'B-7' : `A-${n}`, qty: 3 }));
    expect(decide(wf, { action: note, facts: { vip: false, items } }, frozenClock)).toMatchObject({
      decision: 'run',
      rule: 'expensive',
    });
  });

  it('the same request gets the same verdict every time (the budget is counted, not timed)', () => {
    const wf = compileWorkflow(workflow('facts.zeros.exists(a, facts.zeros.exists(b, a != b))'));
    const facts = { vip: false, zeros: Array.from({ length: 900 }, () => 0) };
    const verdicts = Array.from({ length: 3 }, () => decide(wf, { action: note, facts }, frozenClock).reason);
    expect(verdicts).toEqual(['rule_error', 'rule_error', 'rule_error']);
  });

  it('a condition may not call the functions that count its cost', () => {
    const v = validateDefinition(workflow('workgate_tick() && facts.vip'), { catalog: CATALOG });
    expect(v.ok ? [] : v.problems).toEqual([
      { path: 'rules[1].when', message: 'uses unknown function "workgate_tick"' },
    ]);
  });
});
