import type { ExceptionRef as ExceptionRefType } from '../work-order.events';
import {
  array,
  bool,
  component,
  documents,
  int,
  nullable,
  object,
  oneOf,
  sha256,
  str,
  strings,
  time,
} from './json-schema';

/** Pieces several answers share. */
export const workOrderStatus = oneOf('open', 'blocked', 'closed', 'stopped');
export const approvalStatus = oneOf('requested', 'conditional', 'approved', 'rejected', 'expired', 'withdrawn');
export const decision = oneOf('run', 'wait', 'stop');
export const actionKind = oneOf('read', 'write');
/** What names an action: its system, operation and kind (a scope; a permitted action and a recorded one add to it). */
export const scopeFields = { system: str, operation: str, kind: actionKind };
export const scope = object(scopeFields);
export const permittedAction = object(scopeFields, { objects: strings });
export const policyRef = object(
  { jobType: str, version: int, sha256 },
  { pattern: object({ name: str, version: int, sha256 }) },
);
export const prerequisite = object({ name: str, ok: bool }, { reason: str });
export const evidence = object({ kind: str, ref: str }, { sha256, private: bool, note: str });
export const scopeChecks = object({ passed: int, total: int });
export const tracks = array(
  object({
    kind: str,
    approvalId: str,
    status: approvalStatus,
    mode: oneOf('draft-only', 'approved'),
    owner: str,
    scope,
    blockers: strings,
  }),
);
export const conditions = array(object({ conditionId: str, title: str, owner: str, closed: bool }, { dueAt: time }));
export const closure = nullable(object({ at: time, evidenceMissing: bool }));

export const ExceptionRef = component(
  'ExceptionRef',
  documents<ExceptionRefType>()(
    object({ exceptionId: str, code: str, owner: str, dueAt: time, stepId: nullable(str), rationale: str }),
  ),
);
