import { LedgerReader } from '@workgate/event-store';
import { insertChainedRow, rewriteFrom } from './support/ledger-tamper';
import { runVerify } from './support/verify-cli';
import { eventually } from './support/processes';
import { client, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import type { OpenedAnswer, SignedCheckpoint, VerifyResult } from '@workgate/contracts';

const inputs = { caseId: 'c', orderId: 'o', orderPaid: true };

/**
 * What the ledger refuses to sign (docs/ledger.md, Signed commits): a history that was truncated,
 * rewritten or written around the writer. Each case breaks its ledger: each has a workgate of its own.
 */
describe.each([
  ['a truncated tail', 'truncated'],
  ['a rewritten event, its chain recomputed', 'rewritten'],
  ['a row appended around the writer, with a valid chain hash', 'did not write'],
])('signing after %s (as a superuser)', (_what, because) => {
  const principals = writePrincipals({ helpdesk: ['integrator', 'operator'], lead: ['ops-lead'] });
  let t: TestWorkgate;

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
  });
  afterAll(() => t?.close());

  it('is refused, reported by /health, and stays refused after a restart', async () => {
    const as = client(t.url, principals.keys.helpdesk);
    const lead = client(t.url, principals.keys.lead);
    for (const ref of ['T-1', 'T-2', 'T-3'])
      await as('POST', '/v1/work-orders', { jobType: 'support-recovery', externalRef: ref, source: 'tamper', inputs });
    const kept = (await lead<SignedCheckpoint>('GET', '/v1/ledger/checkpoint')).body;
    const n = kept.treeSize;

    const owner = await t.db.ownerPool().connect();
    try {
      await owner.query('SET session_replication_role = replica'); // past the append-only triggers
      const events = (await new LedgerReader(t.db.appPool()).readAll(0, 10_000)).events;
      if (because === 'truncated') {
        await owner.query('DELETE FROM ledger_events WHERE position > $1', [n - 2]);
      } else if (because === 'rewritten') {
        // Change position n-1 and recompute the chain from there to n: the chain alone verifies.
        await rewriteFrom(t.db.ownerPool(), events.slice(0, n), n - 1, (data) => ({
          ...data,
          inputs: { ...inputs, orderPaid: false },
        }));
      } else {
        const last = events[n - 1];
        const forged = {
          ...last,
          position: n + 1,
          streamId: 'approval-forged',
          streamVersion: 1,
          eventId: '5d3f1c2a-0b1e-4c3d-9a8b-7c6d5e4f3a2b',
          type: 'ApprovalGranted',
          prevHash: last.hash,
        };
        await insertChainedRow(owner, last.hash, forged);
      }
    } finally {
      owner.release();
    }

    const refused = await lead<SignedCheckpoint>('GET', '/v1/ledger/checkpoint');
    expect(refused).toMatchObject({
      status: 503,
      body: { error: 'unavailable', message: expect.stringContaining(because) },
    });
    // /health reports it from its next background check (once a second).
    await eventually(
      async () => (await lead('GET', '/health')).text.includes('refusing to sign checkpoints'),
      5000,
      'the refusal on /health',
    );
    expect((await fetch(`${t.url}/health`)).status).toBe(503);
    // A row appended around the writer is covered by no writer signature: verify names it too.
    expect((await lead<VerifyResult>('POST', '/v1/ledger/verify', { note: kept.note })).body).toMatchObject({
      ok: false,
    });
    expect(runVerify(t.db.url, kept.verifierKey, kept.note)).toEqual({
      code: 1,
      out: expect.stringContaining('ledger BROKEN'),
    });
    if (because === 'did not write') {
      // The running writer finds the row when its next commit collides with it: it refuses from then on, counted like a refusal at start.
      const refusals = async () =>
        Number(
          /^workgate_ledger_writer_refusals_total (\d+)$/m.exec(await (await fetch(`${t.url}/metrics`)).text())?.[1],
        );
      const before = await refusals();
      expect(
        await as<OpenedAnswer>('POST', '/v1/work-orders', {
          jobType: 'support-recovery',
          externalRef: 'T-4',
          source: 'tamper',
          inputs,
        }),
      ).toMatchObject({ status: 503 });
      await eventually(async () => (await refusals()) === before + 1, 5000, "the running writer's refusal counted");
    }

    await t.restart();
    expect((await client(t.url, principals.keys.lead)('GET', '/v1/ledger/checkpoint')).status).toBe(503);
  });
});
