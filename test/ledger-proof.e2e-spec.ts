import { client, clientsFor, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import type { ReadAllResult, Receipt, SignedCheckpoint, VerifyResult } from '@workgate/contracts';

/** Ledger export and proof over HTTP: verify, signed checkpoints, and a truncated tail caught against a kept checkpoint. */
describe('ledger export and proof', () => {
  let t: TestWorkgate;
  const principals = writePrincipals({ helpdesk: ['integrator'], lead: ['ops-lead'], agent: ['operator'] });
  let as: Record<string, ReturnType<typeof client>>;

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    as = clientsFor(t.url, principals.keys);
    for (let i = 0; i < 5; i++) {
      await as.helpdesk('POST', '/v1/work-orders', {
        jobType: 'support-recovery',
        externalRef: `LP-${i}`,
        source: 'helpdesk',
        inputs: { caseId: 'C', orderId: `${i}`, orderPaid: true },
      });
    }
  });
  afterAll(() => t?.close());

  it('exports events in position order, as JSON or NDJSON, for ops leads only', async () => {
    const page = await as.lead<ReadAllResult>('GET', '/v1/ledger/events?after=0&limit=3');
    expect(page.body.events.map((e) => e.position)).toEqual([1, 2, 3]);
    expect(page.body.next).toBe(3);
    const nd = await as.lead('GET', '/v1/ledger/events?after=3&limit=2', undefined, { Accept: 'application/x-ndjson' });
    expect(nd.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    expect(nd.headers.get('ledger-next')).toBe('5');
    expect(
      nd.text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).position),
    ).toEqual([4, 5]);
    expect((await as.agent('GET', '/v1/ledger/events')).status).toBe(403);
  });

  it("proves a receipt's event even while a checkpoint signed before it is being signed", async () => {
    const id = (
      await as.helpdesk<{ id: string }>('POST', '/v1/work-orders', {
        jobType: 'support-recovery',
        externalRef: 'LP-RACE',
        source: 'helpdesk',
        inputs: { caseId: 'C', orderId: 'race', orderPaid: true },
      })
    ).body.id;
    const missing: string[] = [];
    for (let i = 0; i < 20; i++) {
      // A signing asked for just before the action is committed: the receipt's proof must not wait on it alone.
      const signing = as.lead('GET', '/v1/ledger/checkpoint');
      const action = await as.agent<{ receiptId: string }>('POST', `/v1/work-orders/${id}/actions`, {
        system: 'shop',
        operation: 'order.read',
        kind: 'read',
        facts: { n: i },
      });
      const receipt = await as.agent<Receipt>('GET', `/v1/receipts/${action.body.receiptId}`);
      expect((await signing).status).toBe(200);
      if (!receipt.body.proof) missing.push(receipt.body.proofUnavailable ?? 'no proof');
    }
    expect(missing).toEqual([]);
  });

  it('verifies, signs a checkpoint, and catches a truncated tail against the kept checkpoint', async () => {
    const verified = await as.lead<VerifyResult>('GET', '/v1/ledger/verify');
    expect(verified.body).toMatchObject({ ok: true });
    const checkpoint = (await as.lead<SignedCheckpoint>('GET', '/v1/ledger/checkpoint')).body;
    expect(checkpoint).toMatchObject({
      position: verified.body.headPosition,
      headHash: verified.body.headHash,
      keyId: expect.any(String),
      signature: expect.any(String),
    });
    expect((await as.lead<VerifyResult>('POST', '/v1/ledger/verify', { checkpoint })).body).toMatchObject({ ok: true });
    expect(
      (
        await as.lead<VerifyResult>('POST', '/v1/ledger/verify', {
          checkpoint: { ...checkpoint, position: checkpoint.position - 1 },
        })
      ).body,
    ).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/signature/),
    });

    // A superuser with triggers off cuts the tail: the shorter chain holds on its own, but the stored
    // checkpoints and commit signatures name the first position gone...
    const owner = t.db.ownerPool();
    const c = await owner.connect();
    await c.query('SET session_replication_role = replica');
    await c.query('DELETE FROM ledger_events WHERE position > $1', [checkpoint.position - 2]);
    c.release();
    expect((await as.lead<VerifyResult>('GET', '/v1/ledger/verify')).body).toMatchObject({
      ok: false,
      firstBadPosition: checkpoint.position - 1,
      problem: expect.stringMatching(/truncated/),
    });
    // ...and so does the checkpoint kept outside the database.
    expect((await as.lead<VerifyResult>('POST', '/v1/ledger/verify', { checkpoint })).body).toMatchObject({
      ok: false,
      firstBadPosition: checkpoint.position - 1,
      problem: expect.stringMatching(/truncated/),
    });
  });
});
