import { compileWorkflow } from './compile';
import { validateDefinition } from './validate';
import { SHIPPED_CONTEXT, shippedWorkflow } from './test-fixtures';

/** `approvals: {required, from}` on a wait rule or an overlay's gate (docs/policy.md, Two-person approvals). */
type Doc = Record<string, unknown>;

/** support-recovery with its wait rule (`refunds-and-credits-need-owner`, rules[0]) asking for `approvals`. */
function withApprovals(approvals: unknown, rule = 0): Doc {
  const d = shippedWorkflow('support-recovery');
  return { ...d, rules: (d.rules ?? []).map((r, i) => (i === rule ? { ...r, approvals } : r)) };
}

const problemsOf = (raw: unknown) => {
  const v = validateDefinition(raw, SHIPPED_CONTEXT);
  return v.ok ? [] : v.problems;
};

describe('approvals: {required, from} in a definition', () => {
  it('is taken on a wait rule and kept as written by the compiled workflow', () => {
    const d = withApprovals({ required: 2, from: ['support-lead', 'finance-lead', 'ops-lead'] });
    expect(problemsOf(d)).toEqual([]);
    const v = validateDefinition(d, SHIPPED_CONTEXT);
    if (!v.ok) throw new Error('refused');
    expect(compileWorkflow(v.definition).rules[0].approvals).toEqual({
      required: 2,
      from: ['support-lead', 'finance-lead', 'ops-lead'],
    });
  });

  it('is taken on an overlay gate', () => {
    const d: Doc = { ...shippedWorkflow('support-recovery') };
    d.overlays = [
      { id: 'risky', when: 'action.kind == "write"', gate: 'security', approvals: { required: 1, from: ['sec-a'] } },
    ];
    expect(problemsOf(d)).toEqual([]);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['required 0', { required: 0, from: ['a', 'b'] }, 'rules[0].approvals.required', /at least 1/],
    ['required not an integer', { required: 1.5, from: ['a', 'b'] }, 'rules[0].approvals.required', /integer/],
    ['required a text', { required: 'two', from: ['a', 'b'] }, 'rules[0].approvals.required', /integer/],
    ['required missing', { from: ['a', 'b'] }, 'rules[0].approvals.required', /integer/],
    [
      'required above the list',
      { required: 3, from: ['a', 'b'] },
      'rules[0].approvals.required',
      /is 3, more than the 2 approvers from names/,
    ],
    ['from empty', { required: 1, from: [] }, 'rules[0].approvals.from', /at least one approver/],
    ['from missing', { required: 1 }, 'rules[0].approvals.from', /array|at least one/],
    ['from a text', { required: 1, from: 'approvers' }, 'rules[0].approvals.from', /array/],
    ['from naming one twice', { required: 2, from: ['a', 'a'] }, 'rules[0].approvals.from', /twice/],
    ['from naming nobody', { required: 1, from: [''] }, 'rules[0].approvals.from', /no empty names/],
    ['an unknown key', { required: 1, from: ['a'], quorum: true }, 'rules[0].approvals.quorum', /unknown key/],
  ])('refuses %s, naming the path', (_, approvals, path, message) => {
    const problems = problemsOf(withApprovals(approvals));
    expect(problems).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(message) }]));
  });

  it('refuses approvals on a rule that does not wait', () => {
    // rules[1] (address-fix-before-cutoff) says run.
    expect(problemsOf(withApprovals({ required: 1, from: ['a'] }, 1))).toEqual([
      { path: 'rules[1].approvals', message: 'a run rule asks no approval: approvals go with decision: wait' },
    ]);
  });

  it('lists every problem at once', () => {
    const d = withApprovals({ required: 5, from: ['a', 'b'] });
    d.overlays = [{ id: 'risky', when: 'true', gate: 'security', approvals: { required: 0, from: [] } }];
    expect(problemsOf(d).map((p) => p.path)).toEqual(
      expect.arrayContaining([
        'rules[0].approvals.required',
        'overlays[0].approvals.required',
        'overlays[0].approvals.from',
      ]),
    );
  });
});
