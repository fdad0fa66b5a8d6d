import { Rule, WorkflowDefinition } from '@workgate/contracts';
import { cannotFail, requiredScopes, termChange } from '../conditions/condition-terms';
import { byKey, Changes } from './diff-changes';

/**
 * The changes of a workflow's rules, each classified as docs/policy.md#changing-a-workflow says:
 * first match wins, and a rule that fails to evaluate stops the action (fail closed).
 */

/** How strict a decision is: a change to a lower one softens the rule. */
const STRICTNESS = { run: 0, wait: 1, stop: 2 } as const;

/**
 * Whether a wait rule can hold a write that the boundary would otherwise stop: a write outside its
 * system's write list stops unless a rule says wait (docs/policy.md), so such a rule turns that
 * stop into a wait. It cannot only when each of its disjuncts requires an operation (`==` or `in`
 * a literal) that every system it can apply to lists; a disjunct that requires no operation can
 * match any, and a condition that is not CEL is taken to match any.
 */
function holdsOutsideWrites(r: Rule, d: WorkflowDefinition): boolean {
  if (r.decision !== 'wait') return false;
  const scopes = requiredScopes(r.when);
  if (!scopes) return true;
  return scopes.some(({ systems, operations }) => {
    // An action on a system the boundary does not name stops before any rule is read.
    const applies = systems ? d.systems.filter((s) => systems.includes(s.name)) : d.systems;
    return !operations || operations.some((op) => applies.some((s) => !s.write.includes(op)));
  });
}

const OUTSIDE = ': it can hold writes outside the write list, which stopped before';
const LATER =
  ': a later rule can stop what it holds (a stop rule, or one that may fail to evaluate), or hold it for another owner or gate';

/** Who approves what a wait rule holds, and under which gate. */
const approvalOf = (r: Rule, d: WorkflowDefinition) => `${r.owner ?? d.owner}\n${r.gate ?? r.id}`;

/**
 * Whether a rule after `r` can decide an action more strictly than `r`, or hold it for someone else:
 * a stop rule, one that may fail to evaluate, or a wait rule of another owner or gate. First match
 * wins, so a wait rule that matches more actions takes those from the later rules.
 */
function laterMayStop(r: Rule, d: WorkflowDefinition): boolean {
  return later(d.rules ?? [], r).some(
    (x) =>
      x.decision === 'stop' || !cannotFail(x.when) || (x.decision === 'wait' && approvalOf(x, d) !== approvalOf(r, d)),
  );
}

const later = (rules: readonly Rule[], r: Rule) => rules.slice(rules.indexOf(r) + 1);

/**
 * Why a run rule matching fewer actions (or removed) may soften a decision, or undefined: a write
 * outside the write list that it matched stopped, and a later wait rule may now hold it.
 */
const runSoftens = (following: readonly Rule[], d: WorkflowDefinition) =>
  following.some((x) => holdsOutsideWrites(x, d)) ? LATER_WAIT : undefined;

const LATER_WAIT = ': a later wait rule can then hold writes outside the write list, which stopped';

/** Why a wait rule in `d` may be softer than what decides its actions without it, or undefined. */
const waitSoftens = (r: Rule, d: WorkflowDefinition) =>
  holdsOutsideWrites(r, d) ? OUTSIDE : laterMayStop(r, d) ? LATER : undefined;

/** Which change of a rule's condition can narrow: matching more for a stop rule, less for a run rule. */
function narrowingWay(r: Rule, d: WorkflowDefinition): Way {
  if (r.decision === 'stop') return { way: 'more', failSafe: true };
  if (r.decision === 'run') {
    const softens = runSoftens(later(d.rules ?? [], r), d);
    return softens ? { way: 'none', failSafe: false, why: softens } : { way: 'less', failSafe: false };
  }
  const softens = waitSoftens(r, d);
  return softens ? { way: 'none', failSafe: false, why: softens } : { way: 'more', failSafe: false };
}

