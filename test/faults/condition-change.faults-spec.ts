import fc from 'fast-check';
import { conditionChangeArb, judge } from '../../libs/workflow/condition-change.fixtures';

/** The unit test's property (libs/workflow/condition-change.spec.ts) with at least 10,000 cases. */
const CASES = Number(process.env.WORKGATE_CONDITION_CASES ?? 10_000);

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
    expect(seen.narrows).toBeGreaterThan(CASES / 20);
    expect(seen.neutral).toBeGreaterThan(CASES / 50);
  }, 3_600_000);
});
