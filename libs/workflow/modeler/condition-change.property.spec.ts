import { checkWorkflowEdits } from './condition-change.fixtures';

/** 500 generated cases in `npm test`; the faults tier sets WORKGATE_PROPERTY_RUNS (10,000). */
const CASES = Number(process.env.WORKGATE_PROPERTY_RUNS ?? 500);

describe('a version the diff says does not widen decides no action more softly than the one before', () => {
  it(`${CASES} generated workflows and edits, each decided over every assignment of the facts and actions`, () => {
    const seen = checkWorkflowEdits(CASES);
    // The edits are drawn so that versions that do not widen are met, not only the safe `widens`.
    expect(seen.narrows).toBeGreaterThan(CASES / 20);
    expect(seen.neutral).toBeGreaterThan(CASES / 50);
    // Some seconds of CEL evaluation: room for a busy machine, not a bound on speed.
  }, 3_600_000);
});
