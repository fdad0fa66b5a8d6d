import type { WorkflowDefinition } from '@workgate/contracts';

/** A literal list of `n` zeros, for loops whose cost a condition's author chooses. */
export const zeros = (n: number) => `[${Array.from({ length: n }, () => '0').join(',')}]`;

/** The workflow an analyst's hostile simulation starts from (`npm run bench:hostile` and its e2e spec). */
export const NOTES: WorkflowDefinition = {
  jobType: 'hostile-notes',
  version: 1,
  title: 'Notes',
  owner: 'support-lead',
  systems: [{ name: 'shop', read: true, write: ['order.note'] }],
  rules: [{ id: 'vip-waits', when: 'has(facts.vip) && facts.vip == true', decision: 'wait' }],
};

/** The draft an analyst simulates: NOTES with one more rule, before the others. */
export const draftWith = (when: string): WorkflowDefinition => ({
  ...NOTES,
  version: 2,
  rules: [{ id: 'expensive', when, decision: 'run' }, ...(NOTES.rules ?? [])],
});