export function rules(c: Changes, before: readonly Rule[], d: WorkflowDefinition): void {
  const after = d.rules ?? [];
  const [b, a] = [byKey(before, (r) => r.id), byKey(after, (r) => r.id)];
  for (const r of after.filter((x) => !b.has(x.id))) {
    const softens = r.decision === 'wait' ? waitSoftens(r, d) : undefined;
    c.add(
      `rules[${r.id}]`,
      r.decision === 'run' || softens ? 'widens' : 'narrows',
      `rule "${r.id}" added: it decides ${r.decision}${softens ?? ''}`,
      undefined,
      r,
    );
  }
  for (const r of before.filter((x) => !a.has(x.id))) {
    const following = later(before, r).flatMap((x) => a.get(x.id) ?? []);
    // Where a run rule failed to evaluate, it stopped the action.
    const softens = r.decision !== 'run' ? undefined : cannotFail(r.when) ? runSoftens(following, d) : FAILS;
    c.add(
      `rules[${r.id}]`,
      r.decision === 'run' && !softens ? 'narrows' : 'widens',
      `rule "${r.id}" removed: it decided ${r.decision}${softens ?? ''}`,
      r,
      undefined,
    );
  }
  for (const [id, was] of b) {
    const is = a.get(id);
    if (!is) continue;
    const outside = was.decision !== 'wait' && holdsOutsideWrites(is, d);
    if (was.decision !== is.decision) {
      const softer = STRICTNESS[is.decision] < STRICTNESS[was.decision] || outside;
      c.add(
        `rules[${id}].decision`,
        softer ? 'widens' : 'narrows',
        `rule "${id}" ${STRICTNESS[is.decision] < STRICTNESS[was.decision] ? 'softened' : 'hardened'} from ${was.decision} to ${is.decision}${outside ? OUTSIDE : ''}`,
        was.decision,
        is.decision,
      );
    }
    if (was.when !== is.when)
      condition(c, `rules[${id}].when`, `rule "${id}"`, narrowingWay(is, d), [was.when, is.when]);
    c.owner(`rules[${id}].owner`, `rule "${id}"`, was.owner, is.owner);
    for (const key of ['reason', 'gate'] as const)
      if (was[key] !== is[key])
        c.add(`rules[${id}].${key}`, 'neutral', `rule "${id}": ${key} changed`, was[key], is[key]);
  }
  // First match wins: kept rules in another order may decide differently.
  const kept = (list: readonly Rule[], other: Map<string, Rule>) =>
    list.filter((r) => other.has(r.id)).map((r) => r.id);
  const [ob, oa] = [kept(before, a), kept(after, b)];
  if (ob.join('\n') !== oa.join('\n'))
    c.add(
      'rules',
      'widens',
      'the rules are in another order: the first rule that matches an action may differ',
      ob,
      oa,
    );
}

/**
 * Which change of a condition can narrow: one matching more actions, fewer, or none (`why` says
 * why not); `failSafe` when a failure to evaluate holds the action as a match does.
 */
export interface Way {
  way: 'more' | 'less' | 'none';
  failSafe: boolean;
  why?: string;
}

const FAILS = ', and where it failed to evaluate (a fact missing) it stopped the action';

/**
 * A changed condition widens unless its parsed expression shows that it only matches more often
 * (a disjunct added to the top-level `||`, a conjunct removed from the top-level `&&`) where `way`
 * is `more`, or less often (the reverse) where it is `less`; what the tree cannot show is
 * widening, a condition that is not CEL among it. Unless a failure to evaluate holds the action as
 * a match does (`failSafe`: a stop rule, an overlay), the condition before must also always
 * evaluate: where it failed, it stopped the action, and the new one may decide otherwise.
 */
export function condition(c: Changes, path: string, what: string, { way, failSafe, why }: Way, edit: string[]) {
  const [before, after] = edit;
  const change = termChange(before, after);
  if (change === 'same')
    return c.add(path, 'neutral', `${what}: the condition is rewritten, not changed`, before, after);
  const matchesMore = change === 'adds-disjuncts' || change === 'removes-conjuncts';
  const matchesLess = change === 'adds-conjuncts' || change === 'removes-disjuncts';
  const fails = !failSafe && !cannotFail(before);
  const narrows = ((way === 'more' && matchesMore) || (way === 'less' && matchesLess)) && !fails;
  const how = matchesMore
    ? 'matches more actions'
    : matchesLess
      ? 'matches fewer actions'
      : 'may match other actions (the diff cannot show it matches only more or only fewer)';
  const because = narrows || !(matchesMore || matchesLess) ? '' : (why ?? (fails ? FAILS : ''));
  c.add(path, narrows ? 'narrows' : 'widens', `${what}: the condition changed and ${how}${because}`, before, after);
}
