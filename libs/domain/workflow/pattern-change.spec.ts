import { PatternDefinition } from '@workgate/contracts';
import { specify } from '../spec-support';
import { PatternCommand, patterns } from './pattern.decider';

/** Changing a pattern (docs/patterns.md, Changing a pattern). */
const T0 = '2026-11-22T10:00:00.000Z';
const v1: PatternDefinition = {
  name: 'checklist',
  version: 1,
  title: 'Checklist',
  owner: 'controls',
  locked: ['rules'],
  systems: [{ name: 'tracker', read: true, write: ['comment'] }],
  rules: [{ id: 'no-deletes', when: 'action.operation == "delete"', decision: 'stop' }],
  approval: { timeout: 'PT4H' },
};
/** Derived workflows may write more: widens. */
const wider = (version: number): PatternDefinition => ({
  ...v1,
  version,
  systems: [{ name: 'tracker', read: true, write: ['comment', 'close'] }],
});
/** Derived workflows must show more evidence: narrows. */
const narrower = (version: number): PatternDefinition => ({ ...v1, version, closure: { evidence: ['sign-off'] } });
const publish = (
  pattern: PatternDefinition,
  by: string,
  more: Partial<Extract<PatternCommand, { type: 'PublishPattern' }>> = {},
): PatternCommand => ({
  type: 'PublishPattern',
  pattern,
  sha256: `sha-${pattern.version}-${JSON.stringify(pattern)}`,
  by,
  governed: true,
  changeId: `ch-${pattern.version}`,
  approvalId: `ap-${pattern.version}`,
  ...more,
});
const close = (outcome: 'approved' | 'rejected', by = 'controls'): PatternCommand => ({
  type: 'ClosePatternChange',
  approvalId: 'ap-2',
  outcome,
  by,
});
const spec = specify(patterns, () => ({ now: T0 }));
const given = (...commands: PatternCommand[]) => spec.given(...spec.history(...commands));

describe('a new pattern version', () => {
  it('publishes at once when it narrows what derived workflows may do', () => {
    given(publish(v1, 'controls'))
      .when(publish(narrower(2), 'ana'))
      .then(['PatternPublished'], ([e], after) => {
        expect(e.data).toMatchObject({ version: 2, publishedBy: 'ana' });
        expect(after).toMatchObject({ current: { version: 2 } });
      });
  });

  it('that widens waits for the pattern owner, with its diff and a deadline from the approval time-out', () => {
    given(publish(v1, 'controls'))
      .when(publish(wider(2), 'ana'))
      .then(['PatternChangeProposed'], ([e], after) => {
        expect(e.data).toMatchObject({
          name: 'checklist',
          fromVersion: 1,
          version: 2,
          owner: 'controls',
          proposedBy: 'ana',
          expiresAt: '2026-11-22T14:00:00.000Z',
          changes: [expect.objectContaining({ path: 'systems[tracker].write', effect: 'widens', after: 'close' })],
        });
        expect(e.data).not.toHaveProperty('reviewers');
        expect(after).toMatchObject({ current: { version: 1 } });
      });
  });

  it('that widens, proposed by the owner, goes to its changeReviewers or the other admin approvers', () => {
    given(publish(v1, 'controls'))
      .when(publish(wider(2), 'controls', { adminApprovers: ['controls', 'sec'] }))
      .then(['PatternChangeProposed'], ([e]) => expect(e.data).toMatchObject({ reviewers: ['sec'] }));
    const named = { ...v1, changeReviewers: ['audit'] };
    given(publish(named, 'controls'))
      .when(publish({ ...wider(2), changeReviewers: ['audit'] }, 'controls', { adminApprovers: ['sec'] }))
      .then(['PatternChangeProposed'], ([e]) => expect(e.data).toMatchObject({ reviewers: ['audit'] }));
    given(publish(v1, 'controls'))
      .when(publish(wider(2), 'controls'))
      .thenThrows('no_reviewers');
  });

  it('from the deployer’s files, or the first one, publishes at once even when it widens', () => {
    given().when(publish(v1, 'deploy')).then(['PatternPublished']);
    given(publish(v1, 'controls'))
      .when(publish(wider(2), 'deploy', { governed: false }))
      .then(['PatternPublished']);
  });

  it('that waits is published on its approval, and the approval seen again records nothing', () => {
    given(publish(v1, 'controls'), publish(wider(2), 'ana'))
      .when(close('approved'))
      .then(['PatternPublished'], ([e], after) => {
        expect(e.data).toMatchObject({ version: 2, publishedBy: 'ana', approvalId: 'ap-2', approvedBy: 'controls' });
        expect(after).toMatchObject({ current: { version: 2 }, pending: new Map() });
      });
    given(publish(v1, 'controls'), publish(wider(2), 'ana'), close('approved'))
      .when(close('approved'))
      .then([]);
  });

  it('that waits is closed when rejected, the newest version staying in force', () => {
    given(publish(v1, 'controls'), publish(wider(2), 'ana'))
      .when(close('rejected'))
      .then(['PatternChangeClosed'], ([e], after) => {
        expect(e.data).toMatchObject({ version: 2, outcome: 'rejected', decidedBy: 'controls' });
        expect(after).toMatchObject({ current: { version: 1 } });
      });
  });

  it('needs a version higher than one waiting, and the same content again records nothing', () => {
    given(publish(v1, 'controls'), publish(wider(2), 'ana'))
      .when(publish(narrower(2), 'ana'))
      .thenThrows('version_not_higher');
    given(publish(v1, 'controls'), publish(wider(2), 'ana'))
      .when(publish(wider(2), 'ana'))
      .then([]);
  });

  it('approved after a higher version was published is superseded', () => {
    given(publish(v1, 'controls'), publish(wider(2), 'ana'), publish(narrower(3), 'ana'))
      .when(close('approved'))
      .then(['PatternChangeClosed'], ([e]) => expect(e.data).toMatchObject({ outcome: 'superseded' }));
  });
});
