import { canonicalize } from 'json-canonicalize';
import { ChangeEffect, DefinitionChange, Rule, WorkflowDefinition, WorkflowDiff } from '@workgate/contracts';
import { requiredScopes, termChange } from './condition-terms';
import { parseDuration } from './duration';

/** How strict a decision is: a change to a lower one softens the rule. */
const STRICTNESS = { run: 0, wait: 1, stop: 2 } as const;

/** The keys this module reads; any other key that changes is a neutral change. */
const GOVERNED = new Set([
  'systems',
  'rules',
  'requiredInputs',
  'steps',
  'closure',
  'breakGlass',
  'approval',
  'overlays',
  'stages',
]);

const same = (a: unknown, b: unknown) => canonicalize(a ?? null) === canonicalize(b ?? null);
const byKey = <T>(items: readonly T[] | undefined, key: (t: T) => string) =>
  new Map((items ?? []).map((t) => [key(t), t]));

class Changes {
  readonly list: DefinitionChange[] = [];
  add(path: string, effect: ChangeEffect, message: string, before?: unknown, after?: unknown): void {
    this.list.push({
      path,
      ...(before === undefined ? {} : { before }),
      ...(after === undefined ? {} : { after }),
      effect,
      message,
    });
  }
  /** Items added to or removed from a list: adding one `added` does, removing it the reverse. */
  lists(path: string, before: readonly string[], after: readonly string[], added: ChangeEffect, what: string): void {
    const reverse: ChangeEffect = added === 'widens' ? 'narrows' : added === 'narrows' ? 'widens' : 'neutral';
    for (const x of after.filter((v) => !before.includes(v)))
      this.add(path, added, `${what} "${x}" added`, undefined, x);
    for (const x of before.filter((v) => !after.includes(v)))
      this.add(path, reverse, `${what} "${x}" removed`, x, undefined);
  }
  /** A duration made longer `longer` does, shorter the reverse. */
  duration(path: string, before: string | undefined, after: string | undefined, what: string): void {
    if (before === after) return;
    const [b, a] = [parseDuration(before ?? '') ?? 0, parseDuration(after ?? '') ?? 0];
    const effect: ChangeEffect = a > b ? 'widens' : a < b ? 'narrows' : 'neutral';
    this.add(path, effect, `${what} ${a > b ? 'lengthened' : 'shortened'} from ${before} to ${after}`, before, after);
  }
  /** Who decides `what` (a rule, an overlay) is part of the boundary: another owner widens it. */
  owner(path: string, what: string, before: string | undefined, after: string | undefined): void {
    if (before !== after)
      this.add(path, 'widens', `${what} is decided by ${after ?? 'the workflow owner'} now`, before, after);
  }
}

/**
 * What changes from `before` to `after`, each change classified by its effect on the boundary
 * (SPEC section 15): it widens when delegated work may do what `before` refused or held. Pure.
 */
export function diffDefinitions(before: WorkflowDefinition, after: WorkflowDefinition): WorkflowDiff {
  const c = new Changes();
  systems(c, before, after);
  rules(c, before.rules ?? [], after);
  const inputs = [byKey(before.requiredInputs, (i) => i.name), byKey(after.requiredInputs, (i) => i.name)] as const;
  c.lists('requiredInputs', [...inputs[0].keys()], [...inputs[1].keys()], 'narrows', 'required input');
  for (const [name, b] of inputs[0]) {
    const a = inputs[1].get(name);
    if (a && !same(b.equals, a.equals))
      c.add(
        `requiredInputs[${name}].equals`,
        'widens',
        `required input "${name}" must now equal another value`,
        b.equals,
        a.equals,
      );
  }
  const steps = [byKey(before.steps, (s) => s.id), byKey(after.steps, (s) => s.id)] as const;
  c.lists('steps', [...steps[0].keys()], [...steps[1].keys()], 'narrows', 'step');
  for (const [id, b] of steps[0]) {
    const a = steps[1].get(id);
    if (a)
      c.lists(`steps[${id}].evidence`, b.evidence ?? [], a.evidence ?? [], 'narrows', `evidence kind of step ${id}`);
    if (a && (a.title !== b.title || a.owner !== b.owner))
      c.add(`steps[${id}]`, 'neutral', `step "${id}" retitled or reassigned`, b, a);
  }
  c.lists(
    'closure.evidence',
    before.closure?.evidence ?? [],
    after.closure?.evidence ?? [],
    'narrows',
    'closure evidence kind',
  );
  const [bg, ag] = [before.breakGlass, after.breakGlass];
  if (Boolean(bg?.allowed) !== Boolean(ag?.allowed))
    c.add(
      'breakGlass.allowed',
      ag?.allowed ? 'widens' : 'narrows',
      `break-glass ${ag?.allowed ? 'allowed' : 'no longer allowed'}`,
      bg?.allowed ?? false,
      ag?.allowed ?? false,
    );
  // Its due time and reviewer matter while break-glass is allowed before and after.
  if (bg?.allowed && ag?.allowed)
    c.duration('breakGlass.postReviewDue', bg.postReviewDue, ag.postReviewDue, 'the post-review due time');
  if (bg?.allowed && ag?.allowed && bg.reviewer !== ag.reviewer)
    c.add(
      'breakGlass.reviewer',
      'widens',
      `break-glass is reviewed by ${ag?.reviewer ?? 'nobody'}`,
      bg?.reviewer,
      ag?.reviewer,
    );
  c.duration('approval.timeout', before.approval?.timeout, after.approval?.timeout, 'the approval timeout');
  gates(c, before, after);
  const [eb, ea] = [new Map<string, unknown>(Object.entries(before)), new Map<string, unknown>(Object.entries(after))];
  for (const key of new Set([...eb.keys(), ...ea.keys()])) {
    if (GOVERNED.has(key) || key === 'version') continue;
    const [b, a] = [eb.get(key), ea.get(key)];
    // Who decides is part of the boundary: a new owner may approve what the old one refused.
    if (key === 'owner' && !same(b, a)) c.add(key, 'widens', `the workflow's owner is ${String(a)} now`, b, a);
    else if (!same(b, a)) c.add(key, 'neutral', `${key} changed`, b, a);
  }
  return { widens: c.list.some((x) => x.effect === 'widens'), changes: c.list };
}

