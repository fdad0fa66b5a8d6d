import fc from 'fast-check';
import { PatternDefinition } from '@workgate/contracts';
import { listOf } from './arrived';
import { mergeWithPattern, patternSha256 } from './pattern';

/** 500 cases in npm test; the faults tier sets WORKGATE_PROPERTY_RUNS (10,000). */
const RUNS = Number(process.env.WORKGATE_PROPERTY_RUNS ?? 500);

/**
 * The merge against a reference written the obvious way: for generated patterns and workflows over
 * a small pool of ids, the merge succeeds exactly when no id is defined twice and no locked map
 * part is weakened, and then the effective rules begin with the pattern's rules, unchanged, so no
 * rule of the workflow can decide before a rule of the pattern.
 */
describe('the merge, against a reference', () => {
  const rule = fc.record({
    id: fc.constantFrom('r1', 'r2', 'r3', 'r4'),
    when: fc.constantFrom('action.kind == "write"', 'action.operation == "delete"'),
    decision: fc.constantFrom('run', 'wait', 'stop'),
  });
  const step = fc.record({ id: fc.constantFrom('s1', 's2', 's3'), title: fc.constant('a step') });
  const uniqueBy = <T extends { id: string }>(arb: fc.Arbitrary<T>) =>
    fc.uniqueArray(arb, { selector: (x) => x.id, maxLength: 3 });
  const timeout = fc.constantFrom('PT1H', 'PT4H', 'P1D');
  const pattern = fc.record({
    rules: uniqueBy(rule),
    steps: uniqueBy(step),
    approval: fc.option(fc.record({ timeout }), { nil: undefined }),
    locked: fc.subarray(['rules', 'steps', 'approval'] as const),
  });
  const workflow = fc.record({
    rules: uniqueBy(rule),
    steps: uniqueBy(step),
    approval: fc.option(fc.record({ timeout }), { nil: undefined }),
  });
  const HOURS: Record<string, number> = { PT1H: 1, PT4H: 4, P1D: 24 };

  it('agrees on every generated pair', () => {
    fc.assert(
      fc.property(pattern, workflow, (p, w) => {
        const theirs: PatternDefinition = {
          name: 'p',
          version: 1,
          title: 'p',
          owner: 'o',
          ...p,
          locked: [...p.locked],
        };
        const merged = mergeWithPattern(
          { jobType: 'j', version: 1, title: 't', owner: 'o', systems: [], ...w },
          { pattern: theirs, sha256: patternSha256(theirs) },
        );
        const twice =
          w.rules.filter((r) => p.rules.some((q) => q.id === r.id)).length +
          w.steps.filter((s) => p.steps.some((q) => q.id === s.id)).length;
        const longer =
          p.locked.includes('approval') &&
          p.approval &&
          w.approval &&
          HOURS[w.approval.timeout] > HOURS[p.approval.timeout]
            ? 1
            : 0;
        expect(merged.ok ? 0 : merged.problems.length).toBe(twice + longer);
        if (!merged.ok) return;
        const rules = listOf(merged.definition.rules);
        expect(rules.slice(0, p.rules.length)).toEqual(p.rules);
        expect(rules).toHaveLength(p.rules.length + w.rules.length);
        expect(merged.definition.approval).toEqual(
          p.approval || w.approval ? { ...p.approval, ...w.approval } : undefined,
        );
      }),
      { numRuns: RUNS },
    );
  });
});
