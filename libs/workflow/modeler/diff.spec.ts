import { ChangeEffect, WorkflowDefinition } from '@workgate/contracts';
import { diffDefinitions } from './diff';
import { termChange } from '../conditions/condition-terms';

const base: WorkflowDefinition = {
  jobType: 'diff-job',
  version: 1,
  title: 'Diff',
  owner: 'lead',
  requiredInputs: [{ name: 'caseId' }, { name: 'paid', equals: true }],
  systems: [
    { name: 'shop', read: true, write: ['order.note'] },
    { name: 'payments', read: false, write: [], rollback: 'required' },
  ],
  // The stop rule first: a wait rule before it would hold for an approver what it stops.
  rules: [
    { id: 'fulfilled-stops', when: 'facts.fulfilled == true', decision: 'stop', reason: 'fulfilled' },
    { id: 'refunds-wait', when: 'action.system == "payments" && action.operation == "refund"', decision: 'wait' },
    {
      id: 'vip-notes-wait',
      when: 'action.system == "shop" && action.operation == "order.note" && facts.vip == true',
      decision: 'wait',
    },
    { id: 'notes-run', when: 'action.operation == "order.note"', decision: 'run' },
  ],
  steps: [
    { id: 'inspect', title: 'Inspect' },
    { id: 'update', title: 'Update', evidence: ['receipt', 'screenshot'] },
  ],
  approval: { timeout: 'PT24H' },
  breakGlass: { allowed: false },
  closure: { evidence: ['closure-note', 'customer-ok'] },
  overlays: [{ id: 'security', when: 'action.operation == "launch"', gate: 'security' }],
};

type Edit = (d: WorkflowDefinition) => WorkflowDefinition;
const rule = (d: WorkflowDefinition, id: string, change: object): WorkflowDefinition => ({
  ...d,
  rules: (d.rules ?? []).map((r) => (r.id === id ? { ...r, ...change } : r)),
});
const without = (d: WorkflowDefinition, id: string): WorkflowDefinition => ({
  ...d,
  rules: (d.rules ?? []).filter((r) => r.id !== id),
});

/** Each widening kind (docs/policy.md, Changing a workflow): applied to `base` it widens, undone it narrows. */
const WIDENING: Array<[string, Edit]> = [
  ['a new system', (d) => ({ ...d, systems: [...d.systems, { name: 'crm', read: true, write: [] }] })],
  [
    'a new write operation',
    (d) => ({ ...d, systems: d.systems.map((s) => (s.name === 'shop' ? { ...s, write: [...s.write, 'refund'] } : s)) }),
  ],
  ['a read allowed', (d) => ({ ...d, systems: d.systems.map((s) => ({ ...s, read: true })) })],
  ['a wait rule removed', (d) => without(d, 'vip-notes-wait')],
  ['a stop rule removed', (d) => without(d, 'fulfilled-stops')],
  ['a stop softened to wait', (d) => rule(d, 'fulfilled-stops', { decision: 'wait' })],
  ['a wait softened to run', (d) => rule(d, 'vip-notes-wait', { decision: 'run' })],
  ['a stop softened to run', (d) => rule(d, 'fulfilled-stops', { decision: 'run' })],
  [
    "a stop rule's condition narrowed by a conjunct",
    (d) => rule(d, 'fulfilled-stops', { when: 'facts.fulfilled == true && facts.shipped == true' }),
  ],
  [
    "a run rule's condition widened by a disjunct",
    (d) => rule(d, 'notes-run', { when: 'action.operation == "order.note" || action.operation == "customer.reply"' }),
  ],
  [
    'a run rule added',
    // Last: before a wait rule, removing it would let that rule hold the writes outside the list it matched.
    (d) => ({ ...d, rules: [...(d.rules ?? []), { id: 'all-run', when: 'true', decision: 'run' }] }),
  ],
  ['a required input removed', (d) => ({ ...d, requiredInputs: [{ name: 'paid', equals: true }] })],
  [
    "a step's evidence kind removed",
    (d) => ({ ...d, steps: (d.steps ?? []).map((s) => (s.id === 'update' ? { ...s, evidence: ['receipt'] } : s)) }),
  ],
  ['a closure evidence kind removed', (d) => ({ ...d, closure: { evidence: ['closure-note'] } })],
  ['a step removed', (d) => ({ ...d, steps: [{ id: 'inspect', title: 'Inspect' }] })],
  ['break-glass allowed', (d) => ({ ...d, breakGlass: { allowed: true, postReviewDue: 'PT48H', reviewer: 'lead' } })],
  ['the approval timeout lengthened', (d) => ({ ...d, approval: { timeout: 'PT72H' } })],
  ['an overlay removed', (d) => ({ ...d, overlays: [] })],
  [
    'a rollback note no longer required',
    (d) => ({ ...d, systems: d.systems.map((s) => ({ ...s, rollback: undefined })) }),
  ],
];

