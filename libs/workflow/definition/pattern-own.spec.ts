import { PatternDefinition } from '@workgate/contracts';
import { mergeWithPattern, patternSha256 } from './pattern';
import { ownPartsOn } from './pattern-own';

/** A governed checklist (docs/patterns.md, The pattern). */
const V1: PatternDefinition = {
  name: 'governed-checklist',
  version: 1,
  title: 'Governed checklist',
  owner: 'controls',
  locked: ['rules', 'closure'],
  requiredInputs: [{ name: 'customerId' }],
  systems: [{ name: 'tracker', read: true, write: ['comment'] }],
  rules: [{ id: 'no-deletes', when: 'action.operation == "delete"', decision: 'stop', reason: 'nothing is deleted' }],
  steps: [{ id: 'check-prerequisites', title: 'Check the prerequisites' }],
  exceptionCodes: ['PREREQ_MISSING'],
  approval: { timeout: 'PT4H' },
  breakGlass: { allowed: true, postReviewDue: 'P2D', reviewer: 'controls' },
  closure: { evidence: ['handover-note'] },
};

/** A workflow as its owner wrote it, on V1. */
const REFUNDS = {
  jobType: 'refunds',
  version: 3,
  title: 'Refunds',
  owner: 'ana',
  extends: 'governed-checklist@1',
  systems: [{ name: 'payments', read: true, write: ['refund'] }],
  rules: [{ id: 'refunds-wait', when: 'action.operation == "refund"', decision: 'wait' }],
  steps: [{ id: 'refund', title: 'Refund the customer' }],
  exceptionCodes: ['PAYMENT_MISMATCH'],
  approval: { timeout: 'PT2H' },
  closure: { evidence: ['refund-receipt'] },
};

const effective = (written: Record<string, unknown>, pattern: PatternDefinition): Record<string, unknown> => {
  const merged = mergeWithPattern(written, { pattern, sha256: patternSha256(pattern) });
  if (!merged.ok) throw new Error(JSON.stringify(merged.problems));
  return merged.definition;
};

describe('a derived workflow’s own parts on a new pattern version', () => {
  it('are what its owner wrote, extending the new version at the next version', () => {
    const own = ownPartsOn(effective(REFUNDS, V1), V1, { name: 'governed-checklist', version: 2 });
    expect(own).toEqual({ ...REFUNDS, extends: 'governed-checklist@2', version: 4 });
  });

  it('drop what the pattern gave, keep a repeat of an approval key only where it differs', () => {
    const same = { ...REFUNDS, approval: { timeout: 'PT4H' }, breakGlass: { reviewer: 'audit' } };
    const own = ownPartsOn(effective(same, V1), V1, { name: 'governed-checklist', version: 2 });
    const { approval: _approval, ...rest } = same;
    expect(own).toEqual({ ...rest, extends: 'governed-checklist@2', version: 4 });
  });

  it('merge with the new version into the effective definition the new pattern gives', () => {
    const v2: PatternDefinition = { ...V1, version: 2, exceptionCodes: ['PREREQ_MISSING', 'LATE'] };
    const own = ownPartsOn(effective(REFUNDS, V1), V1, { name: v2.name, version: 2 });
    const onV2 = effective(own, v2);
    expect(onV2.exceptionCodes).toEqual(['PREREQ_MISSING', 'LATE', 'PAYMENT_MISMATCH']);
    expect(onV2.rules).toEqual([...V1.rules!, ...REFUNDS.rules]);
    expect(onV2.pattern).toEqual(expect.objectContaining({ name: 'governed-checklist', version: 2 }));
  });

  it('keep only the parts the pattern did not give, even when none are left', () => {
    const bare = { jobType: 'bare', version: 1, title: 'Bare', owner: 'bo', extends: 'governed-checklist@1' };
    expect(ownPartsOn(effective(bare, V1), V1, { name: V1.name, version: 2 })).toEqual({
      ...bare,
      extends: 'governed-checklist@2',
      version: 2,
    });
  });
});
