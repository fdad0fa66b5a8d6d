import { canaries, canary } from './canaries';
import type { CanaryRig } from './canary-rig';
import type { WorkOrderCanaries } from './canary-work-order';
import { eventually } from '../support/processes';
import type { ApprovalView, BreakGlassAnswer, OpenedAnswer, PostReviewView } from '@workgate/contracts';

/** Approvals: refused decisions, then conditional with conditions, a note, and a closed condition. */
export async function sendApprovalCanaries(rig: CanaryRig, { wo, refund, approvalId }: WorkOrderCanaries) {
  const { as, ok, seen } = rig;
  await eventually(
    async () => (await as['support-lead']('GET', `/v1/approvals/${approvalId}`)).status === 200,
    15_000,
    'the approval to open',
  );
  ok(
    await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
      decision: 'approve',
      permittedAction: { ...refund, operation: 'credit' },
      note: canary('refused approval note', 'password', { recorded: false }),
    }),
    422,
  );
  ok(
    await as['engagement-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
      decision: 'conditional',
      permittedAction: refund,
      conditions: [canary('refused condition', 'plain', { recorded: false })],
      note: canary('not-owner note', 'bearer', { recorded: false }),
    }),
    403,
  );
  const conditional = ok(
    await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
      decision: 'conditional',
      permittedAction: refund,
      conditions: [
        `retention signed ${canary('approval condition (plain)', 'plain', { allowed: ['views', 'approvals'] })}`,
        canary('approval condition (credential)', 'password', { allowed: ['approvals'] }),
        `receipt filed ${canary('approval condition (closed)', 'plain', { allowed: ['approvals'] })}`,
      ],
      note: canary('approval note', 'plain'),
    }),
    200,
  );
  expect(conditional.body).toMatchObject({
    status: 'conditional',
    conditions: [{ conditionId: 'c1' }, { conditionId: 'c2' }, { conditionId: 'c3' }],
  });
  // The work order learns the conditions before one is closed: the two updates reach it one after the other.
  const closedCondition = canaries.find((c) => c.label === 'approval condition (closed)')!.token;
  await eventually(
    async () => (await as.agent('GET', `/v1/work-orders/${wo}`)).text.includes(closedCondition),
    15_000,
    'the work order to learn the conditions',
  );
  ok(
    await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/conditions/c3/close`, {
      evidence: {
        kind: 'signed-policy',
        ref: canary('condition evidence ref', 'aws'),
        note: canary('condition evidence note', 'plain'),
      },
    }),
    200,
  );
  await eventually(
    async () => {
      const handoff = await as.agent('GET', `/v1/work-orders/${wo}`);
      return (
        handoff.status === 200 && handoff.text.includes('conditional (') && !handoff.text.includes(closedCondition)
      );
    },
    15_000,
    'the work order to learn the closed condition',
  );
  for (const path of [`/v1/approvals/${approvalId}`, '/v1/approvals?owner=support-lead'])
    seen.approvals.push({ where: path, text: ok(await as['support-lead']('GET', path), 200).text });
}

/** Break-glass with a rationale and facts, a refused one, then the post-review. */
export async function sendBreakGlassCanaries(rig: CanaryRig) {
  const { as, ok, ids, remember } = rig;
  const urgent = ok(
    await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'canary-urgent',
      externalRef: 'CANARY-BG',
      source: 'helpdesk',
      inputs: { note: canary('urgent inputs.note', 'plain') },
    }),
    201,
  );
  ids.workOrders.push(urgent.body.id);
  ok(
    await as.agent<BreakGlassAnswer>('POST', `/v1/work-orders/${urgent.body.id}/break-glass`, {
      code: 'SAFETY_HOLD',
      rationale: canary('refused break-glass rationale', 'url', { recorded: false }),
      action: { system: 'payments', operation: 'refund', kind: 'write' },
    }),
    422,
  );
  const bg = ok(
    await as.agent<BreakGlassAnswer>('POST', `/v1/work-orders/${urgent.body.id}/break-glass`, {
      code: 'CUSTOMER_UNREACHABLE',
      rationale: `flight leaves; ${canary('break-glass rationale', 'url')}`,
      action: {
        system: 'payments',
        operation: 'refund',
        kind: 'write',
        facts: { iban: canary('break-glass facts.iban', 'plain') },
      },
    }),
    201,
  );
  remember(bg.body);
  const postReviewId = bg.body.postReview.id;
  await eventually(
    async () =>
      (await as['support-lead']<PostReviewView>('GET', `/v1/post-reviews/${postReviewId}`)).body?.overdueNotified ===
      true,
    20_000,
    'the post-review to be overdue',
  );
  ok(
    await as['support-lead']<PostReviewView>('POST', `/v1/post-reviews/${postReviewId}/complete`, {
      outcome: canary('post-review outcome', 'password'),
      remediation: {
        title: `refund lane ${canary('post-review remediation title', 'plain', { allowed: ['views'] })}`,
        owner: 'support-lead',
        due: '2030-01-01T00:00:00Z',
      },
    }),
    200,
  );
}
