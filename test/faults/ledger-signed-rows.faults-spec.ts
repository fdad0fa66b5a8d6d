import { randomUUID } from 'node:crypto';
import { LedgerReader } from '@workgate/event-store';
import { ledgerStreamTail } from '@workgate/messaging';
import { dataOf } from '@workgate/contracts';
import type {
  ActionAnswer,
  LedgerHealthDetails,
  OpenedAnswer,
  SignedCheckpoint,
  VerifyResult,
} from '@workgate/contracts';
import { insertChainedRow, rewriteFrom } from '../support/ledger-tamper';
import { eventually } from '../support/processes';
import { client, clientsFor, writePrincipals } from '../support/principals';
import { runVerify } from '../support/verify-cli';
import { startTestWorkgate, TestWorkgate } from '../support/workgate';
import { defined } from '../support/answers';

const inputs = { caseId: 'c', orderId: '1001', orderPaid: true };
const steps = ['inspect-case', 'validate-address', 'update-order', 'notify-warehouse', 'confirm-customer'];
const refund = { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1001'] };

/** The ledger's health details as an ops lead reads them on /health. */
async function ledgerHealth(t: TestWorkgate, key: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${t.url}/health`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, text: JSON.stringify(await res.json()) };
}

/** A work order whose refund waits for the support lead's approval. */
async function waitingRefund(as: Record<string, ReturnType<typeof client>>, ref: string) {
  const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
    jobType: 'support-recovery',
    externalRef: ref,
    source: 'helpdesk',
    inputs: { ...inputs, caseId: ref },
  });
  const id = opened.body.id;
  for (const step of steps)
    await as.agent('POST', `/v1/work-orders/${id}/steps/${step}/complete`, {
      evidence: [{ kind: 'receipt', ref: `${step}-r` }],
    });
  const wait = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
    ...refund,
    facts: { amount: 40 },
  });
  expect(wait.body).toMatchObject({ decision: 'wait', approvalId: expect.any(String) });
  return { id, approvalId: defined(wait.body.approvalId, 'approval id'), receiptId: wait.body.receiptId };
}

const principals = writePrincipals({
  helpdesk: ['integrator'],
  agent: ['operator'],
  'support-lead': ['approver', 'operator'],
  lead: ['ops-lead'],
});

/**
 * A chain-valid `ApprovalGranted` inserted by a database superuser while workgate runs carries no
 * writer signature: no reader acts on it (the approval stays pending, nothing of it reaches
 * LEDGER, so no reaction or webhook sees it), it is reported at once (/health naming its position,
 * the metric), the writer does not chain onto it, and once it is removed the writer and the relay go
 * on.
 */
describe('a row no writer signed, added while workgate runs', () => {
  let t: TestWorkgate;
  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
  });
  afterAll(() => t?.close());

  it('is never acted on, is reported naming its position, and its removal lets the relay go on', async () => {
    const as = clientsFor(t.url, principals.keys);
    const { approvalId } = await waitingRefund(as, 'SR-1');
    await eventually(
      async () => (await as['support-lead']<{ status: string }>('GET', `/v1/approvals/${approvalId}`)).body?.status,
      10_000,
      'the approval to open',
    );
    const reader = new LedgerReader(t.db.appPool());
    const stream = await reader.readStream(`approval-${approvalId}`);
    const head = await reader.head();
    const jsm = await t.nc.jetstreamManager();
    await eventually(async () => (await ledgerStreamTail(jsm)).position === head.position, 10_000, 'LEDGER caught up');
    const [last] = (await reader.readAll(head.position - 1, 1)).events;
    const forged = head.position + 1;
    const owner = t.db.ownerPool();
    await insertChainedRow(owner, last.hash, {
      ...last,
      position: forged,
      streamId: `approval-${approvalId}`,
      streamVersion: stream.version + 1,
      eventId: randomUUID(),
      type: 'ApprovalGranted',
      data: { approvalId, decidedBy: 'support-lead', at: last.recordedAt },
      metadata: { actor: 'support-lead' },
    });

    // Reported: /health degraded, naming the position.
    await eventually(async () => (await ledgerHealth(t, principals.keys.lead)).status === 503, 20_000, '/health 503');
    expect((await ledgerHealth(t, principals.keys.lead)).text).toContain(
      `position ${forged} is covered by no writer signature`,
    );
    expect(await (await fetch(`${t.url}/metrics`)).text()).toMatch(/^workgate_ledger_unsigned_rows 1$/m);
    // Never acted on: the approval is still pending, LEDGER never got the row.
    expect((await as['support-lead']<{ status: string }>('GET', `/v1/approvals/${approvalId}`)).body.status).toBe(
      'requested',
    );
    expect((await ledgerStreamTail(jsm)).position).toBe(head.position);
    expect((await as.lead('GET', `/v1/ledger/events?after=${head.position - 1}`)).text).not.toContain(
      'ApprovalGranted',
    );
    // Never served as part of the tree: a consistency proof ends at the signed head.
    expect((await as.lead('GET', `/v1/ledger/consistency?from=1&to=${forged}`)).status).toBe(422);
    expect((await as.lead<{ toRoot: string }>('GET', `/v1/ledger/consistency?from=1&to=${head.position}`)).status).toBe(
      200,
    );
    // The writer's next commit meets the row: it refuses to chain onto it.
    const open = (ref: string) =>
      as.helpdesk('POST', '/v1/work-orders', {
        jobType: 'support-recovery',
        externalRef: ref,
        source: 'helpdesk',
        inputs,
      });
    expect((await open('SR-2')).status).toBe(503);

    // Removed: the metric says 0.
    const c = await owner.connect();
    try {
      await c.query('SET session_replication_role = replica');
      await c.query('DELETE FROM ledger_events WHERE position = $1', [forged]);
    } finally {
      c.release();
    }
    await eventually(
      async () => /^workgate_ledger_unsigned_rows 0$/m.test(await (await fetch(`${t.url}/metrics`)).text()),
      10_000,
      'the unsigned row no longer counted',
    );
    // The writer goes on (it wrote everything the ledger holds), and the relay publishes what it writes.
    await eventually(async () => (await open('SR-3')).status === 201, 10_000, 'a write accepted again');
    const after = await reader.head();
    expect(after.position).toBeGreaterThan(head.position);
    await eventually(async () => (await ledgerStreamTail(jsm)).position === after.position, 10_000, 'LEDGER goes on');
    const relay = async () =>
      (await as.lead<{ details: { ledger: LedgerHealthDetails } }>('GET', '/health')).body.details.ledger;
    await eventually(async () => (await relay()).publishedPosition === after.position, 10_000, 'the relay on /health');
    expect((await relay()).relayPaused).toBeUndefined();
  });
});

/**
 * `verify` recomputes the chain and the Merkle root from the rows and checks them against every
 * stored checkpoint's signature and root, and every commit signature it finds: a consistent rewrite
 * (every hash recomputed) and a truncated tail both fail, naming the first bad position.
 */
describe('verify, without a kept checkpoint', () => {
  let t: TestWorkgate;
  let key: string;
  beforeAll(async () => {
    // Checkpoints are signed when the test asks for them only.
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path, WORKGATE_CHECKPOINT_EVERY: 'PT1H' } });
    key = (await (await fetch(`${t.url}/v1/ledger/key`)).text()).trim();
  });
  afterAll(() => t?.close());

  const open = (ref: string) =>
    client(t.url, principals.keys.helpdesk)('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: ref,
      source: 'verify',
      inputs,
    });
  const checkpoint = async () =>
    (await client(t.url, principals.keys.lead)<SignedCheckpoint>('GET', '/v1/ledger/checkpoint')).body;

  it('names the last row deleted while workgate runs', async () => {
    for (const ref of ['V-1', 'V-2']) await open(ref);
    const kept = await checkpoint();
    const n = kept.treeSize;
    const [last] = (await new LedgerReader(t.db.appPool()).readAll(n - 1, 1)).events;
    const c = await t.db.ownerPool().connect();
    try {
      await c.query('SET session_replication_role = replica');
      await c.query('DELETE FROM ledger_events WHERE position = $1', [n]);
      const over = await client(t.url, principals.keys.lead)<VerifyResult>('GET', '/v1/ledger/verify');
      expect(over.body).toMatchObject({ ok: false, firstBadPosition: n });
      const cli = runVerify(t.db.url, key);
      expect(cli.code).toBe(1);
      expect(cli.out).toContain(`ledger BROKEN at position ${n}:`);
    } finally {
      // Put back as it was, for the next test.
      await insertChainedRow(c, last.prevHash, last);
      c.release();
    }
    expect(runVerify(t.db.url, key)).toMatchObject({ code: 0, out: expect.stringContaining('ledger OK') });
  });

  it('names the first rewritten position of a consistent rewrite made while workgate is stopped', async () => {
    for (const ref of ['V-3', 'V-4']) await open(ref);
    const older = await checkpoint();
    for (const ref of ['V-5', 'V-6']) await open(ref);
    await checkpoint();
    // Rewrite from the first event of a commit past the older checkpoint's first half.
    const { rows } = await t.db
      .ownerPool()
      .query<{ position: number }>(
        'SELECT position FROM ledger_commit_signatures WHERE position < $1 ORDER BY position',
        [older.treeSize],
      );
    const from = rows[Math.floor(rows.length / 2)].position + 1;
    let cli = { code: 0, out: '' };
    await t.restart(async () => {
      await rewriteFrom(t.db.ownerPool(), (await new LedgerReader(t.db.appPool()).readAll(0, 10_000)).events, from);
      cli = runVerify(t.db.url, key);
    });
    expect(cli.code).toBe(1);
    expect(cli.out).toContain(`ledger BROKEN at position ${from}:`);
    expect(cli.out).not.toContain('undefined');
    const over = await client(t.url, principals.keys.lead)<VerifyResult>('GET', '/v1/ledger/verify');
    expect(over.body).toMatchObject({ ok: false, firstBadPosition: from });
    // With the older kept checkpoint too, the position is named (never "undefined").
    const withKept = runVerify(t.db.url, key, older.note);
    expect(withKept.code).toBe(1);
    expect(withKept.out).toContain(`ledger BROKEN at position ${from}:`);
  }, 300_000);
});

/**
 * A row whose content no longer matches its hash (edited by a superuser past the append-only
 * triggers) is neither signed over nor served: the checkpoint signer refuses naming the position,
 * /health says so, and its receipt is refused.
 */
describe('a row edited behind the append-only triggers', () => {
  let t: TestWorkgate;
  beforeAll(async () => {
    // Checkpoints are signed when the test asks for them only.
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path, WORKGATE_CHECKPOINT_EVERY: 'PT1H' } });
  });
  afterAll(() => t?.close());

  it('is not signed over, /health names it, and its receipt is not served', async () => {
    const as = clientsFor(t.url, principals.keys);
    await waitingRefund(as, 'E-1');
    await as.lead('GET', '/v1/ledger/checkpoint');
    const { receiptId } = await waitingRefund(as, 'E-2');
    const event = (await new LedgerReader(t.db.appPool()).readAll(0, 10_000)).events.find(
      (e) => e.eventId === receiptId,
    )!;
    const data = dataOf(event, 'workorder', 'ActionDecided');
    const c = await t.db.ownerPool().connect();
    try {
      await c.query('SET session_replication_role = replica');
      await c.query('UPDATE ledger_events SET data = $2 WHERE position = $1', [
        event.position,
        JSON.stringify({ ...data, decision: { ...data.decision, decision: 'run' } }),
      ]);
    } finally {
      c.release();
    }

    const refused = await as.lead('GET', '/v1/ledger/checkpoint');
    expect(refused.status).toBe(503);
    expect(refused.text).toContain(`position ${event.position}`);
    await eventually(async () => (await ledgerHealth(t, principals.keys.lead)).status === 503, 10_000, '/health 503');
    expect((await ledgerHealth(t, principals.keys.lead)).text).toContain(`position ${event.position}`);
    const receipt = await as.lead('GET', `/v1/receipts/${receiptId}`);
    expect(receipt.status).toBe(503);
    expect(receipt.text).toContain(`position ${event.position} does not match its hash`);
    expect(receipt.text).not.toContain('"decision":"run"');
  });
});
