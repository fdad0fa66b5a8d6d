import * as dtos from './dto';

/** Every DTO of a body, with a value it accepts. */
export const VALID: Array<[new () => object, Record<string, unknown>]> = [
  [dtos.EvidenceDto, { kind: 'receipt', ref: 'r-1', sha256: 'f'.repeat(64), private: true, note: 'n' }],
  [
    dtos.OpenWorkOrderDto,
    { jobType: 'support-recovery', externalRef: 'CASE-1', source: 'helpdesk', inputs: { caseId: 'C-1' }, owner: 'ops' },
  ],
  [
    dtos.RequestActionDto,
    {
      system: 'shop',
      operation: 'order.note',
      kind: 'write',
      objects: ['order:1'],
      facts: { paid: true },
      stepId: 's',
    },
  ],
  [dtos.CompleteStepDto, { evidence: [{ kind: 'receipt', ref: 'r-1' }], note: 'done' }],
  [dtos.BlockStepDto, { code: 'PREREQ_MISSING', rationale: 'no address' }],
  [dtos.CloseWorkOrderDto, { closureEvidenceId: 'e-1', evidence: [{ kind: 'receipt', ref: 'r-1' }] }],
  [dtos.ReportClosureDto, { closedAt: '2026-11-23T05:00:00Z', note: 'closed', evidence: [] }],
  [dtos.ReopenWorkOrderDto, { reason: 'customer called back' }],
  [dtos.CompleteStepEventDto, { stepId: 'inspect-case', evidence: [{ kind: 'receipt', ref: 'r-1' }] }],
  [dtos.BlockStepEventDto, { stepId: 'inspect-case', code: 'PREREQ_MISSING', rationale: 'r' }],
  [dtos.OpenWorkOrderEventDto, { jobType: 'support-recovery', inputs: {} }],
  [dtos.BreakGlassActionDto, { system: 'shop', operation: 'refund', kind: 'write' }],
  [
    dtos.BreakGlassDto,
    { code: 'OUTAGE', rationale: 'r', action: { system: 'shop', operation: 'refund', kind: 'write' } },
  ],
  [dtos.StageArtifactDto, { kind: 'draft', ref: 'doc-1' }],
  [dtos.RecordArtifactDto, { artifact: { kind: 'draft', ref: 'doc-1' } }],
  [
    dtos.RecordArtifactEventDto,
    { stageId: 'draft', artifact: { kind: 'draft', ref: 'doc-1' }, evidence: [{ kind: 'k', ref: 'r' }] },
  ],
  [dtos.ActionScopeDto, { system: 'crm', operation: 'contact.update', kind: 'write' }],
  [dtos.ChangeScopeDto, { add: [{ system: 'crm', operation: 'contact.update', kind: 'write' }], reason: 'r' }],
  [dtos.DelegationArtifactDto, { path: 'notes/a.md', access: 'read' }],
  [
    dtos.DelegationPromptDto,
    {
      objective: 'o',
      scope: 's',
      artifacts: [{ path: 'a', access: 'write' }],
      verification: ['npm test'],
      completion: 'c',
    },
  ],
  [dtos.DelegationTimeoutsDto, { initialWait: 'PT30M', reminderEvery: 'PT15M', backoff: 2, hardTimeout: 'PT4H' }],
  [
    dtos.DispatchDelegationDto,
    { recipient: 'agent-7', command: 'delegate_task', prompt: { objective: 'o' }, timeouts: { hardTimeout: 'PT1H' } },
  ],
  [dtos.ConfirmDelegationDto, { note: 'checked the diff' }],
  [dtos.PermittedActionDto, { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1'] }],
  [
    dtos.DecideApprovalDto,
    {
      decision: 'conditional',
      permittedAction: { system: 'payments', operation: 'refund', kind: 'write' },
      conditions: ['R-03', { id: 'c-2', title: 'cap', owner: 'o', due: 'P14D' }],
      note: 'n',
    },
  ],
  [dtos.ConditionDto, { id: 'R-03', title: 'retention policy signed', owner: 'dpo', due: '2026-12-01T00:00:00Z' }],
  [dtos.CloseConditionDto, { evidence: { kind: 'policy-doc', ref: 'p-1' } }],
  [dtos.RemediationDto, { title: 't', owner: 'o', due: '2026-12-01T00:00:00Z' }],
  [
    dtos.CompletePostReviewDto,
    { outcome: 'justified', remediation: { title: 't', owner: 'o', due: '2026-12-01T00:00:00Z' } },
  ],
  [dtos.ResolveExceptionDto, { resolution: 'called back', evidence: [{ kind: 'call-log', ref: 'c-1' }] }],
  [dtos.CloseRemediationDto, { evidence: { kind: 'change', ref: 'PR-1' } }],
  [
    dtos.SignedCheckpointDto,
    { position: 3, headHash: 'a'.repeat(64), at: '2026-11-23T05:00:00Z', keyId: 'k', signature: 's', publicKey: 'p' },
  ],
  [
    dtos.VerifyCheckpointDto,
    {
      checkpoint: {
        position: 3,
        headHash: 'a'.repeat(64),
        at: '2026-11-23T05:00:00Z',
        keyId: 'k',
        signature: 's',
        publicKey: 'p',
      },
    },
  ],
  [dtos.RecordActionResultDto, { resultSha256: 'c'.repeat(64), isError: false }],
  [dtos.StopWorkOrderDto, { reason: 'the delegation timed out' }],
  [dtos.ExceptionCodeDto, { code: 'NEW_CODE', title: 't', owner: 'o', sla: 'PT4H' }],
];
