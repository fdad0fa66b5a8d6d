import { hash } from 'node:crypto';
import { canonicalize, type ExceptionCode, type WorkflowDefinition } from '@workgate/contracts';
import { workflowMap } from './map';

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const same = (a: unknown, b: unknown) => canonicalize(a ?? null) === canonicalize(b ?? null);

/** Shaped enough as a workflow definition for its map and boundary to be built from it. */
function isDefinition(x: unknown): x is WorkflowDefinition {
  return (
    isRecord(x) &&
    typeof x.jobType === 'string' &&
    Number.isSafeInteger(x.version) &&
    Array.isArray(x.systems) &&
    Array.isArray(x.steps) &&
    (x.rules === undefined || Array.isArray(x.rules))
  );
}

/**
 * The exception catalog as the package's map shows it: an exception node's label, owner and SLA come
 * from the catalog of the day the package was made, not from the definition, so they are taken as given.
 */
function catalogOf(map: unknown): Map<string, ExceptionCode> {
  const catalog = new Map<string, ExceptionCode>();
  const nodes: unknown[] = isRecord(map) && Array.isArray(map.nodes) ? map.nodes : [];
  for (const n of nodes)
    if (isRecord(n) && n.kind === 'exception' && typeof n.id === 'string' && typeof n.owner === 'string') {
      const sla = isRecord(n.detail) ? n.detail.sla : undefined;
      catalog.set(n.id, { code: n.id, title: String(n.label), owner: n.owner, sla: String(sla) });
    }
  return catalog;
}

/** The first part of the package's map that is not what the definition gives, named. */
function mapDifference(got: unknown, fresh: Record<string, unknown>): string | undefined {
  if (!isRecord(got)) return 'the map is not an object';
  for (const key of Object.keys(fresh)) {
    if (same(got[key], fresh[key])) continue;
    const given: unknown[] = Array.isArray(got[key]) ? got[key] : [];
    const built: unknown[] = Array.isArray(fresh[key]) ? fresh[key] : [];
    const differs = built.find((item, i) => !same(item, given[i])) ?? given[built.length];
    const id = !isRecord(differs)
      ? undefined
      : typeof differs.id === 'string'
        ? differs.id
        : `${String(differs.from)} → ${String(differs.to)}`;
    const are = Array.isArray(fresh[key]) ? 'are' : 'is';
    return `its ${key}${id === undefined ? '' : ` (at ${id})`} ${are} not what the definition gives`;
  }
  return Object.keys(got).find((key) => !(key in fresh)) && 'it has fields the definition does not give';
}

/**
 * A proof package's boundary ({systems, rules}) and map re-derived from its definition and compared:
 * a rule deleted from the boundary, a node or edge changed in the map is named. An exception node's
 * label, owner and SLA come from the exception catalog, not the definition: those are taken from the
 * package's map; everything else of the map the definition alone determines.
 */
export function checkBoundaryAndMap(pkg: Record<string, unknown>): { lines: string[]; problems: string[] } {
  const text = pkg.definition;
  let definition: unknown;
  try {
    definition = typeof text === 'string' ? JSON.parse(text) : undefined;
  } catch {
    definition = undefined;
  }
  if (typeof text !== 'string' || !isDefinition(definition))
    return {
      lines: [],
      problems: [
        'boundary: the definition is not a workflow definition: the boundary cannot be re-derived',
        'map: the definition is not a workflow definition: the map cannot be re-derived',
      ],
    };
  const problems: string[] = [];
  const boundary = { systems: definition.systems, rules: definition.rules ?? [] };
  if (!same(pkg.boundary, boundary)) {
    const given = isRecord(pkg.boundary) ? pkg.boundary : {};
    problems.push(
      same(given.systems, boundary.systems)
        ? "boundary: its rules are not the definition's rules"
        : "boundary: its systems are not the definition's systems",
    );
  }
  let fresh: Record<string, unknown> | undefined;
  try {
    fresh = { ...workflowMap(definition, hash('sha256', text), catalogOf(pkg.map)) };
  } catch {
    problems.push('map: it cannot be built from the definition');
  }
  const differs = fresh && mapDifference(pkg.map, fresh);
  if (differs) problems.push(`map: ${differs}`);
  const lines = problems.length
    ? []
    : [
        "boundary: the definition's systems and rules",
        "map: built afresh from the definition, the same nodes and edges (exception nodes' labels, owners and SLAs are the exception catalog's as issued: the issuance record holds the map's sha256)",
      ];
  return { lines, problems };
}