const effects = (before: WorkflowDefinition, after: WorkflowDefinition): ChangeEffect[] =>
  diffDefinitions(before, after).changes.map((c) => c.effect);

describe('diffDefinitions: what a change does to the boundary', () => {
  it.each(WIDENING)('%s widens; undoing it narrows', (_, edit) => {
    const after = edit(base);
    expect(effects(base, after).filter((e) => e !== 'neutral')).toEqual(['widens']);
    expect(diffDefinitions(base, after).widens).toBe(true);
    expect(effects(after, base).filter((e) => e !== 'neutral')).toEqual(['narrows']);
    expect(diffDefinitions(after, base).widens).toBe(false);
  });

  it('a lengthened post-review due widens, a shortened one narrows', () => {
    const a = { ...base, breakGlass: { allowed: true, postReviewDue: 'PT24H', reviewer: 'lead' } };
    const b = { ...base, breakGlass: { allowed: true, postReviewDue: 'P3D', reviewer: 'lead' } };
    expect(effects(a, b)).toEqual(['widens']);
    expect(effects(b, a)).toEqual(['narrows']);
  });

  it("a stop or wait rule's condition that matches more often (a disjunct added) narrows, its reverse widens", () => {
    const more = rule(base, 'fulfilled-stops', { when: '(facts.fulfilled == true) || facts.returned == true' });
    expect(effects(base, more)).toEqual(['narrows']);
    expect(effects(more, base)).toEqual(['widens']);
  });

  it('any other change of a condition widens, both ways', () => {
    const other = rule(base, 'refunds-wait', { when: 'action.system == "payments" && action.operation == "credit"' });
    expect(effects(base, other)).toEqual(['widens']);
    expect(effects(other, base)).toEqual(['widens']);
  });

  it('a condition turned off behind `?:` is another condition: it widens for a stop rule, a run rule and an overlay', () => {
    // `?:` binds looser than `||` and `&&`: each of these always gives the constant after the colon.
    const huge = rule(base, 'fulfilled-stops', { when: 'facts.amount > 1000' });
    const off = rule(base, 'fulfilled-stops', { when: 'facts.amount > 1000 || false ? false : false' });
    expect(effects(huge, off)).toEqual(['widens']);
    const allRun = rule(base, 'notes-run', { when: 'action.operation == "order.note" && true ? true : true' });
    expect(effects(base, allRun)).toEqual(['widens']);
    const overlayOff = {
      ...base,
      overlays: [{ ...base.overlays![0], when: 'action.operation == "launch" || false ? false : false' }],
    };
    expect(effects(base, overlayOff)).toEqual(['widens']);
  });

  it('rules in another order widen: the first match may differ', () => {
    const rules = [...(base.rules ?? [])].reverse();
    const diff = diffDefinitions(base, { ...base, rules });
    expect(diff.changes).toEqual([
      expect.objectContaining({ path: 'rules', effect: 'widens', message: expect.stringContaining('another order') }),
    ]);
  });

  it('titles, a reason, known failures and a condition rewritten with other spacing are neutral', () => {
    const after: WorkflowDefinition = {
      ...rule(base, 'fulfilled-stops', { reason: 'already shipped', when: '( facts.fulfilled  ==  true )' }),
      title: 'Diff, renamed',
      knownFailures: [{ at: 'update', note: 'the note API times out' }],
    };
    const diff = diffDefinitions(base, after);
    expect(diff.widens).toBe(false);
    expect(diff.changes.map((c) => [c.path, c.effect])).toEqual([
      ['rules[fulfilled-stops].when', 'neutral'],
      ['rules[fulfilled-stops].reason', 'neutral'],
      ['title', 'neutral'],
      ['knownFailures', 'neutral'],
    ]);
  });

  it('who decides is part of the boundary: a new workflow owner, rule owner, overlay owner or break-glass reviewer widens', () => {
    const glass = { ...base, breakGlass: { allowed: true, postReviewDue: 'PT48H', reviewer: 'lead' } };
    expect(effects(base, { ...base, owner: 'another-lead' })).toEqual(['widens']);
    expect(effects(base, rule(base, 'refunds-wait', { owner: 'finance-lead' }))).toEqual(['widens']);
    expect(effects(base, { ...base, overlays: [{ ...base.overlays![0], owner: 'sec-lead' }] })).toEqual(['widens']);
    expect(effects(glass, { ...glass, breakGlass: { ...glass.breakGlass, reviewer: 'someone' } })).toEqual(['widens']);
  });

  it('a wait rule for a write outside the write list widens when added: that write stopped before and now waits', () => {
    const withoutRefunds = without(base, 'refunds-wait');
    const diff = diffDefinitions(withoutRefunds, base);
    expect(diff.widens).toBe(true);
    expect(diff.changes).toEqual([
      expect.objectContaining({
        path: 'rules[refunds-wait]',
        effect: 'widens',
        message: expect.stringContaining('outside the write list'),
      }),
    ]);
    // A wait rule that names no operation can match any write, so it widens too.
    const anyWrite = {
      ...base,
      rules: [...(base.rules ?? []), { id: 'vip', when: 'facts.vip == true', decision: 'wait' as const }],
    };
    expect(effects(base, anyWrite)).toEqual(['widens']);
    // Matching more often, such a rule turns more stops into waits.
    const more = rule(base, 'refunds-wait', {
      when: 'action.system == "payments" && action.operation == "refund" || action.operation == "credit"',
    });
    expect(effects(base, more)).toEqual(['widens']);
  });

  it('a wait rule added narrows only when each of its disjuncts requires an operation every system it applies to may write', () => {
    const added = (when: string) => ({
      ...base,
      rules: [...(base.rules ?? []), { id: 'held', when, decision: 'wait' as const }],
    });
    // shop may write order.note only: these also match shop's refunds, which stopped before.
    expect(effects(base, added('action.system == "shop" && action.operation != "order.note"'))).toEqual(['widens']);
    expect(effects(base, added('action.system == "shop" && !(action.operation == "order.note")'))).toEqual(['widens']);
    expect(
      effects(base, added('action.system == "shop" && (action.operation == "order.note" || facts.vip == true)')),
    ).toEqual(['widens']);
    expect(
      effects(
        base,
        added('action.system == "shop" && action.operation == "order.note" || action.system == "shop" && facts.vip'),
      ),
    ).toEqual(['widens']);
    // These hold only notes, which ran before.
    expect(effects(base, added('action.system == "shop" && action.operation == "order.note"'))).toEqual(['narrows']);
    expect(effects(base, added('facts.vip && action.operation in ["order.note"] && "shop" == action.system'))).toEqual([
      'narrows',
    ]);
  });

  it('a wait rule that holds more widens when a later rule can stop: first match wins', () => {
    const huge = { id: 'huge-stops', when: 'facts.amount > 1000', decision: 'stop' as const };
    const notes = {
      id: 'notes-wait',
      when: 'action.system == "shop" && action.operation == "order.note"',
      decision: 'wait' as const,
    };
    const only = { ...base, rules: [huge] };
    // Before the stop rule it holds for an approver a large note that stopped; after it, it cannot.
    expect(effects(only, { ...only, rules: [notes, huge] })).toEqual(['widens']);
    expect(effects(only, { ...only, rules: [huge, notes] })).toEqual(['narrows']);
    // A later rule that may fail to evaluate (a fact missing) stops too.
    const vipRun = { id: 'vip-run', when: 'facts.vip == true', decision: 'run' as const };
    expect(effects({ ...base, rules: [vipRun] }, { ...base, rules: [notes, vipRun] })).toEqual(['widens']);
    // A write outside the list that a run rule matched stopped: without the rule, a wait rule holds it.
    const allRun = { id: 'all-run', when: 'true', decision: 'run' as const };
    const refunds = base.rules!.find((r) => r.id === 'refunds-wait')!;
    expect(effects({ ...base, rules: [allRun, refunds] }, { ...base, rules: [refunds] })).toEqual(['widens']);
    const narrowWait = { ...notes, when: `${notes.when} && facts.vip == true` };
    expect(effects({ ...only, rules: [narrowWait, huge] }, { ...only, rules: [notes, huge] })).toEqual(['widens']);
  });

  it('a condition that may fail to evaluate stopped the action: a run or wait rule changed from it widens', () => {
    const notesRun = 'action.operation == "order.note"';
    const run = (when: string) => ({ ...base, rules: [{ id: 'notes-run', when, decision: 'run' as const }] });
    expect(effects(run(notesRun), run(`${notesRun} && facts.small == true`))).toEqual(['narrows']);
    expect(effects(run(`facts.small == true`), run(`facts.small == true && ${notesRun}`))).toEqual(['widens']);
    expect(effects(run(`${notesRun} || facts.small == true`), run(notesRun))).toEqual(['widens']);
    expect(effects(run(`${notesRun} || action.kind == "read"`), run(notesRun))).toEqual(['narrows']);
    // Removing a run rule lets a later rule or the boundary decide what its failure stopped.
    expect(effects(run('facts.small == true'), { ...base, rules: [] })).toEqual(['widens']);
    expect(effects(run(notesRun), { ...base, rules: [] })).toEqual(['narrows']);
    const wait = (when: string) => ({ ...base, rules: [{ id: 'notes-wait', when, decision: 'wait' as const }] });
    const shopNotes = 'action.system == "shop" && action.operation == "order.note"';
    expect(effects(wait(`${shopNotes} && facts.vip == true`), wait(shopNotes))).toEqual(['widens']);
    expect(effects(wait(`${shopNotes} && action.kind == "write"`), wait(shopNotes))).toEqual(['narrows']);
  });

  it('names each change with its path, before and after, and a sentence', () => {
    const diff = diffDefinitions(base, rule(base, 'fulfilled-stops', { decision: 'wait' }));
    expect(diff.changes).toEqual([
      {
        path: 'rules[fulfilled-stops].decision',
        before: 'stop',
        after: 'wait',
        effect: 'widens',
        message:
          'rule "fulfilled-stops" softened from stop to wait: it can hold writes outside the write list, which stopped before',
      },
    ]);
  });

  it('the same definition has no changes', () => {
    expect(diffDefinitions(base, structuredClone(base))).toEqual({ widens: false, changes: [] });
  });
});

describe('termChange', () => {
  it.each([
    ['a', 'a || b', 'adds-disjuncts'],
    ['a || b', 'b', 'removes-disjuncts'],
    ['a', 'a && b', 'adds-conjuncts'],
    ['a && b && c', 'c && a', 'removes-conjuncts'],
    ['a == "x || y"', 'a == "x || y" || b', 'adds-disjuncts'],
    ['(a || b) && c', '(a || b) && c && d', 'adds-conjuncts'],
    ['a && b', 'a || b', 'other'],
    [' ( a  &&  b ) ', 'a&&b', 'same'],
    ['(a) || ((b))', 'a || b', 'same'],
    ['a || (b || c)', '(a || b) || c', 'same'],
    ['a && b', 'b && a', 'other'],
    // The parser itself drops a double negation: the evaluator runs the same tree.
    ['a || b', '!!(a || b)', 'same'],
    ['facts.amount > 1000', 'facts.amount > 1000 || false ? false : false', 'other'],
    ['a && b', 'a && b ? true : false', 'other'],
    ['a', 'a ||', 'other'],
    ['a ||', 'a || b', 'other'],
  ])('%s → %s: %s', (before, after, expected) => {
    expect(termChange(before, after)).toBe(expected);
  });
});
