import {
  DERIVED_NODE_IDS,
  ExceptionCode,
  MapEdge,
  MapEdgeKind,
  MapNode,
  ReceiptPlanEntry,
  Rule,
  WorkflowDefinition,
  WorkflowMap,
} from '@workgate/contracts';
import { compileCel } from '../conditions/cel';

/** Who does a step when the definition does not say (docs/policy.md, The definition). */
export const DEFAULT_STEP_OWNER = 'operator';

const RULE_KIND = { wait: 'gate', stop: 'stop', run: 'run' } as const;

/** The node id of an approval gate that a stage or overlay names (a wait rule is its own gate node). */
export const gateNodeId = (gate: string): string => `gate:${gate}`;
export const inputNodeId = (name: string): string => `input:${name}`;
export const objectNodeId = (name: string): string => `object:${name}`;

/**
 * The pattern's mark of a part of the map (docs/patterns.md, The effective definition): `from`
 * names `<list>.<id>`, `exceptionCodes.<code>`, `closure.evidence.<name>`, `approval`, `breakGlass`.
 */
function patternMark(d: WorkflowDefinition): (...entries: string[]) => Pick<MapNode, 'from'> {
  const given = new Set(d.pattern?.from ?? []);
  return (...entries) => (entries.some((e) => given.has(e)) ? { from: 'pattern' } : {});
}

/** What a rule's condition names: the systems it governs and the steps it is about. */
function ruleTargets(when: string, d: WorkflowDefinition): { systems: string[]; steps: string[] } {
  let analysis;
  try {
    analysis = compileCel(when).analysis;
  } catch {
    return { systems: [], steps: [] };
  }
  const named = new Set(d.systems.map((s) => s.name));
  const byName = analysis.systemLiterals.filter((s) => named.has(s));
  // A condition that names an operation but no system governs every system that may write it.
  const byOperation = byName.length
    ? []
    : d.systems.filter((s) => s.write.some((op) => analysis.operationLiterals.includes(op))).map((s) => s.name);
  const stepIds = new Set((d.steps ?? []).map((s) => s.id));
  return {
    systems: [...new Set([...byName, ...byOperation])],
    steps: [...new Set(analysis.stepLiterals.filter((s) => stepIds.has(s)))],
  };
}

/**
 * The map of a workflow version (docs/views.md, The live workflow map): every id of the definition as a node (steps,
 * rules, systems, exception codes, stages, overlays), the derived nodes (inputs, objects, gates of
 * stages and overlays, break-glass, delegation, closure), the edges between them and where each
 * receipt is written. Pure: the same definition and catalog give the same map.
 */
