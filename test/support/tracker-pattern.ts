import type { PatternDefinition } from '@workgate/contracts';

/**
 * A pattern of one test file (its own `name` and `owner`): derived workflows may comment on the
 * tracker and deletes stop (`v1`); `v2` widens it, letting them close tickets too
 * (docs/patterns.md, Changing a pattern).
 */
export function trackerPattern(
  name: string,
  owner: string,
  title: string,
): { v1: PatternDefinition; v2: PatternDefinition } {
  const v1: PatternDefinition = {
    name,
    version: 1,
    title,
    owner,
    locked: ['rules'],
    systems: [{ name: 'tracker', read: true, write: ['comment'] }],
    rules: [{ id: 'no-deletes', when: 'action.operation == "delete"', decision: 'stop', reason: 'nothing is deleted' }],
  };
  return { v1, v2: { ...v1, version: 2, systems: [{ name: 'tracker', read: true, write: ['comment', 'close'] }] } };
}
