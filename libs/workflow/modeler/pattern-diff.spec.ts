import fc from 'fast-check';
import { PATTERN_PARTS, PatternDefinition } from '@workgate/contracts';
import { diffPatterns } from './pattern-diff';

/** A governed checklist (docs/patterns.md, The pattern). */
const V1: PatternDefinition = {
  name: 'governed-checklist',
  version: 1,
  title: 'Governed checklist',
  owner: 'controls',
  locked: ['rules', 'closure'],
  systems: [{ name: 'tracker', read: true, write: ['comment'] }],
  rules: [{ id: 'no-deletes', when: 'action.operation == "delete"', decision: 'stop', reason: 'nothing is deleted' }],
  approval: { timeout: 'PT4H' },
  closure: { evidence: ['handover-note'] },
};
const v2 = (change: Partial<PatternDefinition>): PatternDefinition => ({ ...V1, version: 2, ...change });

describe('a pattern change (docs/patterns.md, Changing a pattern)', () => {
  it('narrows when derived workflows may do less: a stricter rule, a shorter time-out, more evidence', () => {
    const stricter = v2({
      rules: [...V1.rules!, { id: 'no-bulk', when: 'action.operation == "bulk"', decision: 'stop' }],
      approval: { timeout: 'PT2H' },
      closure: { evidence: ['handover-note', 'sign-off'] },
    });
    const diff = diffPatterns(V1, stricter);
    expect(diff.widens).toBe(false);
    expect(diff.changes.map((c) => [c.path, c.effect])).toEqual(
      expect.arrayContaining([
        ['approval.timeout', 'narrows'],
        ['closure.evidence', 'narrows'],
      ]),
    );
  });

  it('widens when a write is added, a rule dropped or a part unlocked', () => {
    expect(diffPatterns(V1, v2({ systems: [{ name: 'tracker', read: true, write: ['comment', 'close'] }] }))).toEqual(
      expect.objectContaining({ widens: true }),
    );
    expect(diffPatterns(V1, v2({ rules: [] })).widens).toBe(true);
    expect(diffPatterns(V1, v2({ locked: ['closure'] }))).toEqual({
      widens: true,
      changes: [{ path: 'locked', effect: 'widens', message: 'locked part "rules" removed', before: 'rules' }],
    });
  });

  it('is neutral for a new title or version alone, and narrows when a part is locked', () => {
    expect(diffPatterns(V1, v2({}))).toEqual({ widens: false, changes: [] });
    expect(diffPatterns(V1, v2({ title: 'Checklist' })).changes.map((c) => c.effect)).toEqual(['neutral']);
    expect(diffPatterns(V1, v2({ locked: ['rules', 'closure', 'approval'] })).changes).toEqual([
      { path: 'locked', effect: 'narrows', message: 'locked part "approval" added', after: 'approval' },
    ]);
  });

  it('widens exactly when a lock is lifted or a write added (against a plain set reference)', () => {
    const writes = ['comment', 'close', 'assign', 'delete'];
    const side = fc.record({
      locked: fc.subarray([...PATTERN_PARTS]),
      write: fc.subarray(writes),
    });
    fc.assert(
      fc.property(side, side, (b, a) => {
        const pattern = (s: typeof b, version: number): PatternDefinition => ({
          ...V1,
          version,
          locked: s.locked,
          systems: [{ name: 'tracker', read: true, write: s.write }],
        });
        const lifted = b.locked.some((p) => !a.locked.includes(p));
        const added = a.write.some((w) => !b.write.includes(w));
        expect(diffPatterns(pattern(b, 1), pattern(a, 2)).widens).toBe(lifted || added);
      }),
    );
  });
});
