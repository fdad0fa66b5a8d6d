import { randomUUID } from 'node:crypto';
import { isChangeRequested, Subjects, WorkflowDefinition } from '@workgate/contracts';
import type { ViewRow, WorkOrderListItem } from '@workgate/contracts';
import type { IngestAnswer } from './answers';
import { textOf } from './answers';
import { client } from './principals';
import { eventually } from './processes';
import type { TestWorkgate } from './workgate';

/**
 * The scripted history the evidence views are checked over (test/views.e2e-spec.ts): work events
 * sent as CloudEvents with their own times, so every answer is known exactly.
 */
const DAY = 24 * 3600 * 1000;
const T = Math.floor(Date.now() / DAY) * DAY - 2 * DAY; // two days ago, 00:00 UTC
export const at = (hours: number) => new Date(T + hours * 3600 * 1000).toISOString();
export const day = (n: number) => at(24 * n).slice(0, 10);

export const deskFix = (version: number, steps: string[], stallAfter: string): WorkflowDefinition => ({
  jobType: 'desk-fix',
  version,
  title: 'Desk fix',
  owner: 'desk-lead',
  requiredInputs: [{ name: 'ticket' }],
  systems: [{ name: 'payments', read: true, write: [] }],
  rules: [{ id: 'refunds-wait', when: 'action.operation == "refund"', decision: 'wait' }],
  steps: steps.map((id) => ({ id, title: id, evidence: ['receipt'] })),
  approval: { timeout: 'P30D' },
  breakGlass: { allowed: true, postReviewDue: 'PT2H', reviewer: 'desk-lead' },
  closure: { evidence: ['closure-note'] },
  exceptionCodes: ['CUSTOMER_UNREACHABLE', 'ADDRESS_INVALID'],
  stallAfter,
});

/**
 * Publishes desk-fix and sends the history of work orders A to G (the comments say what each is),
 * through `clients` (desk sends, analyst reads); answers their ids and D's post-review.
 */
export async function scriptHistory(
  t: TestWorkgate,
  clients: Record<string, ReturnType<typeof client>>,
): Promise<{ ids: Record<string, string>; postReviewId: string }> {
  const as = clients;
  const ids: Record<string, string> = {};
  /** One CloudEvent from source `desk` about work order `ref`, at `time`. */
  async function send(ref: string, type: string, time: string, data: Record<string, unknown>): Promise<void> {
    const r = await as.desk<IngestAnswer>(
      'POST',
      '/v1/events',
      JSON.stringify({ specversion: '1.0', id: randomUUID(), source: 'desk', type, subject: ref, time, data }),
      {
        'Content-Type': 'application/cloudevents+json',
      },
    );
    if (r.status !== 202) throw new Error(`${type} for ${ref}: ${r.status} ${r.text}`);
  }

  await t.rpc.request(Subjects.policy.publish, { definition: deskFix(1, ['a', 'b'], 'PT4H') });

  const evidence = (ref: string) => [{ kind: 'receipt', ref }];
  const closeWith = { closureEvidenceId: 'note-1', evidence: [{ kind: 'closure-note', ref: 'note-1' }] };
  // A: clean run, closed with evidence at T+3h.
  await send('A', 'workgate.workorder.open', at(0), { jobType: 'desk-fix', inputs: { ticket: 'A' } });
  await send('A', 'workgate.step.completed', at(1), { stepId: 'a', evidence: evidence('a') });
  await send('A', 'workgate.step.completed', at(2), { stepId: 'b', evidence: evidence('b') });
  await send('A', 'workgate.workorder.close', at(3), closeWith);
  // B: blocked at T+1h (CUSTOMER_UNREACHABLE), still blocked.
  await send('B', 'workgate.workorder.open', at(0), { jobType: 'desk-fix', inputs: { ticket: 'B' } });
  await send('B', 'workgate.step.blocked', at(1), {
    stepId: 'a',
    code: 'CUSTOMER_UNREACHABLE',
    rationale: 'no answer',
  });
  // C: opened without its ticket (PREREQ_MISSING), closed by the source at T+10h without evidence.
  await send('C', 'workgate.workorder.open', at(0), { jobType: 'desk-fix', inputs: {} });
  await send('C', 'workgate.workorder.closure_reported', at(10), { note: 'closed in the helpdesk' });
  // D: break-glass at T+1h (ADDRESS_INVALID): a post-review due at T+3h.
  await send('D', 'workgate.workorder.open', at(0), { jobType: 'desk-fix', inputs: { ticket: 'D' } });
  await send('D', 'workgate.workorder.break_glass', at(1), {
    code: 'ADDRESS_INVALID',
    rationale: 'courier at the door',
    action: { system: 'payments', operation: 'refund', kind: 'write' },
  });
  // E: a refund waits for desk-lead from T+1h.
  await send('E', 'workgate.workorder.open', at(0), { jobType: 'desk-fix', inputs: { ticket: 'E' } });
  await send('E', 'workgate.action.requested', at(1), { system: 'payments', operation: 'refund', kind: 'write' });
  // F: version 2 (published now: new work orders take the latest version), clean, closed at T+2.5h.
  // Intake learns of a new version from the ledger relay; wait until that message has gone out.
  const relayed = t.nc.subscribe('ledger.workflow.WorkflowPublished', { max: 1 });
  // Version 2 drops step b and its evidence: it widens version 1, so it is published when desk-lead approves it.
  const { answer: asked } = await t.rpc.request(Subjects.policy.publish, {
    definition: deskFix(2, ['a'], 'PT1H'),
    actor: 'admin',
  });
  if (!isChangeRequested(asked)) throw new Error(`version 2 was published without approval: ${JSON.stringify(asked)}`);
  expect(asked).toMatchObject({ owner: 'desk-lead', version: 2 });
  await t.rpc.request(Subjects.approvals.decide, {
    approvalId: asked.approvalId,
    by: 'desk-lead',
    decision: 'approve',
  });
  for await (const _ of relayed) break;
  await new Promise((r) => setTimeout(r, 200));
  await send('F', 'workgate.workorder.open', at(1), { jobType: 'desk-fix', inputs: { ticket: 'F' } });
  await send('F', 'workgate.step.completed', at(2), { stepId: 'a', evidence: evidence('a') });
  await send('F', 'workgate.workorder.close', at(2.5), closeWith);
  // G (version 2): the next day, blocked again with CUSTOMER_UNREACHABLE.
  await send('G', 'workgate.workorder.open', at(25), { jobType: 'desk-fix', inputs: { ticket: 'G' } });
  await send('G', 'workgate.step.blocked', at(26), {
    stepId: 'a',
    code: 'CUSTOMER_UNREACHABLE',
    rationale: 'voicemail full',
  });

  for (const ref of ['A', 'B', 'C', 'D', 'E', 'F', 'G']) {
    ids[ref] = await eventually(
      async () =>
        (await as.analyst<WorkOrderListItem[]>('GET', `/v1/work-orders?source=desk&externalRef=${ref}`)).body?.[0]?.id,
      10_000,
      `work order ${ref}`,
    );
  }
  const postReviewId = await eventually(
    async () =>
      textOf((await as.analyst<ViewRow[]>('GET', `/v1/views/post-reviews?asOf=${at(2)}`)).body?.[0], 'postReviewId'),
    10_000,
    "D's post-review",
  );
  return { ids, postReviewId };
}
