import type * as C from '../workflow-change';
import { WorkflowMap } from './map.schemas';
import {
  anything,
  array,
  bool,
  component,
  constant,
  described,
  documents,
  Fields,
  int,
  nullable,
  object,
  oneOf,
  sha256,
  str,
  strings,
  time,
} from './json-schema';
import { permittedAction } from './shapes';

/** Drafts, diffs and governed changes of workflows (docs/policy.md, Changing a workflow). */
export const DefinitionChange = component(
  'DefinitionChange',
  documents<C.DefinitionChange>()(
    object(
      {
        path: described(str, 'where in the definition, e.g. `systems[shop].write`'),
        effect: described(oneOf('widens', 'narrows', 'neutral'), 'what the change does to the boundary'),
        message: described(str, 'a sentence a person reads'),
      },
      { before: anything, after: anything },
    ),
  ),
);

export const WorkflowDiff = component(
  'WorkflowDiff',
  documents<C.WorkflowDiff>()(
    object({
      widens: described(bool, 'whether any change widens the boundary: such a version needs its owner’s approval'),
      changes: array(DefinitionChange.ref),
    }),
  ),
);

const problems = array(object({ path: str, message: str }));

export const WorkflowDraft = component(
  'WorkflowDraft',
  documents<C.WorkflowDraft>()(
    object({
      draftId: str,
      jobType: str,
      revision: int,
      savedBy: str,
      savedAt: time,
      source: described(anything, 'the definition as it was given: YAML/JSON text or an object'),
      problems: described(problems, 'what the validator found, each with its path'),
      diff: described(nullable(WorkflowDiff.ref), 'against the current version; null while the draft has problems'),
      map: described(nullable(WorkflowMap.ref), 'the map of the draft; null while it has problems'),
    }),
  ),
);

export const WorkflowDraftSummary = component(
  'WorkflowDraftSummary',
  documents<C.WorkflowDraftSummary>()(
    object({ draftId: str, jobType: str, revision: int, savedBy: str, savedAt: time, problems: int }),
  ),
);

/** What a change's approval is about besides what it changes: a workflow's or a pattern's (`PatternChangeRef`). */
export const changeRefFields = { fromVersion: int, version: int, sha256, changes: array(DefinitionChange.ref) };

export const WorkflowChangeRef = component(
  'WorkflowChangeRef',
  documents<C.WorkflowChangeRef>()(object({ changeId: str, jobType: str, ...changeRefFields }, { draftId: str })),
);

/**
 * What a widening change's 202 says besides what it changes: `owner` is the owner of `deciders.of`,
 * `reviewers` those named by `deciders.reviewers` or the other admins with the approver role.
 */
export const changeRequested = <R extends Fields>(named: R, deciders: { of: string; reviewers: string }) =>
  object(
    {
      ...named,
      version: int,
      sha256,
      owner: described(str, `the owner of ${deciders.of}: the one who approves`),
      status: constant('requested'),
      expiresAt: time,
      changes: array(DefinitionChange.ref),
      permittedAction: described(permittedAction, 'what an approver may name as `permittedAction` (none is needed)'),
    },
    {
      reviewers: described(
        strings,
        `when the owner proposed it: who decides it instead, any one of them (${deciders.reviewers}, or the other admins with the approver role)`,
      ),
    },
  );

export const WorkflowChangeRequested = component(
  'WorkflowChangeRequested',
  documents<C.WorkflowChangeRequested>()(
    changeRequested(
      { changeId: str, approvalId: str, jobType: str },
      { of: 'the version in force', reviewers: '`changeReviewers`' },
    ),
  ),
);

/** Where a change stands after its approval was decided: a workflow's or a pattern's. */
export const changeStatus = oneOf('requested', 'published', 'rejected', 'expired', 'withdrawn', 'superseded');

export const ChangeApplied = component(
  'ChangeApplied',
  documents<C.ChangeApplied>()(
    object({
      changeId: str,
      jobType: str,
      version: int,
      status: changeStatus,
    }),
  ),
);

export const ChangeDeciders = component(
  'ChangeDeciders',
  documents<C.ChangeDeciders>()(
    object({
      jobType: str,
      owner: described(str, 'the owner of the version in force: who decides a widening change someone else proposes'),
      reviewers: described(
        strings,
        'who decides a widening change the owner proposes (empty: nobody could, and such a change is refused)',
      ),
    }),
  ),
);
