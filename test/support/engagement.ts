import { randomUUID } from 'node:crypto';
import type { ArtifactAnswer, OpenedAnswer, WorkOrderHandoff } from '@workgate/contracts';
import { defined, found } from './answers';
import { eventually } from './processes';
import type { TestRole } from './principals';
import { Client, onSharedWorkgate } from './suite';

/** The principals of the engagement example (workflows/engagement-lifecycle). */
const ENGAGEMENT_PRINCIPALS: Record<string, TestRole[]> = {
  crm: ['integrator'],
  consultant: ['operator'],
  'engagement-lead': ['approver'],
  'security-lead': ['approver'],
};

/**
 * One engagement work order of the Northwind pilot over HTTP (workflows/engagement-lifecycle), with the steps
 * the lifecycle tests share. `as` are the callers (read at each call); `ref` is its external
 * reference: unique per file, as the files share a workgate.
 */
export function engagement(as: Record<string, Client>, ref: string) {
  const state = { id: '' };

  const open = async () => {
    const opened = await as.crm<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'engagement-lifecycle',
      externalRef: ref,
      source: 'crm',
      inputs: { client: 'Northwind Trading Co.', sponsor: 'ops-director', project: 'Support email triage agent' },
    });
    expect(opened.status).toBe(201);
    state.id = opened.body.id;
    return state.id;
  };
  const handoff = async () => (await as.consultant<WorkOrderHandoff>('GET', `/v1/work-orders/${state.id}`)).body;
  /** Waits until the approvals service holds the approval, then decides it as `who`. */
  const decideWhenOpen = async (who: string, approvalId: string, body: Record<string, unknown>) => {
    await eventually(
      async () => (await as[who]('GET', `/v1/approvals/${approvalId}`)).status === 200,
      10_000,
      `approval ${approvalId}`,
    );
    return as[who]('POST', `/v1/approvals/${approvalId}/decision`, body);
  };
  const stageOf = (h: WorkOrderHandoff, stageId: string) =>
    found(h.stages, (s) => s.id === stageId, `stage ${stageId}`);
  /** Waits until the work order's handoff satisfies `check`. */
  const handoffWhen = (what: string, check: (h: WorkOrderHandoff) => boolean) =>
    eventually(
      async () => {
        const h = await handoff();
        return check(h) ? h : undefined;
      },
      10_000,
      what,
    );
  const passStage = async (stageId: string, kind: string, artifactRef: string) => {
    const recorded = await as.consultant<ArtifactAnswer>(
      'POST',
      `/v1/work-orders/${state.id}/stages/${stageId}/artifact`,
      { artifact: { kind, ref: artifactRef } },
    );
    expect(recorded.status).toBe(201);
    const gate = recorded.body.gate;
    expect(
      await decideWhenOpen(gate.owner, gate.approvalId, { decision: 'approve', permittedAction: gate.action }),
    ).toMatchObject({ status: 200, body: { status: 'approved' } });
    await handoffWhen(`stage ${stageId} passed`, (h) => stageOf(h, stageId).gate.status === 'approved');
  };
  /** The signed agreement, as the CRM sends it: a CloudEvent about the engagement's external reference. */
  const contractEvent = () =>
    as.crm(
      'POST',
      '/v1/events',
      JSON.stringify({
        specversion: '1.0',
        id: randomUUID(),
        source: 'crm',
        type: 'workgate.stage.artifact_recorded',
        subject: ref,
        data: { stageId: 'contract', artifact: { kind: 'signed-agreement', ref: 'ADSA-2026-0142' } },
      }),
      { 'Content-Type': 'application/cloudevents+json' },
    );
  /** The contract gate approved by the engagement lead, once the contract's artifact is recorded. */
  const approveContract = async () => {
    const contract = await handoffWhen(
      'the contract artifact',
      (h) => stageOf(h, 'contract').gate.status === 'requested',
    );
    const contractGate = stageOf(contract, 'contract').gate;
    expect(
      await decideWhenOpen('engagement-lead', defined(contractGate.approvalId, 'the contract gate approval'), {
        decision: 'approve',
        permittedAction: {
          system: 'lifecycle',
          operation: 'contract.signature-and-deposit',
          kind: 'write',
          objects: ['artifact:ADSA-2026-0142'],
        },
      }),
    ).toMatchObject({ status: 200 });
    await handoffWhen('the contract gate approved', (h) => h.approvals['signature-and-deposit'] === 'approved');
  };
  /** The delivery stage's artifact recorded and its security gate decided conditional on R-03: the gate. */
  const securityConditional = async () => {
    const recorded = await as.consultant<ArtifactAnswer>(
      'POST',
      `/v1/work-orders/${state.id}/stages/delivery/artifact`,
      {
        artifact: { kind: 'launch-readiness-checklist', ref: 'LRC-2026-0031' },
      },
    );
    expect(recorded).toMatchObject({
      status: 201,
      body: { gate: { kind: 'security', owner: 'security-lead', status: 'requested' } },
    });
    const security = recorded.body.gate;
    const conditional = await decideWhenOpen('security-lead', security.approvalId, {
      decision: 'conditional',
      permittedAction: security.action,
      conditions: ['R-03'],
    });
    expect(conditional).toMatchObject({ status: 200, body: { status: 'conditional' } });
    return security;
  };
  /** Opened and taken to delivery with the security gate conditional (R-03 open), as the lifecycle tests leave it. */
  const atDeliveryConditional = async () => {
    await open();
    await passStage('discovery', 'requirements-brief', 'DISC-2026-0117');
    await passStage('proposal', 'pilot-proposal', 'PRO-2026-0188');
    expect((await contractEvent()).status).toBe(202);
    await approveContract();
    await securityConditional();
    await handoffWhen('security conditional on the work order', (x) => x.approvals.security !== 'requested');
  };

  return {
    as,
    /** The work order's id, once opened. */
    id: () => state.id,
    open,
    handoff,
    decideWhenOpen,
    stageOf,
    handoffWhen,
    passStage,
    contractEvent,
    approveContract,
    securityConditional,
    atDeliveryConditional,
  };
}

export type Engagement = ReturnType<typeof engagement>;

/**
 * A describe block's engagement `ref` on the worker's shared workgate, with the engagement's
 * principals: before the first test, `ready` takes it as far as the block starts from.
 */
export function onEngagement(ref: string, ready: (e: Engagement) => Promise<unknown>): Engagement {
  const { as } = onSharedWorkgate(ENGAGEMENT_PRINCIPALS);
  const e = engagement(as, ref);
  beforeAll(async () => {
    await ready(e);
  });
  return e;
}
