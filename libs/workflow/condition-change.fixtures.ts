import fc from 'fast-check';
import { ChangeEffect, WorkflowDefinition } from '@workgate/contracts';
import { CelProgram, compileCel, evaluateCondition } from './cel';
import { diffDefinitions } from './diff';

/**
 * Generated conditions and rewrites of them, and a reference that judges a classified change by
 * evaluating both conditions with the CEL evaluator over every assignment of the facts they read,
 * never by looking at how they are written. Used by the unit tests and, with more cases, the
 * faults tier.
 */

/** A condition of a small grammar, kept as a tree to write it with only the parentheses CEL needs. */
type Cond =
  | { kind: 'fact'; text: string; level: number }
  | { kind: 'not'; of: Cond }
  | { kind: 'and' | 'or'; left: Cond; right: Cond }
  | { kind: 'if'; test: Cond; then: Cond; otherwise: Cond }
  | { kind: 'group'; of: Cond };

/** How tightly each form binds in CEL: `?:` loosest, then `||`, `&&`, relations, `!`, a primary. */
const LEVEL = { if: 0, or: 1, and: 2, relation: 3, not: 4, primary: 5 } as const;

const level = (c: Cond): number => (c.kind === 'fact' ? c.level : c.kind === 'group' ? LEVEL.primary : LEVEL[c.kind]);

/** The condition as CEL text, parenthesised where a part binds looser than its place needs. */
export function text(c: Cond, min = 0): string {
  const written =
    c.kind === 'fact'
      ? c.text
      : c.kind === 'not'
        ? `!${text(c.of, LEVEL.not)}`
        : c.kind === 'group'
          ? `(${text(c.of)})`
          : c.kind === 'if'
            ? `${text(c.test, LEVEL.or)} ? ${text(c.then, LEVEL.or)} : ${text(c.otherwise)}`
            : `${text(c.left, LEVEL[c.kind])} ${c.kind === 'or' ? '||' : '&&'} ${text(c.right, LEVEL[c.kind])}`;
  return level(c) < min ? `(${written})` : written;
}

const fact = (t: string, relation = false): Cond => ({
  kind: 'fact',
  text: t,
  level: relation ? LEVEL.relation : LEVEL.primary,
});

/** `facts.e` may be missing: then a condition reading it can fail to evaluate. */
const FACTS: Cond[] = [
  fact('facts.a'),
  fact('facts.b'),
  fact('facts.e'),
  fact('facts.a == true', true),
  fact('action.operation == "x"', true),
  fact('action.operation == "y"', true),
  fact('action.operation in ["x", "z"]', true),
  fact('facts.n > 1', true),
  fact('facts.n < 1', true),
  fact('true'),
  fact('false'),
];

const conditionArb: fc.Arbitrary<Cond> = fc.letrec<{ cond: Cond }>((tie) => ({
  cond: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    fc.constantFrom(...FACTS),
    fc.record({ kind: fc.constant('not' as const), of: tie('cond') }),
    fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: tie('cond'), right: tie('cond') }),
    fc.record({ kind: fc.constant('if' as const), test: tie('cond'), then: tie('cond'), otherwise: tie('cond') }),
    fc.record({ kind: fc.constant('group' as const), of: tie('cond') }),
  ),
})).cond;

/** Each node of `c` in pre-order. */
function nodes(c: Cond): Cond[] {
  if (c.kind === 'fact') return [c];
  if (c.kind === 'not' || c.kind === 'group') return [c, ...nodes(c.of)];
  if (c.kind === 'if') return [c, ...nodes(c.test), ...nodes(c.then), ...nodes(c.otherwise)];
  return [c, ...nodes(c.left), ...nodes(c.right)];
}

/** `c` with its node `at` (by identity) replaced. */
function replace(c: Cond, at: Cond, by: Cond): Cond {
  if (c === at) return by;
  if (c.kind === 'fact') return c;
  if (c.kind === 'not' || c.kind === 'group') return { ...c, of: replace(c.of, at, by) };
  if (c.kind === 'if')
    return {
      ...c,
      test: replace(c.test, at, by),
      then: replace(c.then, at, by),
      otherwise: replace(c.otherwise, at, by),
    };
  return { ...c, left: replace(c.left, at, by), right: replace(c.right, at, by) };
}

const ungrouped = (c: Cond): Cond => (c.kind === 'group' ? ungrouped(c.of) : c);

