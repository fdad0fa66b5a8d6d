import { EventOf, PatternDefinition, refuse } from '@workgate/contracts';
import { Aggregate, Clock, versionedEventId } from '../aggregate';
import { deterministicUuid } from '../ids';

/** What a pattern's stream (`pattern-<name>`) records: its versions by content hash, and the newest. */
export type PatternState =
  | { status: 'none' }
  | {
      status: 'published';
      /** sha256 -> version, of every version published. */
      published: ReadonlyMap<string, number>;
      current: PatternDefinition;
    };

export type PatternCommand = { type: 'PublishPattern'; pattern: PatternDefinition; sha256: string; by: string };

export type PatternEvent = EventOf<'pattern'> & { eventId?: string };

export const initialPatternState = (): PatternState => ({ status: 'none' });

/**
 * Publishing a pattern (docs/patterns.md): versions only go up, and the same content published
 * again records nothing. Time comes in the clock, unused: a version is recorded at its commit.
 */
export function decidePattern(command: PatternCommand, state: PatternState, _clock: Clock): PatternEvent[] {
  const { pattern, sha256, by } = command;
  if (state.status === 'published' && state.published.has(sha256)) return [];
  const highest = state.status === 'published' ? state.current.version : 0;
  if (pattern.version <= highest)
    throw refuse(
      'version_not_higher',
      `pattern ${pattern.name} is at version ${highest}; a new pattern needs a higher version than ${pattern.version}`,
      [{ name: pattern.name, currentVersion: highest, version: pattern.version }],
    );
  return [
    {
      type: 'PatternPublished',
      eventId: deterministicUuid('PatternPublished', sha256),
      data: { name: pattern.name, version: pattern.version, sha256, pattern, publishedBy: by },
    },
  ];
}

export function evolvePattern(state: PatternState, event: PatternEvent): PatternState {
  const { version, sha256, pattern } = event.data;
  if (state.status === 'none')
    return { status: 'published', published: new Map([[sha256, version]]), current: pattern };
  const published = new Map(state.published).set(sha256, version);
  const current = state.current.version > version ? state.current : pattern;
  return { status: 'published', published, current };
}

/** A pattern's aggregate (`pattern-<name>`). */
export const patterns: Aggregate<PatternState, PatternCommand, PatternEvent> = {
  stream: 'pattern',
  initial: initialPatternState,
  evolve: evolvePattern,
  decide: decidePattern,
  eventId: versionedEventId('pattern'),
};
