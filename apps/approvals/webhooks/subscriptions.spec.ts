import { NOTIFICATION_TYPES } from '@workgate/contracts';
import { entryMatches, unknownEntries, wants } from './subscriptions';

describe('webhook subscriptions', () => {
  it('match a type exactly, as a dotted prefix, or with *', () => {
    expect(entryMatches('approval.requested', 'approval.requested')).toBe(true);
    expect(entryMatches('approval', 'approval.requested')).toBe(true);
    expect(entryMatches('*', 'decision.stopped')).toBe(true);
    expect(entryMatches('approval.requested', 'approval.reminder')).toBe(false);
    // A prefix ends at a dot: `post` is not a prefix of `post_review.due`.
    expect(entryMatches('post', 'post_review.due')).toBe(false);
    expect(entryMatches('approval.req', 'approval.requested')).toBe(false);
  });

  it('name the entries that match no notification type', () => {
    expect(unknownEntries(['approval', 'post_review.due', '*', ...NOTIFICATION_TYPES])).toEqual([]);
    expect(unknownEntries(['approvals', 'approval.granted', 'Approval.Requested', 'approval.'])).toEqual([
      'approvals',
      'approval.granted',
      'Approval.Requested',
      'approval.',
    ]);
  });

  it('take notifications of their types, addressed to one of their principals when they name any', () => {
    expect(wants({ events: ['approval'] }, 'approval.decided', ['ana'])).toBe(true);
    expect(wants({ events: ['approval'] }, 'exception.raised', ['ana'])).toBe(false);
    expect(wants({ events: ['*'], principals: ['ana', 'bo'] }, 'exception.raised', ['bo'])).toBe(true);
    expect(wants({ events: ['*'], principals: ['ana'] }, 'exception.raised', ['bo'])).toBe(false);
    expect(wants({ events: ['*'], principals: ['ana'] }, 'decision.stopped', [])).toBe(false);
  });
});