function systems(c: Changes, before: WorkflowDefinition, after: WorkflowDefinition): void {
  const [b, a] = [byKey(before.systems, (s) => s.name), byKey(after.systems, (s) => s.name)];
  c.lists('systems', [...b.keys()], [...a.keys()], 'widens', 'system');
  for (const [name, was] of b) {
    const is = a.get(name);
    if (!is) continue;
    const path = `systems[${name}]`;
    c.lists(`${path}.write`, was.write, is.write, 'widens', `write operation on ${name}`);
    if (was.read !== is.read)
      c.add(
        `${path}.read`,
        is.read ? 'widens' : 'narrows',
        `reads of ${name} ${is.read ? 'allowed' : 'refused'}`,
        was.read,
        is.read,
      );
    if (was.rollback !== is.rollback)
      c.add(
        `${path}.rollback`,
        is.rollback ? 'narrows' : 'widens',
        `writes to ${name} ${is.rollback ? 'need' : 'no longer need'} a rollback note`,
        was.rollback,
        is.rollback,
      );
    if (!same(was.mcp, is.mcp)) c.add(`${path}.mcp`, 'widens', `the MCP server of ${name} changed`, was.mcp, is.mcp);
  }
}

/**
 * Whether a wait rule can hold a write that the boundary would otherwise stop: a write outside its
 * system's write list stops unless a rule says wait (SPEC section 2), so such a rule turns that
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

function rules(c: Changes, before: readonly Rule[], d: WorkflowDefinition): void {
  const after = d.rules ?? [];
  const [b, a] = [byKey(before, (r) => r.id), byKey(after, (r) => r.id)];
  for (const r of after.filter((x) => !b.has(x.id))) {
    const widens = r.decision === 'run' || holdsOutsideWrites(r, d);
    c.add(
      `rules[${r.id}]`,
      widens ? 'widens' : 'narrows',
      `rule "${r.id}" added: it decides ${r.decision}${r.decision === 'wait' && widens ? OUTSIDE : ''}`,
      undefined,
      r,
    );
  }
  for (const r of before.filter((x) => !a.has(x.id)))
    c.add(
      `rules[${r.id}]`,
      r.decision === 'run' ? 'narrows' : 'widens',
      `rule "${r.id}" removed: it decided ${r.decision}`,
      r,
      undefined,
    );
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
      condition(
        c,
        `rules[${id}].when`,
        `rule "${id}"`,
        is.decision === 'run' || holdsOutsideWrites(is, d),
        was.when,
        is.when,
      );
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
 * A changed condition widens unless its parsed expression shows that it only matches more often
 * for a stop or wait rule (a disjunct added to the top-level `||`, a conjunct removed from the
 * top-level `&&`) or less often for a run rule (the reverse); what the tree cannot show is
 * widening, a condition that is not CEL among it. A wait rule that can hold writes outside the
 * write list counts as a run rule here: matching more, it turns more stops into waits.
 */
function condition(c: Changes, path: string, what: string, runs: boolean, before: string, after: string): void {
  const change = termChange(before, after);
  if (change === 'same')
    return c.add(path, 'neutral', `${what}: the condition is rewritten, not changed`, before, after);
  const matchesMore = change === 'adds-disjuncts' || change === 'removes-conjuncts';
  const matchesLess = change === 'adds-conjuncts' || change === 'removes-disjuncts';
  const narrows = runs ? matchesLess : matchesMore;
  const how = matchesMore
    ? 'matches more actions'
    : matchesLess
      ? 'matches fewer actions'
      : 'may match other actions (the diff cannot show it matches only more or only fewer)';
  c.add(path, narrows ? 'narrows' : 'widens', `${what}: the condition changed and ${how}`, before, after);
}

/** Overlays and stage gates hold work for an approval: removing one widens, adding one narrows. */
function gates(c: Changes, before: WorkflowDefinition, after: WorkflowDefinition): void {
  const [ob, oa] = [byKey(before.overlays, (o) => o.id), byKey(after.overlays, (o) => o.id)];
  c.lists('overlays', [...ob.keys()], [...oa.keys()], 'narrows', 'overlay');
  for (const [id, was] of ob) {
    const is = oa.get(id);
    if (is && was.when !== is.when) condition(c, `overlays[${id}].when`, `overlay "${id}"`, false, was.when, is.when);
    if (is) c.owner(`overlays[${id}].owner`, `overlay "${id}"`, was.owner, is.owner);
    if (is && was.gate !== is.gate)
      c.add(`overlays[${id}].gate`, 'neutral', `overlay "${id}": its gate changed`, was.gate, is.gate);
  }
  const stage = (d: WorkflowDefinition) =>
    (d.stages ?? []).map((s) => `${s.id} (gate ${s.gate}, decided by ${s.owner ?? 'the workflow owner'})`);
  c.lists('stages', stage(before), stage(after), 'narrows', 'stage');
}
