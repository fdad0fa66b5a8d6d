import fc from 'fast-check';
import { Decision, Rule, WorkflowDefinition } from '@workgate/contracts';
import { CelProgram, compileCel, evaluateCondition, RULE_LIMITS } from '../conditions/cel';
import { Cond, conditionArb, REWRITES, text } from '../conditions/condition-grammar.fixtures';
import { diffDefinitions } from './diff';

/**
 * Generated workflows (a few rules and an overlay) and edits of them, and a reference that judges
 * the diff's classification by deciding every assignment of the facts and actions the conditions
 * read under both versions (CEL evaluator, first match wins, a failure to evaluate stops), never
 * by looking at how the conditions are written. Used by the unit tests and, with more cases, the
 * faults tier.
 */

const DECISIONS: Decision[] = ['run', 'wait', 'stop'];
const ruleArb = fc.record({ decision: fc.constantFrom(...DECISIONS), when: conditionArb });

/** Both versions, and what was done to the first to make the second. */
export interface WorkflowEdit {
  before: WorkflowDefinition;
  after: WorkflowDefinition;
  edit: string;
}

const workflow = (rules: Rule[], overlay: string): WorkflowDefinition => ({
  jobType: 'conditions',
  version: 1,
  title: 'Conditions',
  owner: 'lead',
  // Writes of z, and of y to payments, are outside the write list: only a wait rule holds them.
  systems: [
    { name: 'shop', read: true, write: ['x', 'y'] },
    { name: 'payments', read: true, write: ['x'] },
  ],
  rules,
  overlays: [{ id: 'gate', when: overlay, gate: 'security' }],
});

/** A generated workflow and an edit of it: mostly a rewritten condition, at times a rule added, removed or changed. */
export const workflowEditArb: fc.Arbitrary<WorkflowEdit> = fc
  .record({
    rules: fc.array(ruleArb, { minLength: 1, maxLength: 3 }),
    overlay: conditionArb,
    x: conditionArb,
    y: conditionArb,
    at: fc.nat(),
    rewrite: fc.constantFrom(...Object.keys(REWRITES)),
    edit: fc.constantFrom(
      'rule condition',
      'rule condition',
      'rule condition',
      'overlay',
      'added',
      'removed',
      'decision',
    ),
    decision: fc.constantFrom(...DECISIONS),
  })
  .map(({ rules, overlay, x, y, at, rewrite, edit, decision }) => {
    const written = rules.map((r, i) => ({ id: `r${i}`, decision: r.decision, when: text(r.when) }));
    const k = at % rules.length;
    const rewritten = (c: Cond) => REWRITES[rewrite](c, x, y, at);
    const changed = written.map((r, i) =>
      i !== k
        ? r
        : edit === 'rule condition'
          ? { ...r, when: rewritten(rules[k].when) }
          : edit === 'decision'
            ? { ...r, decision }
            : r,
    );
    const after =
      edit === 'added'
        ? [...written.slice(0, k), { id: 'added', decision, when: text(x) }, ...written.slice(k)]
        : edit === 'removed'
          ? written.filter((_, i) => i !== k)
          : changed;
    return {
      before: workflow(written, text(overlay)),
      after: workflow(after, edit === 'overlay' ? rewritten(overlay) : text(overlay)),
      edit: edit === 'rule condition' || edit === 'overlay' ? `${edit} ${rewrite}` : `${edit} ${decision}`,
    };
  });

type Outcome = 'true' | 'false' | 'error';

/** Every assignment of the facts and the action the grammar reads, `facts.e` missing among them. */
const ASSIGNMENTS = [true, false].flatMap((a) =>
  [true, false].flatMap((b) =>
    [0, 1, 2].flatMap((n) =>
      ['shop', 'payments'].flatMap((system) =>
        ['x', 'y', 'z'].flatMap((operation) =>
          [true, false, undefined].map((e) => ({
            action: { system, operation, kind: 'write' },
            facts: e === undefined ? { a, b, n } : { a, b, n, e },
            workOrder: {},
          })),
        ),
      ),
    ),
  ),
);

/**
 * The rule's cost budget, on a clock that never moves: the reference's outcomes do not depend on
 * how busy the machine is (a pause of the process would otherwise end an evaluation at the wall
 * clock's budget and fail one version's rule but not the other's).
 */
