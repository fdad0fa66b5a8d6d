import fc from 'fast-check';

/**
 * Conditions of a small grammar over facts a, b, e (at times missing), n and the action, written
 * with only the parentheses CEL needs, and the ways a condition is rewritten: as a tree, or by
 * pasting text around it. Used by condition-change.fixtures.ts.
 */

/** A condition of a small grammar, kept as a tree to write it with only the parentheses CEL needs. */
export type Cond =
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
  fact('action.system == "shop"', true),
  fact('action.kind == "write"', true),
  fact('facts.n > 1', true),
  fact('facts.n < 1', true),
  fact('true'),
  fact('false'),
];

export const conditionArb: fc.Arbitrary<Cond> = fc.letrec<{ cond: Cond }>((tie) => ({
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
export const REWRITES: Record<string, Rewrite> = {
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
