import { compileWorkflow } from '../definition/compile';
import { ActionRequest } from '../definition/definition';
import { shippedWorkflow } from '../definition/test-fixtures';
import { decide } from './decide';

/**
 * The decisions of the shipped workflows that extend the governed checklist (workflows/*.yaml,
 * docs/patterns.md): what each file says, read as an operator would, against what `decide` answers
 * on the effective definition.
 */
const act = (system: string, operation: string, extra: Partial<ActionRequest> = {}): ActionRequest => ({
  system,
  operation,
  kind: 'write',
  ...extra,
});

describe('the shipped workflows that extend the governed checklist', () => {
  it.each([
    ['support-recovery', 'customer-support', 'support-lead'],
    ['incident-response', 'it-ops', 'change-manager'],
    ['access-request', 'regulated-services', 'security-lead'],
  ])(
    '%s (%s) has the pattern: PREREQ_MISSING first, a closure note, break-glass with a 48 h post-review by %s',
    (jobType, department, reviewer) => {
      const d = shippedWorkflow(jobType);
      expect(d.department).toBe(department);
      expect(d.pattern).toMatchObject({ name: 'governed-checklist', version: 1 });
      expect(d.exceptionCodes?.[0]).toBe('PREREQ_MISSING');
      expect(d.closure?.evidence[0]).toBe('closure-note');
      expect(d.breakGlass).toEqual({ allowed: true, postReviewDue: 'PT48H', reviewer });
    },
  );

  it('gives every other shipped workflow its department', () => {
    expect(
      ['field-work-order', 'agent-delegation', 'agent-files', 'engagement-lifecycle'].map(
        (j) => shippedWorkflow(j).department,
      ),
    ).toEqual(['field-service', 'engineering', 'engineering', 'professional-services']);
  });
});

describe('the shipped incident-response workflow', () => {
  const ir = compileWorkflow(shippedWorkflow('incident-response'));
  const note = { rollbackNote: 'roll back to the previous release' };

  it('makes a production change or deploy wait for the change manager, with a rollback note', () => {
    for (const operation of ['config.change', 'deploy'])
      expect(decide(ir, { action: act('production', operation, note), facts: {} })).toMatchObject({
        decision: 'wait',
        rule: 'production-changes-need-approval',
        decisionOwner: 'change-manager',
      });
  });
  it('runs a containment restart that says how to undo it, and stops one that does not', () => {
    expect(decide(ir, { action: act('production', 'service.restart', note), facts: {} })).toMatchObject({
      decision: 'run',
      reason: 'inside_boundary',
    });
    expect(decide(ir, { action: act('production', 'service.restart'), facts: {} })).toMatchObject({
      decision: 'stop',
      reason: 'rollback_note_required',
    });
  });
  it('stops silencing a sev1 alert, and lets a lower one be silenced', () => {
    expect(decide(ir, { action: act('monitoring', 'alert.silence'), facts: { severity: 'sev1' } })).toMatchObject({
      decision: 'stop',
      rule: 'sev1-alerts-stay-loud',
    });
    expect(decide(ir, { action: act('monitoring', 'alert.silence'), facts: { severity: 'sev3' } })).toMatchObject({
      decision: 'run',
    });
  });
});

describe('the shipped access-request workflow', () => {
  const ar = compileWorkflow(shippedWorkflow('access-request'));
  const grant = act('iam', 'access.grant', { objects: ['account:jdoe'], rollbackNote: 'revoke the role' });

  it('makes a grant with an end date wait for two of the security lead, the compliance officer and the IT ops lead', () => {
    expect(decide(ar, { action: grant, facts: { endDate: '2026-12-31' } })).toMatchObject({
      decision: 'wait',
      rule: 'grants-need-two-approvers',
    });
    expect(ar.rules.find((r) => r.id === 'grants-need-two-approvers')?.approvals).toEqual({
      required: 2,
      from: ['security-lead', 'compliance-officer', 'it-ops-lead'],
    });
  });
  it('stops a grant without an end date, before any approver is asked', () => {
    expect(decide(ar, { action: grant, facts: {} })).toMatchObject({
      decision: 'stop',
      rule: 'no-grant-without-end-date',
      message: expect.stringContaining('access is granted only with an end date'),
    });
  });
  it('stops a grant that says not how it is revoked', () => {
    expect(decide(ar, { action: act('iam', 'access.grant'), facts: { endDate: '2026-12-31' } })).toMatchObject({
      decision: 'stop',
      reason: 'rollback_note_required',
    });
  });
});
