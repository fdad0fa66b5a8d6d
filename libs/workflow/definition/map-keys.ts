import { WorkflowDefinition } from './definition';
import { Arrived, fieldsOf, listOf } from './arrived';
import type { Problem } from './problem';

/**
 * The map's keys (docs/policy.md, The definition) that the schema cannot check alone: an object lives in a named
 * system, and a known failure is declared at a step, system or rule of this definition.
 */
export function mapKeyProblems(d: Arrived<WorkflowDefinition>, systemNames: ReadonlySet<unknown>): Problem[] {
  const problems: Problem[] = [];
  listOf(d.objects).forEach((raw, i) => {
    const { system } = fieldsOf(raw);
    if (typeof system === 'string' && !systemNames.has(system))
      problems.push({ path: `objects[${i}].system`, message: `names system "${system}", which is not in systems` });
  });
  const ids = new Set<unknown>(systemNames);
  for (const list of [d.steps, d.rules]) for (const item of listOf(list)) ids.add(String(fieldsOf(item).id));
  listOf(d.knownFailures).forEach((raw, i) => {
    const { at } = fieldsOf(raw);
    if (typeof at === 'string' && !ids.has(at))
      problems.push({
        path: `knownFailures[${i}].at`,
        message: `"${at}" is not a step, system or rule of this workflow`,
      });
  });
  return problems;
}