/** The ways a condition is rewritten: as a tree, or by pasting text around it. */
type Rewrite = (c: Cond, x: Cond, y: Cond, at: number) => string;
const REWRITES: Record<string, Rewrite> = {
  'or after': (c: Cond, x: Cond) => text({ kind: 'or', left: c, right: x }),
  'or before': (c: Cond, x: Cond) => text({ kind: 'or', left: x, right: c }),
  'and after': (c: Cond, x: Cond) => text({ kind: 'and', left: c, right: x }),
  'and before': (c: Cond, x: Cond) => text({ kind: 'and', left: x, right: c }),
  '|| pasted': (c: Cond, x: Cond) => `${text(c)} || ${text(x)}`,
  '&& pasted': (c: Cond, x: Cond) => `${text(x)} && ${text(c)}`,
  'turned off by ?:': (c: Cond, x: Cond) => `${text(c)} || ${text(x)} ? false : false`,
  'turned on by ?:': (c: Cond, x: Cond) => `${text(c)} && ${text(x)} ? true : true`,
  'in a ternary': (c: Cond, x: Cond, y: Cond) => text({ kind: 'if', test: x, then: c, otherwise: y }),
  negated: (c: Cond) => text({ kind: 'not', of: c }),
  'negated twice': (c: Cond) => text({ kind: 'not', of: { kind: 'not', of: c } }),
  parenthesised: (c: Cond) => ` ( ${text(c)} ) `,
  reordered: (c: Cond) => {
    const top = ungrouped(c);
    return text(top.kind === 'and' || top.kind === 'or' ? { ...top, left: top.right, right: top.left } : c);
  },
  'left kept': (c: Cond, x: Cond) => {
    const top = ungrouped(c);
    return text(top.kind === 'and' || top.kind === 'or' ? top.left : x);
  },
  'right kept': (c: Cond, x: Cond) => {
    const top = ungrouped(c);
    return text(top.kind === 'and' || top.kind === 'or' ? top.right : x);
  },
  'a part replaced': (c: Cond, x: Cond, _y: Cond, at: number) => {
    const all = nodes(c);
    return text(replace(c, all[at % all.length], x));
  },
  'a part widened': (c: Cond, x: Cond, _y: Cond, at: number) => {
    const part = nodes(c)[at % nodes(c).length];
    return text(replace(c, part, { kind: 'or', left: part, right: x }));
  },
  replaced: (_c: Cond, x: Cond) => text(x),
};

export interface ConditionChange {
  before: string;
  after: string;
  rewrite: string;
}

/** A generated condition and a rewrite of it (of another generated condition, at times). */
export const conditionChangeArb: fc.Arbitrary<ConditionChange> = fc
  .record({
    c: conditionArb,
    x: conditionArb,
    y: conditionArb,
    at: fc.nat(),
    rewrite: fc.constantFrom(...Object.keys(REWRITES)),
  })
  .map(({ c, x, y, at, rewrite }) => ({ before: text(c), after: REWRITES[rewrite](c, x, y, at), rewrite }));

type Outcome = 'true' | 'false' | 'error';

/** Every assignment of the facts and the operation the grammar reads, `facts.e` missing among them. */
const ASSIGNMENTS = [true, false].flatMap((a) =>
  [true, false].flatMap((b) =>
    [0, 1, 2].flatMap((n) =>
      ['x', 'y', 'z'].flatMap((operation) =>
        [true, false, undefined].map((e) => ({
          action: { system: 'shop', operation, kind: 'write' },
          facts: e === undefined ? { a, b, n } : { a, b, n, e },
          workOrder: {},
        })),
      ),
    ),
  ),
);

function outcomes(condition: string): Outcome[] | undefined {
  let program: CelProgram;
  try {
    program = compileCel(condition).program;
  } catch {
    return undefined;
  }
  return ASSIGNMENTS.map((bindings) => {
    const result = evaluateCondition(program, bindings);
    return !result.ok ? 'error' : result.value ? 'true' : 'false';
  });
}

/** The classified change of each kind of condition, with what it lets through when it narrows. */
const KINDS = [
  // A stop rule or an overlay holds an action when its condition is true or fails to evaluate.
  { path: 'rules[guard].when', lets: (before: Outcome, after: Outcome) => before !== 'false' && after === 'false' },
  { path: 'overlays[gate].when', lets: (before: Outcome, after: Outcome) => before !== 'false' && after === 'false' },
  // A run rule lets an action run where its condition is true.
  { path: 'rules[go].when', lets: (before: Outcome, after: Outcome) => before !== 'true' && after === 'true' },
];

const definition = (when: string): WorkflowDefinition => ({
  jobType: 'conditions',
  version: 1,
  title: 'Conditions',
  owner: 'lead',
  systems: [{ name: 'shop', read: true, write: ['x', 'y', 'z'] }],
  rules: [
    { id: 'guard', when, decision: 'stop' },
    { id: 'go', when, decision: 'run' },
  ],
  overlays: [{ id: 'gate', when, gate: 'security' }],
});

export interface Verdict {
  effects: ChangeEffect[];
  /** What is wrong, or undefined: a narrowing change that lets an action through, a neutral one that decides otherwise. */
  wrong?: string;
}

/** The diff's classification of `change` for each kind of condition, judged by evaluating both conditions. */
export function judge({ before, after }: ConditionChange): Verdict {
  const changes = diffDefinitions(definition(before), definition(after)).changes;
  const effects = KINDS.map(({ path }) => changes.find((c) => c.path === path)?.effect ?? 'neutral');
  if (effects.every((e) => e === 'widens')) return { effects };
  const [was, is] = [outcomes(before), outcomes(after)];
  if (!was || !is) return { effects, wrong: `${before} → ${after}: not CEL, yet classified ${effects.join('/')}` };
  for (const [k, { path, lets }] of KINDS.entries()) {
    const at = ASSIGNMENTS.findIndex((_, i) =>
      effects[k] === 'narrows' ? lets(was[i], is[i]) : effects[k] === 'neutral' && was[i] !== is[i],
    );
    if (at >= 0)
      return {
        effects,
        wrong: `${path} ${before} → ${after} is ${effects[k]}, but with ${JSON.stringify(ASSIGNMENTS[at])} it gave ${was[at]} and now ${is[at]}`,
      };
  }
  return { effects };
}
