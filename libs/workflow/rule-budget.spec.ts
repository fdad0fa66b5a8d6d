import { compileWorkflow } from './compile';
import { decide } from './decide';
import { DecisionInput, WorkflowDefinition } from './definition';

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

describe('a rule is bounded by a cost budget counted inside its evaluation (docs/workflows.md)', () => {
  it.each([
    ['nested all over literal lists (810,000 steps)', `${zeros(900)}.all(a, ${zeros(900)}.all(b, a == b))`],
    ['nested map over literal lists', `${zeros(900)}.map(a, ${zeros(900)}.map(b, a + b)).size() > 0`],
    ['an expensive loop whose error a || would absorb', `${zeros(900)}.all(a, ${zeros(900)}.all(b, a == b)) || true`],
    ['filter inside exists', `${zeros(900)}.exists(a, ${zeros(900)}.filter(b, a == b).size() == 0)`],
  ])('%s fails closed as rule_error naming the rule', (_name, when) => {
    const d = decide(compileWorkflow(workflow(when)), { action: note, facts: { vip: false } }, frozenClock);
    expect(d).toMatchObject({ decision: 'stop', reason: 'rule_error', rule: 'expensive' });
    expect(d.message).toMatch(/^rule "expensive" could not be evaluated: .*budget/);
  });

  it('a nested loop over large input facts fails closed as rule_error naming the rule', () => {
    const wf = compileWorkflow(workflow('facts.items.all(a, facts.items.all(b, a == b))'));
    const items = Array.from({ length: 1000 }, () => 7);
    const d = decide(wf, { action: note, facts: { vip: false, items } }, frozenClock);
    expect(d).toMatchObject({ decision: 'stop', reason: 'rule_error', rule: 'expensive' });
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
    const wf = compileWorkflow(workflow(`${zeros(900)}.exists(a, ${zeros(900)}.exists(b, a != b))`));
    const verdicts = Array.from({ length: 3 }, () => decide(wf, { action: note, facts: { vip: false } }).reason);
    expect(verdicts).toEqual(['rule_error', 'rule_error', 'rule_error']);
  });
});
