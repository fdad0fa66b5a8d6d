import { createHash } from 'node:crypto';
import { canonicalize, type ExceptionCode } from '@workgate/contracts';
import { workflowMap } from './map';
import { checkBoundaryAndMap } from './package-boundary';
import { shippedWorkflow } from '../definition/test-fixtures';

const definition = shippedWorkflow('support-recovery');
const text = canonicalize(definition);
const sha = createHash('sha256').update(text).digest('hex');
const catalog = new Map<string, ExceptionCode>(
  (definition.exceptionCodes ?? []).map((code) => [code, { code, title: `${code} title`, owner: 'lead', sla: 'PT4H' }]),
);
/** What a proof package holds of the version: its definition text, its map and its boundary. */
const pkg = () => ({
  definition: text,
  map: workflowMap(definition, sha, catalog),
  boundary: { systems: definition.systems, rules: definition.rules ?? [] },
});

describe("a proof package's boundary and map, re-derived from its definition", () => {
  it('holds for the package as built, whatever the exception catalog said of its codes', () => {
    expect(checkBoundaryAndMap(pkg())).toEqual({
      problems: [],
      lines: [
        "boundary: the definition's systems and rules",
        "map: built afresh from the definition, the same nodes and edges (exception nodes' labels, owners and SLAs are the exception catalog's as issued: the issuance record holds the map's sha256)",
      ],
    });
    const bare = { ...pkg(), map: workflowMap(definition, sha) };
    expect(checkBoundaryAndMap(bare).problems).toEqual([]);
  });

  it('names a stop rule deleted from the boundary', () => {
    const p = pkg();
    const stop = p.boundary.rules.findIndex((r) => r.decision === 'stop');
    expect(stop).toBeGreaterThanOrEqual(0);
    const rules = p.boundary.rules.filter((_, i) => i !== stop);
    expect(checkBoundaryAndMap({ ...p, boundary: { ...p.boundary, rules } }).problems).toEqual([
      "boundary: its rules are not the definition's rules",
    ]);
    expect(checkBoundaryAndMap({ ...p, boundary: { ...p.boundary, systems: [] } }).problems).toEqual([
      "boundary: its systems are not the definition's systems",
    ]);
  });

  it('names a node or edge of the map the definition does not give', () => {
    const p = pkg();
    const stopNode = p.map.nodes.find((n) => n.kind === 'stop');
    expect(stopNode).toBeDefined();
    const nodes = p.map.nodes.filter((n) => n !== stopNode);
    expect(checkBoundaryAndMap({ ...p, map: { ...p.map, nodes } }).problems).toEqual([
      `map: its nodes (at ${stopNode?.id}) are not what the definition gives`,
    ]);
    const [first, ...edges] = p.map.edges;
    expect(checkBoundaryAndMap({ ...p, map: { ...p.map, edges } }).problems).toEqual([
      `map: its edges (at ${first.from} → ${first.to}) are not what the definition gives`,
    ]);
  });

  it('says so when the definition is not one', () => {
    expect(checkBoundaryAndMap({ ...pkg(), definition: '{"jobType":"x"}' }).problems).toEqual([
      'boundary: the definition is not a workflow definition: the boundary cannot be re-derived',
      'map: the definition is not a workflow definition: the map cannot be re-derived',
    ]);
  });
});
