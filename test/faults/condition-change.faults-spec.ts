import { checkWorkflowEdits } from '../../libs/workflow/condition-change.fixtures';

/** The unit test's property (libs/workflow/condition-change.spec.ts) with at least 10,000 cases. */
const CASES = Number(process.env.WORKGATE_CONDITION_CASES ?? 10_000);

describe('a version the diff says does not widen decides no action more softly than the one before', () => {
  it(`${CASES} generated workflows and edits, each decided over every assignment of the facts and actions`, () => {
    const seen = checkWorkflowEdits(CASES);
    expect(seen.narrows).toBeGreaterThan(CASES / 20);
    expect(seen.neutral).toBeGreaterThan(CASES / 50);
  }, 3_600_000);
});
