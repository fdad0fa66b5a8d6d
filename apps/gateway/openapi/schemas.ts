import { ErrorCodes, NOTIFICATION_TYPES, VIEW_NAMES, viewColumns } from '@workgate/contracts';

/**
 * The schemas of what the API answers (OpenAPI 3.1, i.e. JSON Schema 2020-12), one per answer
 * type of `libs/contracts`. Objects list the fields always present as required and allow more:
 * a client must ignore fields it does not know. Request bodies are described from their
 * validation rules instead (from-validation.ts).
 */
export type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const str: Schema = { type: 'string' };
const time: Schema = { type: 'string', format: 'date-time' };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const sha256: Schema = { type: 'string', pattern: '^[0-9a-f]{64}$' };
const base64Hash: Schema = { type: 'string', pattern: '^[A-Za-z0-9+/]{43}=$' };
const strings: Schema = { type: 'array', items: str };
const nullable = (schema: Schema): Schema => ({ oneOf: [schema, { type: 'null' }] });
const array = (items: Schema): Schema => ({ type: 'array', items });
const oneOf = (...values: string[]): Schema => ({ type: 'string', enum: values });
const map = (values: Schema = {}): Schema => ({ type: 'object', additionalProperties: values });

/** An object whose `required` fields are always there, and `optional` ones sometimes. */
function object(required: Record<string, Schema>, optional: Record<string, Schema> = {}, description?: string): Schema {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    required: Object.keys(required),
    properties: { ...required, ...optional },
  };
}

