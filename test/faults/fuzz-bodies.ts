import { Step } from './fuzz-json';

/** Write routes that take no body (one sent is not read). */
export const BODILESS = [
  'POST /v1/webhooks/{id}/deliveries/{deliveryId}/retry',
  'POST /v1/workflows/{jobType}/drafts/{draftId}/propose',
  'POST /v1/workflows/{jobType}/changes/{changeId}/withdraw',
  'POST /v1/patterns/{name}/changes/{changeId}/withdraw',
];

/** Valid bodies of the write routes, with the free-form maps inside them (any keys are data there). */
export const validBodies = (checkpoint: unknown): Record<string, unknown> => ({
  'POST /v1/work-orders': {
    jobType: 'support-recovery',
    externalRef: 'FUZZ-V',
    source: 'fuzz',
    inputs: { caseId: 'C', orderId: '2', orderPaid: true },
    owner: 'support-lead',
  },
  'POST /v1/work-orders/{id}/actions': {
    system: 'shop',
    operation: 'customer.reply',
    kind: 'write',
    facts: { tone: 'calm' },
    objects: ['order:1'],
    stepId: 'confirm-customer',
  },
  'POST /v1/work-orders/{id}/steps/{stepId}/complete': {
    evidence: [{ kind: 'receipt', ref: 'r-1', sha256: 'a'.repeat(64), private: false, note: 'sent' }],
    note: 'done',
  },
  'POST /v1/work-orders/{id}/steps/{stepId}/block': { code: 'CUSTOMER_UNREACHABLE', rationale: 'no answer' },
  'POST /v1/work-orders/{id}/close': { closureEvidenceId: 'CE-1', evidence: [{ kind: 'closure-note', ref: 'n-1' }] },
  'POST /v1/work-orders/{id}/reopen': { reason: 'the customer wrote again' },
  'POST /v1/work-orders/{id}/stop': { reason: 'the agent gave up' },
  'POST /v1/work-orders/{id}/actions/{actionId}/result': { resultSha256: 'b'.repeat(64), isError: false },
  'POST /v1/work-orders/{id}/break-glass': {
    code: 'CUSTOMER_UNREACHABLE',
    rationale: 'urgent',
    action: { system: 'shop', operation: 'order.note', kind: 'write', facts: { urgent: true }, objects: ['order:1'] },
  },
  'POST /v1/work-orders/{id}/stages/{stageId}/artifact': {
    artifact: { kind: 'requirements-brief', ref: 'DISC-1' },
    evidence: [{ kind: 'doc', ref: 'd-1' }],
  },
  'POST /v1/work-orders/{id}/scope-changes': {
    add: [{ system: 'support-desk', operation: 'refund.recommend', kind: 'write' }],
    reason: 'the client asks',
  },
  'POST /v1/work-orders/{id}/delegations': {
    recipient: 'agent-7',
    command: 'delegate_task',
    prompt: {
      objective: 'fix it',
      scope: 'libs only',
      artifacts: [{ path: 'src/b.ts', access: 'read' }],
      verification: ['npm test'],
      completion: 'wait',
    },
    timeouts: { initialWait: 'PT30M', reminderEvery: 'PT15M', backoff: 2, hardTimeout: 'PT4H' },
  },
  'POST /v1/approvals/{id}/decision': {
    decision: 'conditional',
    permittedAction: { system: 'payments', operation: 'refund', kind: 'write', objects: [] },
    conditions: ['refund under 50'],
    note: 'ok',
  },
  'POST /v1/approvals/{id}/conditions/{conditionId}/close': { evidence: { kind: 'check', ref: 'CHK-1' } },
  'POST /v1/exceptions/{id}/remediations': {
    title: 'train the team',
    owner: 'support-lead',
    due: '2026-12-01T00:00:00Z',
  },
  'POST /v1/exceptions/{id}/remediations/{taskId}/close': { evidence: { kind: 'training-log', ref: 'T-1' } },
  'POST /v1/exceptions/{id}/resolve': {
    resolution: 'customer reached',
    evidence: [{ kind: 'call-log', ref: 'CL-1' }],
  },
  'POST /v1/post-reviews/{id}/complete': {
    outcome: 'justified',
    remediation: { title: 'a fast lane', owner: 'support-lead', due: '2026-12-15T00:00:00Z' },
  },
  'POST /v1/delegations/{dispatchId}/confirm': { note: 'verified' },
  'POST /v1/workflows': { definition: FUZZ_FLOW },
  'POST /v1/patterns': {
    definition: {
      name: 'fuzz-pattern',
      version: 1,
      title: 'Fuzz pattern',
      owner: 'support-lead',
      exceptionCodes: ['PREREQ_MISSING'],
    },
  },
  'POST /v1/workflows/{jobType}/simulate': {
    definition: { ...FUZZ_FLOW, jobType: 'support-recovery' },
    from: '2026-01-01T00:00:00Z',
    to: '2030-01-01T00:00:00Z',
  },
  'POST /v1/workflows/{jobType}/drafts': { definition: { ...FUZZ_FLOW, jobType: 'support-recovery' } },
  'PUT /v1/workflows/{jobType}/drafts/{draftId}': { definition: { ...FUZZ_FLOW, jobType: 'support-recovery' } },
  'POST /v1/workflows/{jobType}/drafts/{draftId}/simulate': {
    from: '2026-01-01T00:00:00Z',
    to: '2030-01-01T00:00:00Z',
  },
  'POST /v1/exception-codes': { code: 'FUZZ_CODE', title: 'A fuzzed code', owner: 'support-lead', sla: 'PT4H' },
  'POST /v1/ledger/verify': { checkpoint },
  'POST /v1/webhooks': {
    url: 'http://127.0.0.1:9/fuzz?x=1',
    events: ['approval.reminder', 'decision'],
    principals: ['support-lead'],
  },
  'POST /v1/events': {
    specversion: '1.0',
    id: 'fuzz-1',
    source: 'fuzz',
    type: 'workgate.workorder.open',
    subject: 'FUZZ-CE',
    data: { jobType: 'support-recovery', inputs: { caseId: 'C', orderId: '3', orderPaid: true } },
  },
});

