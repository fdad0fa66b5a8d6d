import fc from 'fast-check';
import { conditionChangeArb, judge } from './condition-change.fixtures';

/** More cases in the faults tier (test/faults/condition-change.faults-spec.ts); at least 500 here. */
const CASES = Number(process.env.WORKGATE_CONDITION_CASES ?? 500);

describe('a condition change classified narrowing never lets through what the condition before held', () => {
  it(`${CASES} generated conditions and rewrites, each evaluated over every assignment of its facts`, () => {
    const seen = { narrows: 0, neutral: 0, widens: 0 };
    fc.assert(
      fc.property(conditionChangeArb, (change) => {
        const verdict = judge(change);
        for (const effect of verdict.effects) seen[effect]++;
        expect(verdict.wrong).toBeUndefined();
      }),
      { numRuns: CASES },
    );
    // The rewrites are drawn so that each classification is met, not only the safe `widens`.
    expect(seen.narrows).toBeGreaterThan(CASES / 20);
    expect(seen.neutral).toBeGreaterThan(CASES / 50);
  });
});