const workOrderStatus = oneOf('open', 'blocked', 'closed', 'stopped');
const approvalStatus = oneOf('requested', 'conditional', 'approved', 'rejected', 'expired');
const decision = oneOf('run', 'wait', 'stop');
const scope = object({ system: str, operation: str, kind: oneOf('read', 'write') });
const permittedAction = object({ system: str, operation: str, kind: oneOf('read', 'write') }, { objects: strings });
const policyRef = object({ jobType: str, version: int, sha256 });
const prerequisite = object({ name: str, ok: bool }, { reason: str });
const evidence = object({ kind: str, ref: str }, { sha256, private: bool, note: str });
const scopeChecks = object({ passed: int, total: int });
const tracks = array(
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
const conditions = array(object({ conditionId: str, title: str, owner: str, closed: bool }, { dueAt: time }));
const closure = nullable(object({ at: time, evidenceMissing: bool }));

const ANSWERS: Record<string, Schema> = {
  ExceptionRef: object({ exceptionId: str, code: str, owner: str, dueAt: time, stepId: nullable(str), rationale: str }),
  OpenedAnswer: object(
    { id: str, status: workOrderStatus, prerequisites: array(prerequisite), exceptions: array(ref('ExceptionRef')) },
    {},
    'the work order opened (or the one already open for this source and externalRef)',
  ),
  ActionAnswer: object(
    {
      actionId: str,
      receiptId: str,
      decision,
      reason: oneOf(
        'work_order_blocked',
        'system_not_named',
        'read_not_allowed',
        'write_not_allowed',
        'rule_error',
        'rule_matched',
        'inside_boundary',
        'scope_not_approved',
        'gate_not_approved',
      ),
      message: str,
      rule: nullable(str),
      decisionOwner: nullable(str),
      policy: policyRef,
      objectsNamed: int,
      scopeChecks,
      inputsSha256: sha256,
    },
    {
      approvalId: { ...str, description: 'the approval a `wait` waits for, or the one that must approve first' },
      overlays: strings,
    },
    'the decision on the action: run, wait for its named owner, or stop with a reason',
  ),
  BreakGlassAnswer: object({
    actionId: str,
    decision: oneOf('run'),
    reason: oneOf('break_glass'),
    receiptId: str,
    exception: ref('ExceptionRef'),
    postReview: object({ id: str, owner: str, dueAt: time }),
  }),
  StepAnswer: object(
    { workOrderId: str, stepId: str, status: oneOf('completed', 'blocked'), receiptId: str },
    { exception: ref('ExceptionRef') },
  ),
  StatusAnswer: object({ id: str, status: workOrderStatus }, { receiptId: str, evidenceMissing: bool }),
  ArtifactAnswer: object({
    workOrderId: str,
    stageId: str,
    receiptId: str,
    gate: object({
      approvalId: str,
      kind: str,
      owner: str,
      status: approvalStatus,
      openConditions: strings,
      action: scope,
    }),
  }),
  ScopeChangeAnswer: object({ scopeChangeId: str, workOrderId: str, receiptId: str, add: array(scope), tracks }),
  DelegationAnswer: object({ dispatchId: str, dispatchCreatedAt: time, reminders: array(time), timeoutAt: time }),
};

const VIEWS: Record<string, Schema> = {
  WorkOrderListItem: object({
    id: str,
    source: str,
    externalRef: str,
    jobType: str,
    version: int,
    owner: str,
    status: workOrderStatus,
    openedAt: time,
    updatedAt: time,
    closedAt: nullable(time),
    evidenceMissing: bool,
    reopened: int,
  }),
  WorkOrderHandoff: object(
    {
      id: str,
      status: workOrderStatus,
      jobType: str,
      workflow: object({ title: str, version: int, sha256 }),
      client: str,
      project: str,
      source: str,
      externalRef: str,
      owner: str,
      stage: str,
      nextStage: str,
      stages: array(
        object({
          id: str,
          artifact: nullable(object({ kind: str, ref: str, recordedAt: time })),
          gate: object({ kind: str, status: str, owner: str }, { approvalId: str }),
        }),
      ),
      approvals: map(str),
      pendingApprovals: array(
        object({ approvalId: str, kind: str, status: approvalStatus, owner: str }, { actionId: str }),
      ),
      prerequisites: array(prerequisite),
      steps: array(
        object({ id: str, title: str, status: oneOf('completed', 'blocked', 'pending'), evidenceRequired: strings }),
      ),
      openExceptions: array(ref('ExceptionRef')),
      scopeChanges: array(object({ scopeChangeId: str, add: array(scope), reason: str, requestedAt: time, tracks })),
      blockers: strings,
      openQuestions: strings,
      artifacts: array(object({ stageId: str, kind: str, ref: str })),
      nextAction: str,
      nextOwner: str,
      closure,
      reopened: int,
    },
    {},
    'the compact state handoff of a work order; what is not known yet reads `TBD`',
  ),
  RecordedEvent: object({
    position: int,
    streamId: str,
    streamVersion: int,
    eventId: str,
    type: str,
    data: map(),
    metadata: map(),
    occurredAt: time,
    recordedAt: time,
    prevHash: sha256,
    hash: sha256,
  }),
  DeliveryPage: object(
    {
      workOrder: str,
      title: str,
      status: workOrderStatus,
      workflow: str,
      decisions: array(
        object(
          {
            at: time,
            action: str,
            decision,
            reason: str,
            message: str,
            rule: nullable(str),
            decisionOwner: nullable(str),
            scopeChecks,
            policy: str,
          },
          {
            outcome: object(
              { status: { type: 'string', enum: ['approved', 'rejected', 'expired', 'conditional'] }, at: time },
              { by: str, openConditions: int },
            ),
          },
        ),
      ),
      steps: array(object({ id: str, title: str, status: str, evidence: array(object({ kind: str })) })),
      stage: str,
      stages: array(object({ id: str, artifact: nullable(str), gate: str })),
      blockers: strings,
      openExceptions: array(object({ code: str, owner: str, dueAt: time, stepId: nullable(str) })),
      waitingFor: array(object({ what: str, owner: str })),
      nextMoves: strings,
      whoDecidesNext: nullable(str),
      closure,
    },
    {},
    'the public delivery page: no facts, inputs, evidence references or private evidence',
  ),
  Receipt: object(
    {
      receiptId: str,
      kind: str,
      workOrderId: str,
      actor: str,
      at: time,
      policy: policyRef,
      evidence: array(evidence),
      ledger: object({ position: int, hash: sha256, prevHash: sha256 }),
    },
    {
      decision,
      reason: str,
      inputsSha256: sha256,
      event: { ...ref('RecordedEvent'), description: 'the recorded event itself (ops leads only)' },
      proof: ref('InclusionProof'),
      proofUnavailable: str,
    },
  ),
  InclusionProof: object(
    {
      leafIndex: int,
      treeSize: int,
      inclusion: array(base64Hash),
      checkpoint: { ...str, description: 'the C2SP signed note of the tree the proof leads to' },
    },
    {},
    'an RFC 9162 inclusion proof of the event (leaf = its chain hash) against a signed checkpoint',
  ),
  ConsistencyProof: object(
    { from: int, to: int, proof: array(base64Hash), fromRoot: base64Hash, toRoot: base64Hash },
    {},
    'an RFC 9162 consistency proof',
  ),
  ApprovalView: object(
    {
      approvalId: str,
      workOrderId: str,
      actionId: str,
      owner: str,
      requestedBy: str,
      requestedAt: time,
      expiresAt: time,
      status: approvalStatus,
    },
    {
      kind: str,
      requestedAction: permittedAction,
      decidedBy: str,
      permittedAction,
      conditions,
    },
  ),
  ApprovalQueueRow: {
    allOf: [
      ref(viewSchemaName('approvals')),
      object({}, { conditions }, "a conditional approval's row lists its conditions"),
    ],
  },
  ExceptionView: object({
    exceptionId: str,
    status: oneOf('open', 'resolved'),
    workOrderId: str,
    stepId: nullable(str),
    code: str,
    owner: str,
    dueAt: time,
    slaBreached: bool,
    remediations: array(object({ taskId: str, title: str, owner: str, due: time, closed: bool })),
  }),
  ExceptionListItem: object({
    exceptionId: str,
    workOrderId: str,
    externalRef: str,
    source: str,
    jobType: str,
    code: str,
    owner: str,
    stepId: nullable(str),
    raisedAt: time,
    dueAt: time,
    resolvedAt: nullable(time),
    slaBreached: bool,
    remediationsOpen: int,
  }),
  DecisionRecord: object(
    {
      receiptId: str,
      actionId: str,
      at: time,
      action: object(
        { system: str, operation: str, kind: oneOf('read', 'write') },
        { objects: strings, stepId: str, argumentsSha256: sha256 },
      ),
      facts: map(),
      decision,
      reason: str,
      message: str,
      rule: nullable(str),
      decisionOwner: nullable(str),
      policy: policyRef,
    },
    { approvalId: str },
  ),
  Principal: object({
    id: str,
    roles: array(oneOf('integrator', 'operator', 'approver', 'analyst', 'ops-lead', 'admin')),
  }),
  PostReviewView: object({
    postReviewId: str,
    status: oneOf('due', 'completed'),
    workOrderId: str,
    exceptionId: str,
    reviewer: str,
    dueAt: time,
    overdueNotified: bool,
  }),
  DelegationView: object({
    dispatchId: str,
    dispatchCreatedAt: time,
    status: oneOf('dispatched', 'confirmed', 'timed_out'),
    workOrderId: str,
    recipient: str,
    owner: str,
    command: oneOf('delegate_task', 'execute'),
    reminders: array(time),
    remindersSent: int,
    timeoutAt: time,
  }),
  InboxMessage: object({
    dispatchId: str,
    dispatchCreatedAt: time,
    command: oneOf('delegate_task', 'execute'),
    workOrderId: str,
    from: str,
    prompt: object(
      {},
      {
        objective: str,
        scope: str,
        artifacts: array(object({}, { path: str, access: str })),
        verification: strings,
        completion: str,
      },
    ),
  }),
  RejectionsPage: object(
    {
      rejections: array(
        object({
          rejectionId: str,
          channel: oneOf('nats', 'http'),
          source: str,
          subject: str,
          receivedAt: time,
          headers: map(str),
          rawBase64: str,
          rawBytes: int,
          rawSha256: sha256,
          truncated: bool,
          reasons: strings,
          position: int,
        }),
      ),
    },
    { next: { ...int, description: 'pass as `before` for the next (older) page' } },
  ),
  IngestAnswer: object(
    {
      accepted: int,
      results: array(
        object({
          id: str,
          ok: { const: true },
          answer: { description: 'what the command answers, as over its route' },
        }),
      ),
    },
    {},
    'every event committed, in order',
  ),
  ReadAllResult: object({
    events: array(ref('RecordedEvent')),
    next: { ...int, description: 'pass as `after` for the next page' },
  }),
  VerifyResult: object(
    { ok: bool, checked: int, headHash: str, headPosition: int },
    { firstBadPosition: int, problem: str },
  ),
  SignedCheckpoint: object(
    {
      position: int,
      headHash: sha256,
      at: time,
      keyId: str,
      signature: str,
      publicKey: str,
      treeSize: int,
      rootHash: base64Hash,
      note: str,
      verifierKey: str,
    },
    {},
    '`note`: the C2SP signed note of the tree (origin, size, root); `signature`: Ed25519 over the RFC 8785 JSON of {position, headHash, at, keyId}',
  ),
  PublishWorkflowResult: object({
    jobType: str,
    version: int,
    sha256,
    created: { ...bool, description: 'false when identical content was already published (nothing written)' },
  }),
  WorkflowSummary: object({
    jobType: str,
    title: str,
    owner: str,
    currentVersion: int,
    versions: array(object({ version: int, sha256, publishedAt: time })),
  }),
  WorkflowVersion: object({
    jobType: str,
    version: int,
    sha256,
    publishedAt: time,
    definition: ref('WorkflowDefinitionDto'),
  }),
  SimulateResult: object({
    evaluated: int,
    changed: array(
      object({
        actionId: str,
        before: decision,
        after: decision,
        rule: nullable(str),
        because: object({ before: ref('SimulatedVerdict'), after: ref('SimulatedVerdict') }),
      }),
    ),
  }),
  SimulatedVerdict: object({ decision, reason: str, rule: nullable(str), message: str }),
  ExceptionCode: object({ code: str, title: str, owner: str, sla: { ...str, description: 'ISO 8601 duration' } }),
  WebhookView: object({ id: str, url: str, events: strings, createdAt: time, createdBy: str }, { principals: strings }),
  CreatedWebhook: object(
    { id: str, url: str, events: strings, createdAt: time, createdBy: str },
    {
      principals: strings,
      secret: {
        type: 'string',
        pattern: '^whsec_[A-Za-z0-9+/]+={0,2}$',
        description:
          'the signing secret (Standard Webhooks), shown only in the first answer: absent from a replay with the same Idempotency-Key',
      },
    },
  ),
  WebhookDelivery: object(
    {
      deliveryId: { ...str, description: 'also the `webhook-id` of every attempt' },
      type: oneOf(...NOTIFICATION_TYPES),
      status: oneOf('pending', 'delivered', 'dead'),
      attempts: array(object({ at: time }, { status: int, error: str })),
      createdAt: time,
    },
    { nextAttemptAt: time },
  ),
  Health: object({ status: oneOf('ok', 'error'), info: map(), error: map(), details: map() }),
};

/** A view's rows: its columns, each a string, number, boolean or null. */
function viewRows(): Record<string, Schema> {
  const cell: Schema = { type: ['string', 'number', 'boolean', 'null'] };
  const rows: Record<string, Schema> = {};
  for (const view of VIEW_NAMES) {
    const columns = viewColumns(view, 'version');
    rows[viewSchemaName(view)] = {
      type: 'object',
      properties: Object.fromEntries(columns.map((c) => [c, cell])),
      required: viewColumns(view),
    };
  }
  return rows;
}

export function viewSchemaName(view: string): string {
  return `View_${view.replace(/[^a-z]+/g, '_')}`;
}

/** The error body, and per status the codes of the catalog it can carry. */
function errors(): Record<string, Schema> {
  const schemas: Record<string, Schema> = {
    Error: object(
      {
        error: { type: 'string', enum: Object.keys(ErrorCodes), description: 'a stable code of the catalog' },
        message: str,
      },
      { details: { type: 'array', description: 'what exactly: for validation, {path, message} per problem' } },
      'the one error body of the API',
    ),
  };
  for (const status of ERROR_STATUSES)
    schemas[`Error${status}`] = { allOf: [ref('Error'), object({ error: { enum: codesOf(status) } })] };
  return schemas;
}

export function codesOf(status: number): string[] {
  return Object.entries(ErrorCodes)
    .filter(([, s]) => s === status)
    .map(([code]) => code);
}

/** The error statuses routes answer (500 is never documented: it is a defect, not a contract). */
export const ERROR_STATUSES = [400, 401, 403, 404, 409, 413, 415, 422, 429, 431, 503, 504] as const;

export function responseSchemas(): Record<string, Schema> {
  return { ...ANSWERS, ...VIEWS, ...viewRows(), ...errors() };
}
