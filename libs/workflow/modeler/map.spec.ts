import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ExceptionCode, WorkflowMap } from '@workgate/contracts';
import { workflowMap } from './map';
import { SHIPPED, shippedWorkflow } from '../definition/test-fixtures';

const ROOT = join(__dirname, '..', '..', '..');
type Raw = Record<string, unknown>;
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const isRaw = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const yamlOf = (file: string): Raw => {
  const v: unknown = parse(readFileSync(join(ROOT, file), 'utf8'));
  if (!isRaw(v)) throw new Error(`${file} is not a mapping`);
  return v;
};
const list = (v: unknown): Raw[] => (Array.isArray(v) ? v.filter(isRaw) : []);
/** A shipped workflow's effective definition as plain JSON, walked as its YAML would be. */
const effective = (jobType: string): Raw => {
  const v: unknown = JSON.parse(JSON.stringify(shippedWorkflow(jobType)));
  if (!isRaw(v)) throw new Error(`${jobType} is not a mapping`);
  return v;
};

/** The seed catalog, read here as the exceptions service reads it. */
const CATALOG = new Map<string, ExceptionCode>(
  list(yamlOf('config/exception-codes.yaml').codes).map((c) => [
    String(c.code),
    { code: String(c.code), title: String(c.title), owner: String(c.owner), sla: String(c.sla) },
  ]),
);

/** Every node id a definition's map must have, found by walking its YAML (docs/views.md, The live workflow map). */
function expectedIds(d: Raw): string[] {
  const gates = [...list(d.stages), ...list(d.overlays)].map((g) => `gate:${String(g.gate)}`);
  return [
    ...list(d.steps).map((s) => String(s.id)),
    ...list(d.rules).map((r) => String(r.id)),
    ...list(d.systems).map((s) => String(s.name)),
    ...strings(d.exceptionCodes),
    ...list(d.stages).map((s) => String(s.id)),
    ...list(d.overlays).map((o) => String(o.id)),
    ...list(d.requiredInputs).map((i) => `input:${String(i.name)}`),
    ...list(d.objects).map((o) => `object:${String(o.name)}`),
    ...new Set(gates),
    ...(list([d.breakGlass])[0]?.allowed === true ? ['break-glass'] : []),
    ...(d.delegation !== undefined ? ['delegation'] : []),
    'closure',
  ];
}

/** The systems a rule's condition names literally: `action.system == "x"` or `action.system in ["x", "y"]`. */
function systemsNamed(when: string): string[] {
  const eq = [...when.matchAll(/action\.system\s*==\s*"([^"]+)"/g)].map((m) => m[1]);
  const inList = [...when.matchAll(/action\.system\s+in\s+\[([^\]]*)\]/g)].flatMap((m) =>
    [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]),
  );
  return [...eq, ...inList];
}

const has = (map: WorkflowMap, from: string, to: string, kind: string) =>
  map.edges.some((e) => e.from === from && e.to === to && e.kind === kind);

describe.each(SHIPPED)('the map of the shipped workflow %s', (jobType) => {
  // What the map is drawn from: the file merged with the pattern it extends (docs/patterns.md).
  const raw = effective(jobType);
  const map = workflowMap(shippedWorkflow(jobType), 'f'.repeat(64), CATALOG);
  const ids = map.nodes.map((n) => n.id);

  it('has exactly one node per id of the definition, plus the derived nodes', () => {
    const expected = expectedIds(raw);
    expect(new Set(expected).size).toBe(expected.length);
    expect([...ids].sort()).toEqual([...expected].sort());
  });

  it('draws every edge between two of its nodes', () => {
    const known = new Set(ids);
    expect(map.edges.filter((e) => !known.has(e.from) || !known.has(e.to))).toEqual([]);
  });

  it('gives every step and stage its next', () => {
    const steps = list(raw.steps).map((s) => String(s.id));
    steps.forEach((id, i) => expect([id, has(map, id, steps[i + 1] ?? 'closure', 'next')]).toEqual([id, true]));
    const stages = list(raw.stages);
    stages.forEach((st, i) => {
      const gate = `gate:${String(st.gate)}`;
      expect([st.id, has(map, String(st.id), gate, 'next')]).toEqual([st.id, true]);
      const after = stages[i + 1] ? String(stages[i + 1].id) : steps.length ? undefined : 'closure';
      if (after) expect([gate, after, has(map, gate, after, 'next')]).toEqual([gate, after, true]);
    });
  });

  it('has every wait or stop rule that names a system govern it', () => {
    const rules = list(raw.rules).filter((r) => r.decision === 'wait' || r.decision === 'stop');
    const named = rules.flatMap((r) => systemsNamed(String(r.when)).map((s) => [String(r.id), s] as const));
    for (const [rule, system] of named)
      expect([rule, system, has(map, rule, system, 'governs')]).toEqual([rule, system, true]);
  });

  it('labels every handoff "a → b" with two different owners', () => {
    for (const e of map.edges.filter((x) => x.kind === 'handoff')) {
      const m = /^(.+) → (.+)$/.exec(e.label ?? '');
      expect([e.from, e.to, e.label, m !== null && m[1] !== m[2]]).toEqual([e.from, e.to, e.label, true]);
    }
  });

  it('carries the declared known failures as written', () => {
    expect(map.knownFailures).toEqual(list(raw.knownFailures).map((k) => ({ at: k.at, note: k.note })));
  });
});
