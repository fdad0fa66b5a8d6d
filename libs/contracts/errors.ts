/**
 * Stable error codes. Every refusal carries one; it crosses NATS intact and the gateway
 * maps it to one HTTP status in one place.
 */
export const ErrorCodes = {
  validation_failed: 422,
  invalid_definition: 422,
  version_not_higher: 409,
  unknown_job_type: 404,
  unknown_version: 404,
  invalid_event: 422,
  version_conflict: 409,
  work_order_exists: 409,
  work_order_closed: 409,
  work_order_not_closed: 409,
  step_already_completed: 409,
  open_blockers: 409,
  closure_evidence_required: 422,
  step_evidence_required: 422,
  unknown_exception_code: 422,
  unknown_step: 404,
  duplicate_event_id: 409,
  idempotency_key_reused: 422,
  not_found: 404,
  not_owner: 403,
  self_approval: 403,
  not_reviewer: 403,
  delegate_cannot_confirm: 403,
  permitted_action_mismatch: 422,
  approval_decided: 409,
  already_decided: 409,
  no_reviewers: 409,
  not_requester: 403,
  exception_resolved: 409,
  result_recorded: 409,
  remediation_closed: 409,
  not_due: 409,
  break_glass_not_allowed: 422,
  prompt_incomplete: 422,
  private_path: 422,
  delegation_timed_out: 409,
  work_order_stopped: 409,
  post_review_completed: 409,
  remediation_required: 422,
  evidence_required: 422,
  approval_not_conditional: 409,
  condition_closed: 409,
  unknown_stage: 404,
  artifact_mismatch: 422,
  stage_gate_pending: 409,
  stage_gate_approved: 409,
  stage_gate_open: 409,
  already_in_scope: 422,
  scope_change_pending: 409,
  unauthorized: 401,
  forbidden: 403,
  token_expired: 401,
  token_not_yet_valid: 401,
  bad_audience: 401,
  bad_issuer: 401,
  bad_signature: 401,
  bad_algorithm: 401,
  unknown_key: 401,
  bad_token: 401,
  no_mapped_role: 403,
  principal_id_taken: 403,
  csrf_refused: 403,
  timeout: 504,
  unavailable: 503,
  not_caught_up: 503,
  internal: 500,
  malformed_json: 400,
  bad_request: 400,
  payload_too_large: 413,
  headers_too_large: 431,
  rate_limited: 429,
  unsupported_media_type: 415,
  route_not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
} as const;
/** A code of the catalog: a refusal with any other code does not compile. */
export type ErrorCode = keyof typeof ErrorCodes;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ErrorCodes, code);
}

export interface WireError {
  code: ErrorCode;
  message: string;
  details?: unknown[];
}

/** A refusal with a stable code; domain, store and service code throw these. */
export class WorkgateError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
    this.name = 'WorkgateError';
  }

  toWire(): WireError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  /** A code outside this version's catalog (a newer peer's) arrives as `internal`, never as an unmapped code. */
  static fromWire(wire: WireError): WorkgateError {
    return isErrorCode(wire?.code)
      ? new WorkgateError(wire.code, wire.message, wire.details)
      : new WorkgateError('internal', 'internal error');
  }
}

/** The refusal with a catalog code that deciders and services throw. */
export function refuse(code: ErrorCode, message: string, details?: unknown[]): WorkgateError {
  return new WorkgateError(code, message, details);
}

export function isWorkgateError(error: unknown): error is WorkgateError {
  return error instanceof WorkgateError;
}
