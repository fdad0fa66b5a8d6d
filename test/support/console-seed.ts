import { Subjects } from '@workgate/contracts';
import type { ActionAnswer, BreakGlassAnswer, OpenedAnswer, StepAnswer, ViewRow } from '@workgate/contracts';
import { defined } from './answers';
import { urgentFix } from './fixtures';
import { client, TestRole } from './principals';
import { eventually } from './processes';
import type { TestWorkgate } from './workgate';
import { readFileSync } from 'node:fs';
import type { Download, Page } from 'playwright-core';
import type { ProofPackage } from '@workgate/contracts';
import * as proof from '../../libs/contracts/schemas/proof.schemas';
import { replyOf } from './replies';

/** The console spec's principals: helpdesk opens, agent works, support-lead approves, lead reads as an ops lead. */
export const CONSOLE_ROLES: Record<string, TestRole[]> = {
  helpdesk: ['integrator'],
  agent: ['operator'],
  'support-lead': ['approver', 'operator'],
  lead: ['ops-lead', 'analyst'],
};

/** What the page downloads when the button named `name` is clicked. */
export async function download(page: Page, name: string): Promise<Download> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
  return file;
}

/** The proof package a download holds, as its schema reads it. */
export async function proofIn(file: Download): Promise<ProofPackage> {
  const read: ProofPackage = replyOf(proof.ProofPackage, JSON.parse(readFileSync(await file.path(), 'utf8')));
  return read;
}

/** A rollback note the refund request carries: private evidence, read by ops leads only. */
export const ROLLBACK_NOTE = 'undo: cancel refund 40 EUR in the payments console';

/**
 * What the console's browser tests (test/console.e2e-spec.ts) find waiting: on case CASE-1042 a
 * refund (with its rollback note) and a credit for support-lead; on CASE-1077 a refund support-lead
 * asked for herself and a blocked step's exception; an urgent-fix break-glass whose post-review is
 * overdue. `as` are the file's clients: helpdesk, agent, support-lead.
 */
export async function seedConsole(t: TestWorkgate, clients: Record<string, ReturnType<typeof client>>) {
  const as = clients;
  const ids = { caseWo: '', refund: '', credit: '', own: '', postReview: '', exception: '' };
  const refund = { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1042'] };
  const credit = { system: 'payments', operation: 'credit', kind: 'write', objects: ['customer:C-77'] };

  const open = async (
    externalRef: string,
    jobType = 'support-recovery',
    inputs: Record<string, unknown> = { caseId: 'C-77', orderId: '1042', orderPaid: true },
  ) => {
    const r = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType,
      externalRef,
      source: 'helpdesk',
      inputs,
    });
    expect(r.status).toBe(201);
    return r.body.id;
  };
  const ask = async (
    who: string,
    workOrderId: string,
    action: Record<string, unknown>,
    facts: Record<string, unknown>,
  ) => {
    const r = await as[who]<ActionAnswer>('POST', `/v1/work-orders/${workOrderId}/actions`, { ...action, facts });
    expect(r.body).toMatchObject({ decision: 'wait' });
    return defined(r.body.approvalId, 'the approval the action waits for');
  };

  await t.rpc.request(Subjects.policy.publish, { definition: urgentFix('urgent-fix') });

  ids.caseWo = await open('CASE-1042');
  ids.refund = await ask(
    'agent',
    ids.caseWo,
    { ...refund, rollbackNote: ROLLBACK_NOTE },
    {
      amount: 40,
      currency: 'EUR',
      reason: 'parcel lost in transit',
    },
  );
  ids.credit = await ask('agent', ids.caseWo, credit, { amount: 15, currency: 'EUR' });
  const other = await open('CASE-1077', 'support-recovery', { caseId: 'C-78', orderId: '1077', orderPaid: true });
  // One the owner asked for herself: only someone else may approve it.
  ids.own = await ask(
    'support-lead',
    other,
    { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1077'] },
    { amount: 120 },
  );
  const blocked = await as.agent<StepAnswer>('POST', `/v1/work-orders/${other}/steps/confirm-customer/block`, {
    code: 'CUSTOMER_UNREACHABLE',
    rationale: 'no answer on two calls',
  });
  expect(blocked.status).toBe(201);
  ids.exception = defined(blocked.body.exception, 'exception of the blocked step').exceptionId;

  const urgent = await open('URG-7', 'urgent-fix', {});
  const glass = await as.agent<BreakGlassAnswer>('POST', `/v1/work-orders/${urgent}/break-glass`, {
    code: 'CUSTOMER_UNREACHABLE',
    rationale: 'customer flight leaves in an hour',
    action: { system: 'shop', operation: 'order.note', kind: 'write' },
  });
  expect(glass.status).toBe(201);
  ids.postReview = glass.body.postReview.id;
  await eventually(
    async () => {
      const r = await as['support-lead']<ViewRow[]>('GET', '/v1/post-reviews?owner=support-lead&overdue=true');
      return r.status === 200 && r.body.some((p) => p.postReviewId === ids.postReview);
    },
    15_000,
    'the post-review to fall overdue',
  );
  return { ids, refund, credit };
}