export function workflowMap(
  d: WorkflowDefinition,
  sha256: string,
  catalog: ReadonlyMap<string, ExceptionCode> = new Map(),
): WorkflowMap {
  const nodes: MapNode[] = [];
  const edges: MapEdge[] = [];
  const receiptPlan: ReceiptPlanEntry[] = [];
  const ownerOf = new Map<string, string>();
  const mark = patternMark(d);
  const node = (n: MapNode) => {
    nodes.push(n);
    if (n.owner) ownerOf.set(n.id, n.owner);
  };
  const edge = (from: string, to: string, kind: MapEdgeKind, label?: string) =>
    edges.push({ from, to, kind, ...(label ? { label } : {}) });
  /** A handoff between two nodes whose owners differ, labelled `from → to`. */
  const handoff = (from: string, to: string, fromOwner = ownerOf.get(from), toOwner = ownerOf.get(to)) => {
    if (fromOwner && toOwner && fromOwner !== toOwner) edge(from, to, 'handoff', `${fromOwner} → ${toOwner}`);
  };

  for (const input of d.requiredInputs ?? [])
    node({
      id: inputNodeId(input.name),
      kind: 'input',
      label: input.name,
      ...mark(`requiredInputs.${input.name}`),
      detail: input.equals === undefined ? { required: true } : { equals: JSON.stringify(input.equals) },
    });
  for (const o of d.objects ?? [])
    node({
      id: objectNodeId(o.name),
      kind: 'object',
      label: o.name,
      ...(o.owner ? { owner: o.owner } : {}),
      detail: o.system ? { system: o.system } : {},
    });
  for (const s of d.systems)
    node({
      id: s.name,
      kind: 'system',
      label: s.name,
      ...mark(`systems.${s.name}`),
      detail: {
        read: s.read,
        writes: s.write,
        ...(s.rollback ? { rollback: s.rollback } : {}),
        ...(s.mcp ? { mcp: true } : {}),
      },
    });
  for (const s of d.steps ?? [])
    node({
      id: s.id,
      kind: 'step',
      label: s.title,
      owner: s.owner ?? DEFAULT_STEP_OWNER,
      ...mark(`steps.${s.id}`),
      detail: { evidence: s.evidence ?? [] },
    });
  ruleNodes(d, node, mark);
  const gates = new Map<string, string>();
  for (const g of [...(d.stages ?? []), ...(d.overlays ?? [])])
    if (!gates.has(g.gate)) gates.set(g.gate, g.owner ?? d.owner);
  for (const [gate, owner] of gates)
    node({
      id: gateNodeId(gate),
      kind: 'gate',
      label: gate,
      owner,
      ...mark('approval'),
      detail: { approvalTimeout: d.approval?.timeout ?? '' },
    });
  for (const st of d.stages ?? [])
    node({
      id: st.id,
      kind: 'stage',
      label: st.id,
      owner: st.owner ?? d.owner,
      detail: { artifact: st.artifact, gate: st.gate },
    });
  for (const o of d.overlays ?? [])
    node({ id: o.id, kind: 'overlay', label: o.id, owner: o.owner ?? d.owner, detail: { when: o.when, gate: o.gate } });
  for (const code of d.exceptionCodes ?? []) {
    const entry = catalog.get(code);
    node({
      id: code,
      kind: 'exception',
      label: entry?.title ?? code,
      ...(entry ? { owner: entry.owner } : {}),
      ...mark(`exceptionCodes.${code}`),
      detail: entry ? { code, sla: entry.sla } : { code },
    });
  }
  if (d.breakGlass?.allowed)
    node({
      id: DERIVED_NODE_IDS.breakGlass,
      kind: 'break-glass',
      label: 'Break-glass',
      ...(d.breakGlass.reviewer ? { owner: d.breakGlass.reviewer } : {}),
      ...mark('breakGlass'),
      detail: { reviewer: d.breakGlass.reviewer ?? '', postReviewDue: d.breakGlass.postReviewDue ?? '' },
    });
  if (d.delegation)
    node({ id: DERIVED_NODE_IDS.delegation, kind: 'delegation', label: 'Delegation', detail: { ...d.delegation } });
  node({
    id: DERIVED_NODE_IDS.closure,
    kind: 'closure',
    label: 'Close with evidence',
    ...mark(...(d.closure?.evidence ?? []).map((e) => `closure.evidence.${e}`)),
    detail: { evidence: d.closure?.evidence ?? [] },
  });

  // next: inputs open the work, steps in order, then closure; stages in order through their gates.
  const steps = (d.steps ?? []).map((s) => s.id);
  const stages = d.stages ?? [];
  const first = steps[0] ?? stages[0]?.id ?? DERIVED_NODE_IDS.closure;
  for (const input of d.requiredInputs ?? []) edge(inputNodeId(input.name), first, 'next');
  steps.forEach((id, i) => {
    const to = steps[i + 1] ?? DERIVED_NODE_IDS.closure;
    edge(id, to, 'next');
    handoff(id, to);
  });
  stages.forEach((st, i) => {
    edge(st.id, gateNodeId(st.gate), 'next');
    handoff(st.id, gateNodeId(st.gate));
    const to = stages[i + 1]?.id ?? (steps.length ? undefined : DERIVED_NODE_IDS.closure);
    if (to) edge(gateNodeId(st.gate), to, 'next');
  });

  // governs: a rule or overlay → the systems its condition names; the handoff to a gate's or stop's owner.
  for (const r of [...(d.rules ?? []), ...(d.overlays ?? [])]) {
    const { systems, steps: about } = ruleTargets(r.when, d);
    const target = 'decision' in r ? r.id : gateNodeId(r.gate);
    for (const s of systems) edge(r.id, s, 'governs');
    if ('decision' in r && r.decision === 'run') continue;
    const from = about.length ? about : systems;
    for (const f of from) handoff(f, target, ownerOf.get(f) ?? DEFAULT_STEP_OWNER);
    if (!('decision' in r)) edge(r.id, target, 'governs');
  }

  // may_raise: a failed prerequisite raises PREREQ_MISSING, a blocked step any other allowed code.
  for (const code of d.exceptionCodes ?? []) {
    if (code === 'PREREQ_MISSING')
      for (const input of d.requiredInputs ?? []) edge(inputNodeId(input.name), code, 'may_raise');
    else
      for (const id of steps) {
        edge(id, code, 'may_raise');
        handoff(id, code);
      }
  }
  // Break-glass and delegation may be used at any step: each step hands off to them.
  for (const derived of [DERIVED_NODE_IDS.breakGlass, DERIVED_NODE_IDS.delegation])
    if (nodes.some((n) => n.id === derived))
      for (const id of steps) handoff(id, derived, ownerOf.get(id), ownerOf.get(derived) ?? 'delegate');

  receiptPlan.push(...receiptsOf(d));
  return {
    jobType: d.jobType,
    version: d.version,
    sha256,
    title: d.title,
    owner: d.owner,
    nodes,
    edges,
    receiptPlan,
    knownFailures: (d.knownFailures ?? []).map((k) => ({ at: k.at, note: k.note })),
  };
}

