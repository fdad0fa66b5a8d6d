import { canary } from './canaries';
import type { CanaryRig } from './canary-rig';
import { eventually } from '../support/processes';
import { defined } from '../support/answers';
import { urgentFix } from '../support/fixtures';
import type {
  ActionAnswer,
  ExceptionView,
  OpenedAnswer,
  PublishWorkflowResult,
  StatusAnswer,
  StepAnswer,
} from '@workgate/contracts';

/** What the approvals go on with: the work order, its refund action and the approval it waits for. */
export interface WorkOrderCanaries {
  wo: string;
  refund: { system: string; operation: string; kind: string; objects: string[] };
  approvalId: string;
}

/** A workflow for break-glass, then a work order: a failing prerequisite, actions with secret facts, steps with evidence, blocks, refusals and exception work. */
export async function sendWorkOrderCanaries(rig: CanaryRig): Promise<WorkOrderCanaries> {
  const { as, ok, ids, remember } = rig;
  // --- workflows for break-glass with a post-review that falls due at once
  ok(
    await as.admin<PublishWorkflowResult>('POST', '/v1/workflows', {
      definition: urgentFix('canary-urgent'),
    }),
    201,
  );

  // --- HTTP: a prerequisite that fails on a secret-bearing value
  const prereq = ok(
    await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: 'CANARY-PREREQ',
      source: 'helpdesk',
      inputs: {
        caseId: 'C-1',
        orderId: '1',
        orderPaid: canary('inputs.orderPaid (a failing prerequisite)', 'password'),
      },
    }),
    201,
  );
  expect(prereq.body).toMatchObject({ status: 'blocked', exceptions: [{ code: 'PREREQ_MISSING' }] });
  ids.workOrders.push(prereq.body.id);
  remember(prereq.body);

  // --- HTTP: open, actions with secret facts, steps with evidence, blocks with rationales
  const opened = ok(
    await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: 'CANARY-1',
      source: 'helpdesk',
      inputs: {
        caseId: 'C-2',
        orderId: '2',
        orderPaid: true,
        customerEmail: canary('inputs.customerEmail', 'plain'),
        shopToken: canary('inputs.shopToken', 'bearer'),
        exportUrl: canary('inputs.exportUrl', 'url'),
      },
    }),
    201,
  );
  const wo = opened.body.id;
  ids.workOrders.push(wo);
  remember(
    ok(
      await as.agent<ActionAnswer>(
        'POST',
        `/v1/work-orders/${wo}/actions`,
        {
          system: 'shop',
          operation: 'order.note',
          kind: 'write',
          objects: ['order:2'],
          facts: {
            orderFulfilled: false,
            addressValidated: true,
            customerPhone: canary('facts.customerPhone', 'plain'),
            shopPassword: canary('facts.shopPassword', 'password'),
          },
        },
        {
          'Idempotency-Key': canary('Idempotency-Key header', 'plain', { recorded: false }),
          Cookie: `session=${canary('Cookie header', 'plain', { recorded: false })}`,
        },
      ),
      201,
    ).body,
  );
  // An operation name the workflow does not know, credential-shaped: stopped, and shown (masked) on the delivery page.
  remember(
    ok(
      await as.agent<ActionAnswer>('POST', `/v1/work-orders/${wo}/actions`, {
        system: 'shop',
        operation: canary('action operation', 'password'),
        kind: 'write',
      }),
      201,
    ).body,
  );
  const refund = { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:2'] };
  const wait = ok(
    await as.agent<ActionAnswer>('POST', `/v1/work-orders/${wo}/actions`, {
      ...refund,
      facts: { amount: 30, awsKey: canary('facts.awsKey', 'aws') },
    }),
    201,
  );
  expect(wait.body).toMatchObject({ decision: 'wait', approvalId: expect.any(String) });
  remember(wait.body);
  const approvalId = defined(wait.body.approvalId, 'approval id');
  ok(
    await as.agent<StepAnswer>('POST', `/v1/work-orders/${wo}/steps/inspect-case/complete`, {
      evidence: [],
      note: canary('step note', 'plain'),
    }),
    200,
  );
  remember(
    ok(
      await as.agent<StepAnswer>('POST', `/v1/work-orders/${wo}/steps/validate-address/complete`, {
        evidence: [
          {
            kind: 'log',
            ref: canary('private evidence ref', 'url'),
            private: true,
            note: canary('private evidence note', 'plain'),
          },
          {
            kind: 'screenshot',
            ref: canary('public evidence ref', 'plain', { allowed: ['receipts'] }),
            note: canary('public evidence note', 'plain', { allowed: ['receipts'] }),
          },
        ],
      }),
      200,
    ).body,
  );
  remember(
    ok(
      await as.agent<StepAnswer>('POST', `/v1/work-orders/${wo}/steps/confirm-customer/block`, {
        code: 'CUSTOMER_UNREACHABLE',
        rationale: `customer read out ${canary('block rationale (credential)', 'bearer')} on call ${canary('block rationale (plain, open)', 'plain', { allowed: ['views'] })}`,
      }),
      201,
    ).body,
  );
  const warehouseBlock = ok(
    await as.agent<StepAnswer>('POST', `/v1/work-orders/${wo}/steps/notify-warehouse/block`, {
      code: 'ADDRESS_INVALID',
      rationale: `zone ${canary('block rationale (plain)', 'plain', { allowed: ['views'] })} unknown`,
    }),
    201,
  );
  remember(warehouseBlock.body);
  const warehouseException = defined(warehouseBlock.body.exception, 'exception of the blocked step').exceptionId;
  // Refused: step evidence missing, an unknown code, closing with open blockers — each carrying canaries.
  ok(
    await as.agent<StepAnswer>('POST', `/v1/work-orders/${wo}/steps/update-order/complete`, {
      evidence: [{ kind: 'log', ref: canary('refused step evidence ref', 'password', { recorded: false }) }],
      note: canary('refused step note', 'plain', { recorded: false }),
    }),
    422,
  );
  ok(
    await as.agent<StepAnswer>('POST', `/v1/work-orders/${wo}/steps/update-order/block`, {
      code: 'NOT_A_CODE',
      rationale: canary('refused block rationale', 'bearer', { recorded: false }),
    }),
    422,
  );
  ok(
    await as.agent<StatusAnswer>('POST', `/v1/work-orders/${wo}/close`, {
      closureEvidenceId: 'CE-1',
      evidence: [
        {
          kind: 'closure-note',
          ref: canary('refused closure evidence ref', 'url', { recorded: false }),
          note: canary('refused closure note', 'plain', { recorded: false }),
        },
      ],
    }),
    409,
  );
  // Exception work: remediation (its title is what the exception view shows), resolution with evidence.
  await eventually(
    async () => (await as.agent('GET', `/v1/exceptions/${warehouseException}`)).status === 200,
    15_000,
    'the exception to open',
  );
  ok(
    await as.agent<ExceptionView>('POST', `/v1/exceptions/${warehouseException}/remediations`, {
      title: `fix zone table ${canary('remediation title', 'plain', { allowed: ['views'] })}`,
      owner: 'support-lead',
      due: '2030-01-01T00:00:00Z',
    }),
    201,
  );
  ok(
    await as.agent<ExceptionView>('POST', `/v1/exceptions/${warehouseException}/resolve`, {
      resolution: canary('exception resolution', 'password'),
      evidence: [
        {
          kind: 'log',
          ref: canary('resolution evidence ref', 'plain'),
          note: canary('resolution evidence note', 'bearer'),
        },
      ],
    }),
    200,
  );
  ok(
    await as.agent<ExceptionView>('POST', `/v1/exceptions/${warehouseException}/resolve`, {
      resolution: canary('refused resolution', 'plain', { recorded: false }),
      evidence: [],
    }),
    409,
  );
  return { wo, refund, approvalId };
}
