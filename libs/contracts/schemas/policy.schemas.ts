import type { ExceptionCode as ExceptionCodeType } from '../exception.events';
import type * as C from '../policy';
import {
  array,
  bool,
  component,
  described,
  documents,
  int,
  nullable,
  object,
  refTo,
  sha256,
  str,
  time,
} from './json-schema';
import { decision } from './shapes';

/** What the policy service answers: workflow versions, simulations, and the exception codes. */
export const PublishWorkflowResult = component(
  'PublishWorkflowResult',
  documents<C.PublishWorkflowResult>()(
    object({
      jobType: str,
      version: int,
      sha256,
      created: described(bool, 'false when identical content was already published (nothing written)'),
    }),
  ),
);

export const WorkflowSummary = component(
  'WorkflowSummary',
  documents<C.WorkflowSummary>()(
    object({
      jobType: str,
      title: str,
      owner: str,
      currentVersion: int,
      versions: array(object({ version: int, sha256, publishedAt: time })),
    }),
  ),
);

/** The workflow definition is described from its validation rules, under this name. */
export const WORKFLOW_DEFINITION = 'WorkflowDefinitionDto';

export const WorkflowVersion = component(
  'WorkflowVersion',
  documents<C.WorkflowVersion>()(
    object({ jobType: str, version: int, sha256, publishedAt: time, definition: refTo(WORKFLOW_DEFINITION) }),
  ),
);

export const SimulatedVerdict = component(
  'SimulatedVerdict',
  documents<C.SimulatedVerdict>()(
    object({
      decision,
      rule: described(nullable(str), 'the rule that decided; null only when the boundary did (named by `reason`)'),
      reason: str,
    }),
  ),
);

export const SimulatedChange = component(
  'SimulatedChange',
  documents<C.SimulatedChange>()(
    object({
      actionId: str,
      workOrderId: str,
      before: described(SimulatedVerdict.ref, 'under the version it was decided by'),
      after: described(SimulatedVerdict.ref, 'under the draft'),
      message: described(str, 'a sentence: what was asked, what was decided then, what the draft would decide and why'),
    }),
  ),
);

export const SimulateResult = component(
  'SimulateResult',
  documents<C.SimulateResult>()(object({ evaluated: int, changed: array(SimulatedChange.ref) })),
);

export const ExceptionCode = component(
  'ExceptionCode',
  documents<ExceptionCodeType>()(
    object(
      { code: str, title: str, owner: str, sla: described(str, 'ISO 8601 duration') },
      {
        escalateTo: described(str, 'the principal an exception still open past its SLA is escalated to'),
        escalateAfter: described(str, 'ISO 8601 duration after the SLA due time (default PT0S)'),
      },
    ),
  ),
);