const STILL_CLOCK = { ...RULE_LIMITS, clock: () => 0 };

/** A condition's outcome for each assignment, or undefined when it is not CEL. */
function outcomes(condition: string): Outcome[] | undefined {
  let program: CelProgram;
  try {
    program = compileCel(condition).program;
  } catch {
    return undefined;
  }
  return ASSIGNMENTS.map((bindings) => {
    const result = evaluateCondition(program, bindings, STILL_CLOCK);
    return !result.ok ? 'error' : result.value ? 'true' : 'false';
  });
}

const STRICTNESS = { run: 0, wait: 1, stop: 2 } as const;

/**
 * The decision and whether the overlay applies, for each assignment: the first matching rule
 * decides and one that fails to evaluate stops; a write outside the write list stops unless the
 * first matching rule says wait; nothing matching, a write inside runs. An overlay applies when
 * its condition holds or fails to evaluate.
 */
function decisions(d: WorkflowDefinition): Array<[Decision, boolean]> | undefined {
  const rules = (d.rules ?? []).map((r) => ({ decision: r.decision, outcome: outcomes(r.when) }));
  const gate = outcomes(d.overlays?.[0]?.when ?? 'false');
  if (!gate || rules.some((r) => !r.outcome)) return undefined;
  return ASSIGNMENTS.map(({ action }, i) => {
    const outside = !d.systems.some((s) => s.name === action.system && s.write.includes(action.operation));
    const first = rules.find((r) => r.outcome?.[i] !== 'false');
    const decision: Decision =
      first?.outcome?.[i] === 'error'
        ? 'stop'
        : outside
          ? first?.decision === 'wait'
            ? 'wait'
            : 'stop'
          : (first?.decision ?? 'run');
    return [decision, gate[i] !== 'false'];
  });
}

export interface Verdict {
  /** Whether the diff widens, and whether all its changes are neutral. */
  widens: boolean;
  neutral: boolean;
  /** What is wrong, or undefined: a version that does not widen yet decides an action more softly, a neutral one that decides otherwise. */
  wrong?: string;
}

/** The diff's classification of an edit, judged by deciding every assignment under both versions. */
export function judge({ before, after, edit }: WorkflowEdit): Verdict {
  const diff = diffDefinitions(before, after);
  const neutral = diff.changes.every((c) => c.effect === 'neutral');
  if (diff.widens) return { widens: true, neutral };
  const [was, is] = [decisions(before), decisions(after)];
  const shown = () =>
    `${edit}: ${JSON.stringify(before.rules)} ${before.overlays?.[0]?.when} → ${JSON.stringify(after.rules)} ${after.overlays?.[0]?.when} (${JSON.stringify(diff.changes.map((c) => [c.path, c.effect]))})`;
  if (!was || !is) return { widens: false, neutral, wrong: `${shown()}: not CEL, yet it does not widen` };
  const at = ASSIGNMENTS.findIndex((_, i) =>
    neutral
      ? was[i][0] !== is[i][0] || was[i][1] !== is[i][1]
      : STRICTNESS[is[i][0]] < STRICTNESS[was[i][0]] || (was[i][1] && !is[i][1]),
  );
  if (at < 0) return { widens: false, neutral };
  return {
    widens: false,
    neutral,
    wrong: `${shown()} with ${JSON.stringify(ASSIGNMENTS[at])}: ${was[at].join('/')} before, ${is[at].join('/')} after`,
  };
}

/**
 * Checks `cases` generated edits (throws with the smallest counterexample fast-check finds) and
 * counts the versions that did not widen: some changes narrowing, or all of them neutral.
 */
export function checkWorkflowEdits(cases: number): { narrows: number; neutral: number } {
  const seen = { narrows: 0, neutral: 0 };
  fc.assert(
    fc.property(workflowEditArb, (edit) => {
      const verdict = judge(edit);
      if (!verdict.widens) seen[verdict.neutral ? 'neutral' : 'narrows']++;
      if (verdict.wrong) throw new Error(verdict.wrong);
    }),
    { numRuns: cases },
  );
  return seen;
}
