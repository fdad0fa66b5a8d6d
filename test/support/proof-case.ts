import { randomUUID } from 'node:crypto';
import type { ActionAnswer } from '@workgate/contracts';
import { defined } from './answers';
import { eventually } from './processes';
import { client, openNotedCase, writePrincipals } from './principals';

/** One character of `text` at `at` changed to another of the same kind (hex stays hex, base64 stays base64). */
export function flipped(text: string, at: number): string {
  const c = text[at];
  const other = c === 'a' ? 'b' : c === 'A' ? 'B' : /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : 'a';
  return text.slice(0, at) + other + text.slice(at + 1);
}

/** The principals of the proof-package files. */
export const proofPackagePrincipals = () =>
  writePrincipals({
    helpdesk: ['integrator'],
    agent: ['operator'],
    'support-lead': ['approver', 'operator'],
    lead: ['ops-lead'],
    analyst: ['analyst'],
  });

export const proofSteps = ['inspect-case', 'validate-address', 'update-order', 'notify-warehouse', 'confirm-customer'];

/**
 * A closed work order of the shipped support-recovery workflow, as the proof-package files read it:
 * a noted case, a refund that waited for and got the support lead's approval, every step completed
 * with evidence, closed. `canaries` are planted as private evidence (and a step's note): never in
 * the client-safe package. Its external reference is unique: the files share a workgate.
 */
export async function closedProofCase(
  as: Record<string, ReturnType<typeof client>>,
): Promise<{ id: string; decisionReceipts: string[]; canaries: string[] }> {
  const canaries = Array.from({ length: 4 }, () => `CANARY-${randomUUID()}`);
  const steps = proofSteps;
  const noted = await openNotedCase(as.helpdesk, as.agent, `PP-${randomUUID()}`);
  const id = noted.id;
  const refund = { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1001'] };
  const wait = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
    ...refund,
    facts: { amount: 40 },
  });
  expect([noted.note.decision, wait.body.decision]).toEqual(['run', 'wait']);
  const decisionReceipts = [noted.note.receiptId, wait.body.receiptId];
  const approvalId = defined(wait.body.approvalId, 'the approval the refund waits for');
  await eventually(
    async () => (await as['support-lead']('GET', `/v1/approvals/${approvalId}`)).status === 200,
    10_000,
    'the approval to open',
  );
  const approved = await as['support-lead']('POST', `/v1/approvals/${approvalId}/decision`, {
    decision: 'approve',
    permittedAction: refund,
  });
  expect(approved.status).toBe(200);
  for (const [i, step] of steps.entries()) {
    const done = await as.agent('POST', `/v1/work-orders/${id}/steps/${step}/complete`, {
      evidence: [
        { kind: 'receipt', ref: `${step}-r` },
        ...(i === 2 ? [{ kind: 'call-log', ref: canaries[0], private: true, note: canaries[1] }] : []),
      ],
      ...(i === 3 ? { note: canaries[2] } : {}),
    });
    expect(done.status).toBe(200);
  }
  const closed = await eventually(
    async () => {
      const r = await as.agent('POST', `/v1/work-orders/${id}/close`, {
        closureEvidenceId: 'CE-1',
        evidence: [
          { kind: 'closure-note', ref: 'all done' },
          { kind: 'customer-call', ref: canaries[3], private: true },
        ],
      });
      return r.status === 200 ? r : undefined;
    },
    10_000,
    'the work order to learn the approval and close',
  );
  expect(closed.status).toBe(200);
  return { id, decisionReceipts, canaries };
}
