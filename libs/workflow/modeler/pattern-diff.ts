import { PatternDefinition, WorkflowDefinition, WorkflowDiff } from '@workgate/contracts';
import { Changes } from './diff-changes';
import { diffDefinitions } from './diff';

/**
 * A pattern seen as a workflow definition, so that the workflow diff classifies its parts: the
 * name stands for the job type, and what the pattern locks is left to `diffPatterns`.
 */
export function patternAsDefinition(pattern: PatternDefinition): WorkflowDefinition {
  const { name, locked: _locked, systems, ...parts } = pattern;
  return { ...parts, jobType: name, systems: systems ?? [] };
}

/**
 * What changes from one pattern version to the next, each change classified by what derived
 * workflows may do after it (docs/patterns.md, Changing a pattern): the parts as a workflow diff
 * classifies them, and a part no longer locked widens (a derived workflow may then weaken it),
 * a part newly locked narrows. Pure.
 */
export function diffPatterns(before: PatternDefinition, after: PatternDefinition): WorkflowDiff {
  const parts = diffDefinitions(patternAsDefinition(before), patternAsDefinition(after));
  const locks = new Changes();
  locks.lists('locked', before.locked ?? [], after.locked ?? [], 'narrows', 'locked part');
  const changes = [...parts.changes, ...locks.list];
  return { widens: changes.some((c) => c.effect === 'widens'), changes };
}
