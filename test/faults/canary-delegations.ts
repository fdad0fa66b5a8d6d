import { canary } from './canaries';
import type { CanaryRig } from './canary-rig';
import { eventually } from '../support/processes';
import type {
  ApprovalView,
  ArtifactAnswer,
  DelegationAnswer,
  DelegationView,
  OpenedAnswer,
  ScopeChangeAnswer,
  WorkOrderHandoff,
} from '@workgate/contracts';

/** Lifecycle: an artifact reference, a conditional gate, a scope change with a reason. */
export async function sendLifecycleCanaries(rig: CanaryRig) {
  const { as, ok, ids, remember } = rig;
  const engagement = ok(
    await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'engagement-lifecycle',
      externalRef: 'CANARY-ENG',
      source: 'crm',
      inputs: {
        client: 'Northwind',
        sponsor: 'ops-director',
        crmApiKey: canary('engagement inputs.crmApiKey', 'password'),
      },
    }),
    201,
  );
  const eng = engagement.body.id;
  ids.workOrders.push(eng);
  const artifact = ok(
    await as.agent<ArtifactAnswer>('POST', `/v1/work-orders/${eng}/stages/discovery/artifact`, {
      artifact: { kind: 'requirements-brief', ref: `s3://briefs/${canary('stage artifact ref', 'aws')}` },
      evidence: [
        {
          kind: 'interview-notes',
          ref: canary('stage evidence ref', 'plain', { allowed: ['receipts'] }),
          private: false,
        },
      ],
    }),
    201,
  );
  remember(artifact.body);
  const { gate } = artifact.body;
  await eventually(
    async () => (await as[gate.owner]('GET', `/v1/approvals/${gate.approvalId}`)).status === 200,
    15_000,
    'the gate approval to open',
  );
  ok(
    await as[gate.owner]<ApprovalView>('POST', `/v1/approvals/${gate.approvalId}/decision`, {
      decision: 'conditional',
      permittedAction: gate.action,
      conditions: [
        canary('gate condition (password)', 'password', { allowed: ['approvals'] }),
        canary('gate condition (bearer)', 'bearer', { allowed: ['approvals'] }),
      ],
      note: canary('gate note', 'url'),
    }),
    200,
  );
  await eventually(
    async () =>
      (await as.agent<WorkOrderHandoff>('GET', `/v1/work-orders/${eng}`)).body?.stages?.[0]?.gate?.status?.startsWith(
        'conditional',
      ),
    15_000,
    'the work order to learn the conditional gate',
  );
  remember(
    ok(
      await as.agent<ScopeChangeAnswer>('POST', `/v1/work-orders/${eng}/scope-changes`, {
        add: [{ system: 'support-desk', operation: 'refund.recommend', kind: 'write' }],
        reason: `client asked; ${canary('scope change reason', 'url')}`,
      }),
      201,
    ).body,
  );
}

/** Delegations: refused prompts, a dispatch that times out (reminders, stop), a reopen, a confirmed one. */
export async function sendDelegationCanaries(rig: CanaryRig) {
  const { as, ok, ids } = rig;
  const delegation = ok(
    await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'agent-delegation',
      externalRef: 'CANARY-DL',
      source: 'helpdesk',
      inputs: { objective: canary('delegation inputs.objective', 'plain'), repository: 'r' },
    }),
    201,
  );
  const dl = delegation.body.id;
  ids.workOrders.push(dl);
  const prompt = {
    objective: canary('prompt objective', 'plain'),
    scope: canary('prompt scope', 'password'),
    artifacts: [{ path: `docs/${canary('prompt artifact path', 'plain')}.md`, access: 'read' }],
    verification: [`curl -H "Authorization: ${canary('prompt verification', 'bearer')}" https://ci.example.com`],
    completion: canary('prompt completion', 'plain'),
  };
  ok(
    await as.agent<DelegationAnswer>('POST', `/v1/work-orders/${dl}/delegations`, {
      recipient: 'agent-x',
      command: 'delegate_task',
      prompt: { objective: canary('refused prompt objective', 'password', { recorded: false }) },
    }),
    422,
  );
  ok(
    await as.agent<DelegationAnswer>('POST', `/v1/work-orders/${dl}/delegations`, {
      recipient: 'agent-x',
      command: 'delegate_task',
      prompt: {
        ...prompt,
        artifacts: [
          {
            path: `brain/${canary('refused private artifact path', 'plain', { recorded: false })}/plan.md`,
            access: 'read',
          },
        ],
      },
    }),
    422,
  );
  const dispatched = ok(
    await as.agent<DelegationAnswer>('POST', `/v1/work-orders/${dl}/delegations`, {
      recipient: 'agent-x',
      command: 'delegate_task',
      prompt,
      timeouts: { initialWait: 'PT1S', reminderEvery: 'PT1S', backoff: 1, hardTimeout: 'PT3S' },
    }),
    201,
  );
  await eventually(
    async () => (await as.agent<WorkOrderHandoff>('GET', `/v1/work-orders/${dl}`)).body?.status === 'stopped',
    20_000,
    'the delegation to time out',
  );
  ok(await as.agent('POST', `/v1/work-orders/${dl}/reopen`, { reason: canary('reopen reason', 'password') }), 200);
  ok(
    await as.agent<DelegationView>('POST', `/v1/delegations/${dispatched.body.dispatchId}/confirm`, {
      note: canary('refused confirm note', 'plain', { recorded: false }),
    }),
    409,
  );
  const second = ok(
    await as.agent<DelegationAnswer>('POST', `/v1/work-orders/${dl}/delegations`, {
      recipient: 'agent-x',
      command: 'delegate_task',
      prompt,
    }),
    201,
  );
  ok(
    await as.agent<DelegationView>('POST', `/v1/delegations/${second.body.dispatchId}/confirm`, {
      note: canary('confirm note', 'bearer'),
    }),
    200,
  );
}
