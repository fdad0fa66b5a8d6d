import {
  DerivedWorkflow,
  GetPatternRequest,
  PatternChangeFound,
  PatternChangeIdRequest,
  PatternNameRequest,
  PatternSummary,
  PatternVersion,
  PublishPatternRequest,
  PublishPatternOutcome,
} from './patterns';
import { Empty, rpc, Written } from './rpc';

/** The policy service's subjects of patterns (docs/patterns.md, The API), part of `Subjects.policy`. */
export const PATTERN_SUBJECTS = {
  /** A pattern version (docs/patterns.md): versions only go up; the same content again writes nothing; a widening one waits. */
  publishPattern: rpc<PublishPatternRequest, Written<PublishPatternOutcome>>('workgate.policy.publish-pattern'),
  getPattern: rpc<GetPatternRequest, PatternVersion>('workgate.policy.get-pattern'),
  listPatterns: rpc<Empty, PatternSummary[]>('workgate.policy.list-patterns'),
  /** The workflows whose current version extends a pattern, and whether each is behind its newest version. */
  derived: rpc<PatternNameRequest, DerivedWorkflow[]>('workgate.policy.derived'),
  /** A change of a pattern by its id, with its approval (`not_found` when the pattern never had it). */
  patternChange: rpc<PatternChangeIdRequest, PatternChangeFound>('workgate.policy.pattern-change'),
};
