import { WorkflowDefinition, WorkflowDiff } from '@workgate/contracts';
import { byKey, Changes, same } from './diff-changes';
import { condition, rules } from './diff-rules';

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
  'changeReviewers',
]);

/**
 * What changes from `before` to `after`, each change classified by its effect on the boundary
 * (docs/policy.md, Changing a workflow): it widens when delegated work may do what `before` refused or held. Pure.
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
  // Who decides a change its owner proposes is part of the boundary, as every owner is.
  if (!same(before.changeReviewers, after.changeReviewers))
    c.add(
      'changeReviewers',
      'widens',
      `a change the owner proposes is decided by ${after.changeReviewers?.join(', ') ?? 'the other admins with the approver role'} now`,
      before.changeReviewers,
      after.changeReviewers,
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
/** Overlays and stage gates hold work for an approval: removing one widens, adding one narrows. */
function gates(c: Changes, before: WorkflowDefinition, after: WorkflowDefinition): void {
  const [ob, oa] = [byKey(before.overlays, (o) => o.id), byKey(after.overlays, (o) => o.id)];
  c.lists('overlays', [...ob.keys()], [...oa.keys()], 'narrows', 'overlay');
  for (const [id, was] of ob) {
    const is = oa.get(id);
    if (is && was.when !== is.when)
      condition(c, `overlays[${id}].when`, `overlay "${id}"`, { way: 'more', failSafe: true }, [was.when, is.when]);
    if (is) c.owner(`overlays[${id}].owner`, `overlay "${id}"`, was.owner, is.owner);
    if (is && was.gate !== is.gate)
      c.add(`overlays[${id}].gate`, 'neutral', `overlay "${id}": its gate changed`, was.gate, is.gate);
  }
  const stage = (d: WorkflowDefinition) =>
    (d.stages ?? []).map((s) => `${s.id} (gate ${s.gate}, decided by ${s.owner ?? 'the workflow owner'})`);
  c.lists('stages', stage(before), stage(after), 'narrows', 'stage');
}
