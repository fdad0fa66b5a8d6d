import { Scenario } from './demo-scenario';

/**
 * The demo's work for IT operations and a regulated service: incidents paged from monitoring
 * (workflows/incident-response.yaml, department it-ops) and access requests raised in the service
 * portal (workflows/access-request.yaml, department regulated-services). Each raises its codes
 * where the workflow's known failures say, sometimes goes through break-glass, and asks for what
 * waits: a production deploy for the change manager, a grant for two approvers.
 */

const SERVICES = ['checkout-api', 'payments-gateway', 'search', 'identity', 'billing-batch', 'mobile-backend'];
const SEVERITIES = ['sev3', 'sev3', 'sev2', 'sev2', 'sev1'];
const RESOURCES = ['client-records-db', 'claims-ledger', 'trading-reports', 'kyc-documents', 'payroll'];
const DAY_MS = 24 * 60 * 60 * 1000;
/** The end date a grant asks with: a quarter after the demo is seeded. */
const END_DATE = new Date(Date.now() + 90 * DAY_MS).toISOString().slice(0, 10);

export const INCIDENT_RESPONSE: Scenario = {
  jobType: 'incident-response',
  ownerWindowHours: 3, // approval timeout PT4H
  source: 'pager',
  weight: 20,
  inputs: (n) => ({
    incidentId: `INC-${20000 + n}`,
    service: SERVICES[n % SERVICES.length],
    severity: SEVERITIES[n % SEVERITIES.length],
  }),
  fragileInput: 'severity',
  steps: [
    { id: 'triage', evidence: ['triage-note'] },
    { id: 'contain', evidence: ['containment-log'] },
    { id: 'change-approval', evidence: ['change-record'] },
    { id: 'fix', evidence: ['verification-log'] },
    { id: 'review', evidence: ['incident-review'] },
  ],
  closure: ['closure-note', 'incident-review'],
  codes: [
    ['ACCESS_NOT_GRANTED', 'contain', 0.05],
    ['VERIFICATION_FAILED', 'fix', 0.12],
    ['SECURITY_RISK_OPEN', 'review', 0.04],
  ],
  actions: [
    // production is rollback: required: a restart or a deploy says how it is undone.
    [
      'contain',
      {
        system: 'production',
        operation: 'service.restart',
        kind: 'write',
        rollbackNote: 'restart on the previous configuration',
      },
      0.5,
    ],
    // A sev1 alert stays loud: silencing it stops.
    ['contain', { system: 'monitoring', operation: 'alert.silence', kind: 'write', facts: { severity: 'sev1' } }, 0.04],
    ['change-approval', { system: 'change-system', operation: 'change.create', kind: 'write' }, 0.8],
    [
      'fix',
      {
        system: 'production',
        operation: 'deploy',
        kind: 'write',
        rollbackNote: 'redeploy the previous release',
      },
      0.6,
    ],
  ],
  breakGlass: {
    code: 'ACCESS_NOT_GRANTED',
    action: { system: 'production', operation: 'deploy', kind: 'write' },
    p: 0.03,
    rationale: 'the service was down and the change manager could not be reached',
  },
};

export const ACCESS_REQUEST: Scenario = {
  jobType: 'access-request',
  ownerWindowHours: 20, // approval timeout PT24H
  source: 'service-portal',
  weight: 20,
  inputs: (n) => ({
    requestId: `AR-${30000 + n}`,
    requestedFor: `employee-${100 + (n % 60)}`,
    resource: RESOURCES[n % RESOURCES.length],
    managerApproved: true,
    trainingComplete: true,
  }),
  fragileInput: 'trainingComplete',
  steps: [
    { id: 'verify-request', evidence: ['identity-check'] },
    { id: 'assess-risk', evidence: ['risk-assessment'] },
    { id: 'grant-access', evidence: ['access-end-date'] },
    { id: 'confirm', evidence: ['confirmation'] },
  ],
  closure: ['closure-note', 'access-end-date'],
  codes: [
    ['SECURITY_RISK_OPEN', 'assess-risk', 0.08],
    ['ACCESS_NOT_GRANTED', 'grant-access', 0.05],
  ],
  actions: [
    // iam is rollback: required: a grant says how it is revoked; two approvers grant it.
    [
      'grant-access',
      {
        system: 'iam',
        operation: 'access.grant',
        kind: 'write',
        facts: { endDate: END_DATE },
        rollbackNote: 'revoke the role',
      },
      0.85,
    ],
    // A grant without an end date stops.
    [
      'grant-access',
      { system: 'iam', operation: 'access.grant', kind: 'write', rollbackNote: 'revoke the role' },
      0.03,
    ],
  ],
  breakGlass: {
    code: 'ACCESS_NOT_GRANTED',
    action: { system: 'iam', operation: 'access.grant', kind: 'write' },
    p: 0.02,
    rationale: 'emergency access for a production incident outside office hours',
  },
};