/** A workflow of its own for publish and simulate. */
export const FUZZ_FLOW = {
  jobType: 'fuzz-flow',
  version: 1,
  title: 'Fuzz flow',
  owner: 'support-lead',
  requiredInputs: [{ name: 'caseId' }],
  systems: [{ name: 'shop', read: true, write: ['order.note'] }],
  rules: [{ id: 'refunds-wait', when: 'action.operation == "refund"', decision: 'wait' }],
  steps: [{ id: 'check', title: 'Check', evidence: ['receipt'] }],
  approval: { timeout: 'PT1H' },
  breakGlass: { allowed: true, postReviewDue: 'PT48H', reviewer: 'support-lead' },
  closure: { evidence: ['closure-note'] },
  exceptionCodes: ['CUSTOMER_UNREACHABLE'],
};

/** Where any key is data, not a field: the maps of facts and inputs, a workflow definition's own validator, a checkpoint. */
export const FREE: Record<string, Step[][]> = {
  'POST /v1/work-orders': [['inputs']],
  'POST /v1/work-orders/{id}/actions': [['facts']],
  'POST /v1/work-orders/{id}/break-glass': [['action', 'facts']],
  'POST /v1/ledger/verify': [['checkpoint']],
  // A CloudEvent may carry extension attributes; its data is a command body.
  'POST /v1/events': [[], ['data', 'inputs']],
};
/** Routes that keep a definition with its problems (a draft) instead of refusing it. */
export const DRAFTS = ['POST /v1/workflows/{jobType}/drafts', 'PUT /v1/workflows/{jobType}/drafts/{draftId}'];
export const isFree = (key: string, at: Step[]) =>
  (FREE[key] ?? []).some((prefix) => (prefix.length === 0 ? at.length === 0 : prefix.every((s, j) => at[j] === s)));
