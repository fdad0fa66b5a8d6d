import type * as P from '../patterns';
import { array, bool, component, described, documents, int, object, refTo, sha256, str, time } from './json-schema';
import { changeRefFields, changeRequested, changeStatus } from './workflow-change.schemas';

/** What the policy service answers of patterns (docs/patterns.md). */
export const PublishPatternResult = component(
  'PublishPatternResult',
  documents<P.PublishPatternResult>()(
    object({
      name: str,
      version: int,
      sha256,
      created: described(bool, 'false when identical content was already published (nothing written)'),
    }),
  ),
);

export const PatternSummary = component(
  'PatternSummary',
  documents<P.PatternSummary>()(
    object({
      name: str,
      title: str,
      owner: str,
      currentVersion: int,
      versions: array(object({ version: int, sha256, publishedAt: time })),
    }),
  ),
);

/** The pattern definition is described from its validation rules, under this name. */
export const PATTERN_DEFINITION = 'PatternDefinitionDto';

export const PatternVersion = component(
  'PatternVersion',
  documents<P.PatternVersion>()(
    object({ name: str, version: int, sha256, publishedAt: time, pattern: refTo(PATTERN_DEFINITION) }),
  ),
);

export const DerivedWorkflow = component(
  'DerivedWorkflow',
  documents<P.DerivedWorkflow>()(
    object({
      jobType: str,
      version: described(int, "the workflow's current version"),
      patternVersion: described(int, 'the pattern version it extends'),
      behind: described(bool, 'a newer version of the pattern is published'),
    }),
  ),
);

/** A `pattern-change` approval: the version proposed and its diff (docs/patterns.md, Changing a pattern). */
export const PatternChangeRef = component(
  'PatternChangeRef',
  documents<P.PatternChangeRef>()(
    object({ changeId: str, name: described(str, "the pattern's name"), ...changeRefFields }),
  ),
);

export const PatternChangeRequested = component(
  'PatternChangeRequested',
  documents<P.PatternChangeRequested>()(
    changeRequested(
      { changeId: str, approvalId: str, name: str },
      { of: 'the newest version', reviewers: "the pattern's `changeReviewers`" },
    ),
  ),
);

export const PatternChangeApplied = component(
  'PatternChangeApplied',
  documents<P.PatternChangeApplied>()(object({ changeId: str, name: str, version: int, status: changeStatus })),
);
