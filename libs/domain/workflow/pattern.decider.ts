import { EventOf, PatternChangeProposedData, PatternDefinition, refuse } from '@workgate/contracts';
import { changeReviewers, DEFAULT_APPROVAL_TIMEOUT, diffPatterns, parseDuration } from '@workgate/workflow';
import { Aggregate, Clock, versionedEventId } from '../aggregate';
import { deterministicUuid } from '../ids';

/** What a pattern's stream (`pattern-<name>`) records: its versions by content hash, the newest, and versions waiting. */
export type PatternState =
  | { status: 'none' }
  | {
      status: 'published';
      /** sha256 -> version, of every version published. */
      published: ReadonlyMap<string, number>;
      current: PatternDefinition;
      /** Widening versions waiting for their approval, by approval id. */
      pending: ReadonlyMap<string, PatternChangeProposedData>;
    };

export type PatternCommand =
  | {
      type: 'PublishPattern';
      pattern: PatternDefinition;
      sha256: string;
      by: string;
      /** False for the deployer's own files (patterns/ at start): they publish at once. */
      governed?: boolean;
      /** Ids for a proposal, should the version widen the newest one. */
      changeId?: string;
      approvalId?: string;
      /** The principals with both the admin and the approver role: who reviews an owner's own change by default. */
      adminApprovers?: readonly string[];
    }
  | {
      type: 'ClosePatternChange';
      approvalId: string;
      outcome: 'approved' | 'rejected' | 'expired' | 'withdrawn';
      by?: string;
    };

export type PatternEvent = EventOf<'pattern'> & { eventId?: string };

export const initialPatternState = (): PatternState => ({ status: 'none' });

const pendingOf = (state: PatternState) =>
  state.status === 'published' ? state.pending : new Map<string, PatternChangeProposedData>();

/**
 * Publishing a pattern (docs/patterns.md, Changing a pattern): versions only go up, and the same
 * content published or waiting again records nothing. A governed version that widens what derived
 * workflows may do (`diffPatterns`) is proposed to the newest version's owner (to its
 * changeReviewers, or the other admins with the approver role, when that owner proposes it;
 * refused when there are none) and published only when approved; the first version, a version
 * that narrows or changes nothing that matters, and the deployer's own files publish at once.
 */
export function decidePattern(command: PatternCommand, state: PatternState, clock: Clock): PatternEvent[] {
  if (command.type === 'ClosePatternChange') return closeChange(command, state);
  const { pattern, sha256, by } = command;
  const pending = pendingOf(state);
  if (state.status === 'published' && state.published.has(sha256)) return [];
  if ([...pending.values()].some((c) => c.sha256 === sha256)) return [];
  const highest = Math.max(
    state.status === 'published' ? state.current.version : 0,
    ...[...pending.values()].map((c) => c.version),
  );
  if (pattern.version <= highest)
    throw refuse(
      'version_not_higher',
      `pattern ${pattern.name} is at version ${highest}; a new pattern needs a higher version than ${pattern.version}`,
      [{ name: pattern.name, currentVersion: highest, version: pattern.version }],
    );
  const published: PatternEvent = {
    type: 'PatternPublished',
    eventId: deterministicUuid('PatternPublished', sha256),
    data: { name: pattern.name, version: pattern.version, sha256, pattern, publishedBy: by },
  };
  if (state.status !== 'published' || command.governed === false) return [published];
  const diff = diffPatterns(state.current, pattern);
  if (!diff.widens) return [published];
  const { changeId, approvalId } = command;
  if (!changeId || !approvalId) throw new Error('a governed pattern version needs a change id and an approval id');
  const owner = state.current.owner;
  const reviewers = by === owner ? changeReviewers(state.current, by, command.adminApprovers ?? []) : undefined;
  if (reviewers?.length === 0)
    throw refuse(
      'no_reviewers',
      `${by} owns pattern ${pattern.name}: its change needs another reviewer (changeReviewers, or another admin with the approver role) and there is none`,
      [{ name: pattern.name, owner, changeReviewers: state.current.changeReviewers ?? null }],
    );
  const timeout = parseDuration(state.current.approval?.timeout ?? DEFAULT_APPROVAL_TIMEOUT) ?? 0;
  const data: PatternChangeProposedData = {
    changeId,
    approvalId,
    name: pattern.name,
    fromVersion: state.current.version,
    version: pattern.version,
    sha256,
    changes: diff.changes,
    owner,
    proposedBy: by,
    ...(reviewers ? { reviewers } : {}),
    expiresAt: new Date(Date.parse(clock.now) + timeout).toISOString(),
    pattern,
  };
  return [{ type: 'PatternChangeProposed', data }];
}

/** A waiting version's approval was decided, withdrawn or expired: it is published or closed. */
function closeChange(
  command: Extract<PatternCommand, { type: 'ClosePatternChange' }>,
  state: PatternState,
): PatternEvent[] {
  if (state.status !== 'published') return [];
  const change = state.pending.get(command.approvalId);
  if (!change) return []; // closed already
  const { changeId, approvalId, name, version, sha256, pattern, proposedBy } = change;
  const closed = { changeId, approvalId, name, version, ...(command.by ? { decidedBy: command.by } : {}) };
  if (command.outcome !== 'approved')
    return [{ type: 'PatternChangeClosed', data: { ...closed, outcome: command.outcome } }];
  if (version <= state.current.version)
    return [{ type: 'PatternChangeClosed', data: { ...closed, outcome: 'superseded' } }];
  return [
    {
      type: 'PatternPublished',
      eventId: deterministicUuid('PatternPublished', sha256),
      data: {
        name,
        version,
        sha256,
        pattern,
        publishedBy: proposedBy,
        approvalId,
        ...(command.by ? { approvedBy: command.by } : {}),
      },
    },
  ];
}

export function evolvePattern(state: PatternState, event: PatternEvent): PatternState {
  const pending = new Map(pendingOf(state));
  switch (event.type) {
    case 'PatternPublished': {
      const { version, sha256, pattern, approvalId } = event.data;
      if (approvalId) pending.delete(approvalId);
      if (state.status === 'none')
        return { status: 'published', published: new Map([[sha256, version]]), current: pattern, pending };
      const published = new Map(state.published).set(sha256, version);
      const current = state.current.version > version ? state.current : pattern;
      return { status: 'published', published, current, pending };
    }
    case 'PatternChangeProposed':
      if (state.status === 'none') return state;
      return { ...state, pending: pending.set(event.data.approvalId, event.data) };
    case 'PatternChangeClosed':
      if (state.status === 'none') return state;
      pending.delete(event.data.approvalId);
      return { ...state, pending };
  }
}

/** A pattern's aggregate (`pattern-<name>`). */
export const patterns: Aggregate<PatternState, PatternCommand, PatternEvent> = {
  stream: 'pattern',
  initial: initialPatternState,
  evolve: evolvePattern,
  decide: decidePattern,
  eventId: versionedEventId('pattern'),
};