/** A node per rule: a wait rule is a gate, a stop rule a stop with its reason, a run rule a run. */
function ruleNodes(d: WorkflowDefinition, node: (n: MapNode) => void, mark: ReturnType<typeof patternMark>): void {
  for (const r of d.rules ?? []) {
    const detail: MapNode['detail'] = { when: r.when, decision: r.decision };
    if (r.decision === 'stop') detail.reason = r.reason ?? `rule ${r.id} stops this action`;
    if (r.decision === 'wait') detail.gate = r.gate ?? r.id;
    node({ id: r.id, kind: RULE_KIND[r.decision], label: r.id, ...ruleOwner(r, d), ...mark(`rules.${r.id}`), detail });
  }
}

const ruleOwner = (r: Rule, d: WorkflowDefinition) => (r.decision === 'run' ? {} : { owner: r.owner ?? d.owner });

/** Where receipts are written: every decision, each step's evidence, each stage's artifact, closure's evidence. */
function receiptsOf(d: WorkflowDefinition): ReceiptPlanEntry[] {
  return [
    ...d.systems.map((s) => ({ at: s.name, receipts: s.rollback ? ['decision', 'rollback-note'] : ['decision'] })),
    ...(d.rules ?? []).map((r) => ({ at: r.id, receipts: ['decision'] })),
    ...(d.steps ?? []).map((s) => ({ at: s.id, receipts: s.evidence?.length ? s.evidence : ['step'] })),
    ...(d.stages ?? []).map((s) => ({ at: s.id, receipts: [s.artifact] })),
    ...(d.breakGlass?.allowed ? [{ at: DERIVED_NODE_IDS.breakGlass, receipts: ['decision', 'post-review'] }] : []),
    { at: DERIVED_NODE_IDS.closure, receipts: d.closure?.evidence ?? [] },
  ];
}
