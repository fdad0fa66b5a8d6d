import { Ce, Scenario } from './demo-scenario';
import { ACCESS_REQUEST, INCIDENT_RESPONSE } from './demo-scenarios-it';

/** The demo's scenarios: each shipped workflow's work orders, their inputs, steps, exceptions and actions, and how often each comes. */
export type { Ce, Scenario };

const CLIENTS = [
  'Northwind Trading Co.',
  'Contoso Retail',
  'Fabrikam Logistics',
  'Tailspin Travel',
  'Wingtip Outfitters',
  'Adventure Works',
];
const PROJECTS = [
  'Support email triage agent',
  'Invoice matching assistant',
  'Field dispatch copilot',
  'Returns desk agent',
];
/** The engagement's stages after discovery, with the artifact each produces. */
export const ENGAGEMENT_STAGES: Array<[string, string]> = [
  ['proposal', 'pilot-proposal'],
  ['contract', 'signed-agreement'],
  ['delivery', 'launch-readiness-checklist'],
  ['support', 'health-scorecard'],
];

export const SCENARIOS: Scenario[] = [
  {
    jobType: 'support-recovery',
    ownerWindowHours: 20, // approval timeout PT24H
    source: 'helpdesk',
    weight: 45,
    inputs: (n) => ({ caseId: `CS-${10000 + n}`, orderId: `SO-${50000 + n}`, orderPaid: true }),
    fragileInput: 'orderPaid',
    steps: [
      { id: 'inspect-case', evidence: [] },
      { id: 'validate-address', evidence: [] },
      { id: 'update-order', evidence: ['receipt'] },
      { id: 'notify-warehouse', evidence: ['receipt'] },
      { id: 'confirm-customer', evidence: ['receipt'] },
    ],
    closure: ['closure-note'],
    codes: [
      ['ADDRESS_INVALID', 'validate-address', 0.14],
      ['CUSTOMER_UNREACHABLE', 'confirm-customer', 0.08],
      ['PAYMENT_MISMATCH', 'inspect-case', 0.03],
    ],
    actions: [
      [
        'update-order',
        {
          system: 'shop',
          operation: 'order.note',
          kind: 'write',
          facts: { orderFulfilled: false, addressValidated: true },
        },
        0.6,
      ],
      ['confirm-customer', { system: 'payments', operation: 'refund', kind: 'write' }, 0.18],
    ],
    breakGlass: {
      code: 'CUSTOMER_UNREACHABLE',
      action: { system: 'payments', operation: 'refund', kind: 'write' },
      p: 0.03,
    },
  },
  {
    jobType: 'field-work-order',
    ownerWindowHours: 7, // approval timeout PT8H
    source: 'cmms',
    weight: 30,
    inputs: (n) => ({
      assetId: `PUMP-${100 + (n % 40)}`,
      siteId: `SITE-${n % 7}`,
      permitNumber: `PTW-${7000 + n}`,
      partsReserved: true,
      accessGranted: true,
    }),
    fragileInput: 'accessGranted',
    steps: [
      { id: 'lockout-tagout', evidence: ['loto-photo'] },
      { id: 'inspect', evidence: ['inspection-form'] },
      { id: 'repair', evidence: ['parts-record'] },
      { id: 'test-run', evidence: ['test-log'] },
      { id: 'restore', evidence: ['handover-signature'] },
    ],
    closure: ['closure-report', 'handover-signature'],
    codes: [
      ['PARTS_UNAVAILABLE', 'repair', 0.16],
      ['ACCESS_NOT_GRANTED', 'lockout-tagout', 0.06],
      ['EQUIPMENT_FAULT', 'test-run', 0.05],
      ['SAFETY_HOLD', 'inspect', 0.02],
    ],
    actions: [
      // scada is rollback: required: an isolation says how it is undone.
      [
        'lockout-tagout',
        {
          system: 'scada',
          operation: 'isolate',
          kind: 'write',
          rollbackNote: 'de-isolate: reopen the isolation valve',
        },
        0.25,
      ],
      ['repair', { system: 'inventory', operation: 'parts.issue', kind: 'write', facts: { partsCost: 1800 } }, 0.5],
      ['repair', { system: 'inventory', operation: 'parts.issue', kind: 'write', facts: { partsCost: 7400 } }, 0.1],
    ],
    breakGlass: { code: 'EQUIPMENT_FAULT', action: { system: 'scada', operation: 'isolate', kind: 'write' }, p: 0.02 },
  },
  {
    jobType: 'agent-delegation',
    ownerWindowHours: 3, // approval timeout PT4H
    source: 'agent-hub',
    weight: 15,
    inputs: (n) => ({ objective: `Fix flaky test #${n}`, repository: 'git@example.com:shop/web.git' }),
    fragileInput: 'repository',
    steps: [
      { id: 'dispatch', evidence: [] },
      { id: 'await-confirmation', evidence: [] },
      { id: 'verify', evidence: ['verification-log'] },
      { id: 'review', evidence: ['review-note'] },
    ],
    closure: ['verification-log', 'operator-confirmation'],
    codes: [
      ['DELEGATE_UNRESPONSIVE', 'await-confirmation', 0.12],
      ['VERIFICATION_FAILED', 'verify', 0.08],
    ],
    actions: [
      ['verify', { system: 'ci', operation: 'pipeline.run', kind: 'write' }, 0.7],
      [
        'review',
        {
          system: 'repo',
          operation: 'branch.push',
          kind: 'write',
          facts: { branch: 'main' },
          rollbackNote: 'git revert the pushed commits',
        },
        0.04,
      ],
    ],
  },
  {
    jobType: 'engagement-lifecycle',
    ownerWindowHours: 70, // approval timeout PT72H
    source: 'crm',
    weight: 10,
    inputs: (n) => ({
      client: CLIENTS[n % CLIENTS.length],
      sponsor: `sponsor-${n % 5}`,
      project: PROJECTS[n % PROJECTS.length],
    }),
    fragileInput: 'sponsor',
    steps: [],
    closure: ['acceptance-record'],
    // Its stages and gates are not steps: the discovery brief arrives from the CRM; the later
    // stages move as their gates are decided (advanceEngagements).
    codes: [],
    actions: [['', { system: 'email', operation: 'send', kind: 'write' }, 0.2]],
    artifact: { stageId: 'discovery', kind: 'requirements-brief', p: 0.9 },
  },
  INCIDENT_RESPONSE,
  ACCESS_REQUEST,
];
