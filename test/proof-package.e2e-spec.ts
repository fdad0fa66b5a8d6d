import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defined } from './support/answers';
import { goVerifyPackage } from './support/go-verifier';
import { client, clientsFor } from './support/principals';
import { closedProofCase, flipped, proofPackagePrincipals, proofSteps } from './support/proof-case';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import { runVerifyReceipt } from './support/verify-cli';
import { verifyInProcess } from './support/verify-in-process';
import type { DeliveryPage, ProofPackage, WorkflowMap, WorkflowVersion } from '@workgate/contracts';

const ARTIFACTS = join(__dirname, 'artifacts');

/**
 * The proof package of a closed work order of a shipped workflow, as an auditor gets it: every
 * receipt proved against one signed checkpoint, the definition the decisions name, the map and
 * delivery page the API answers; verified offline by `npm run verify-receipt` and by Go; any byte
 * changed is named. The client-safe package, tampering and access: proof-package-public.e2e-spec.ts.
 */
describe('the proof package of a work order', () => {
  let t: SharedTestWorkgate;
  const principals = proofPackagePrincipals();
  let as: Record<string, ReturnType<typeof client>>;
  let key: string;
  let id: string;
  let decisionReceipts: string[];
  let canaries: string[];
  const steps = proofSteps;

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = clientsFor(t.url, principals.keys);
    key = (await (await fetch(`${t.url}/v1/ledger/key`)).text()).trim();
    ({ id, decisionReceipts, canaries } = await closedProofCase(as));
  });
  afterAll(() => t?.close());

  it('holds the work order, the exact definition, its map and boundary, the delivery page and every receipt against one checkpoint', async () => {
    const got = await as.lead<ProofPackage>('GET', `/v1/work-orders/${id}/proof`);
    expect(got.status).toBe(200);
    const pkg = got.body;
    expect(Object.keys(pkg)).toEqual([
      'workOrder',
      'definition',
      'map',
      'boundary',
      'delivery',
      'receipts',
      'checkpoint',
      'verifierKey',
      'issuance',
    ]);
    expect(pkg.workOrder).toMatchObject({ id, status: 'closed' });
    const published = (await as.lead<WorkflowVersion>('GET', '/v1/workflows/support-recovery/versions/1')).body;
    expect(JSON.parse(pkg.definition)).toEqual(published.definition);
    expect(createHash('sha256').update(pkg.definition).digest('hex')).toBe(published.sha256);
    expect(pkg.map).toEqual((await as.lead<WorkflowMap>('GET', '/v1/workflows/support-recovery/versions/1/map')).body);
    expect(pkg.boundary).toEqual({ systems: published.definition.systems, rules: published.definition.rules });
    expect(pkg.delivery.json).toEqual((await as.lead<DeliveryPage>('GET', `/v1/work-orders/${id}/delivery`)).body);
    const html = await as.lead('GET', `/v1/work-orders/${id}/delivery`, undefined, { Accept: 'text/html' });
    expect(pkg.delivery.html).toBe(html.text);
    expect(pkg.verifierKey).toBe(key);

    // Every receipt, in ledger order, each with its inclusion proof against the package's one checkpoint.
    const events = (await as.lead<Array<{ eventId: string; position: number }>>('GET', `/v1/work-orders/${id}/events`))
      .body;
    expect(pkg.receipts.map((r) => r.receiptId)).toEqual(events.map((e) => e.eventId));
    expect(pkg.receipts.filter((r) => r.kind === 'decision').map((r) => r.receiptId)).toEqual(decisionReceipts);
    expect(pkg.receipts.filter((r) => r.kind === 'step')).toHaveLength(steps.length);
    expect(pkg.receipts.map((r) => r.kind)).toEqual(expect.arrayContaining(['opening', 'approval-outcome', 'closure']));
    for (const r of pkg.receipts) {
      expect(r.proof).toMatchObject({ checkpoint: pkg.checkpoint, leafIndex: r.ledger.position - 1 });
      expect(r.event?.eventId).toBe(r.receiptId);
    }
    // The private package is the ops lead's: the private evidence is in it.
    for (const canary of canaries) expect(got.text).toContain(canary);
  });

  it('verifies offline with npm run verify-receipt and with Go; one byte changed anywhere is named', async () => {
    const got = await as.lead<ProofPackage>('GET', `/v1/work-orders/${id}/proof`);
    const pkg = got.body;
    const verified = runVerifyReceipt(got.text, key);
    // What an auditor gets and reads, kept to look at.
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'proof-package.json'), got.text);
    writeFileSync(join(ARTIFACTS, 'proof-package.verified.txt'), verified.out);
    expect(verified).toEqual({ code: 0, out: expect.stringContaining(`proof package of work order ${id}: verified`) });
    expect(verified.out).toContain(
      'events: every receipt carries its event, each hashes to its leaf and agrees with its receipt',
    );
    expect(verified.out).toContain(
      `stream: the receipts are stream versions 1..${pkg.receipts.length} of workorder-${id}, each once`,
    );
    expect(verified.out).toContain(
      `definition: support-recovery v1, sha256 ${pkg.workOrder.workflow.sha256}: the policy the work order was opened under (its WorkOrderOpened event, receipt ${pkg.receipts[0].receiptId})`,
    );
    expect(verified.out).toContain("boundary: the definition's systems and rules");
    expect(verified.out).toContain('map: built afresh from the definition, the same nodes and edges');
    // support-recovery extends the shipped governed-checklist pattern: its decisions' receipts name it, and Go checks them too.
    const patterns = pkg.receipts.filter((r) => r.kind === 'decision').map((r) => r.policy?.pattern?.name);
    expect(patterns.length).toBeGreaterThan(0);
    expect(new Set(patterns)).toEqual(new Set(['governed-checklist']));
    expect(goVerifyPackage(pkg, key)).toMatchObject({ ok: true, checked: pkg.receipts.length });
    // What one receipt weighs in the package, and the checkpoint note each proof repeats.
    writeFileSync(
      join(ARTIFACTS, 'proof-package.sizes.txt'),
      [
        `package: ${got.text.length} bytes, ${pkg.receipts.length} receipts`,
        `receipts: ${Math.round(JSON.stringify(pkg.receipts).length / pkg.receipts.length)} bytes each on average`,
        `checkpoint note: ${pkg.checkpoint.length} bytes (in every receipt's proof)`,
      ].join('\n'),
    );

    const receipt = pkg.receipts[3];
    const withReceipt = (change: (r: typeof receipt) => typeof receipt) =>
      JSON.stringify({ ...pkg, receipts: pkg.receipts.map((r) => (r === receipt ? change(r) : r)) });
    expect(
      runVerifyReceipt(
        withReceipt((r) => ({ ...r, ledger: { ...r.ledger, hash: flipped(r.ledger.hash, 10) } })),
        key,
      ),
    ).toEqual({
      code: 1,
      out: expect.stringContaining(
        `NOT VERIFIED: receipt 4/${pkg.receipts.length} ${receipt.receiptId}: the inclusion proof does not lead to the checkpoint's root`,
      ),
    });
    const recorded = defined(receipt.event, "the receipt's event");
    const editedEvent = withReceipt((r) => ({
      ...r,
      event: { ...recorded, recordedAt: flipped(recorded.recordedAt, 3) },
    }));
    expect(verifyInProcess(editedEvent, key)).toEqual({
      code: 1,
      out: expect.stringContaining(
        `NOT VERIFIED: receipt 4/${pkg.receipts.length} ${receipt.receiptId}: the event does not hash`,
      ),
    });

    const definition = flipped(pkg.definition, pkg.definition.indexOf('Support case recovery'));
    const changedDefinition = verifyInProcess(JSON.stringify({ ...pkg, definition }), key);
    expect(changedDefinition).toEqual({
      code: 1,
      out: expect.stringContaining(
        `NOT VERIFIED: definition: its sha256 ${createHash('sha256').update(definition).digest('hex')} is not the policy ${pkg.workOrder.workflow.sha256} the work order was opened under (its WorkOrderOpened event, receipt ${pkg.receipts[0].receiptId})`,
      ),
    });
    expect(goVerifyPackage({ ...pkg, definition }, key).ok).toBe(false);

    const root = pkg.checkpoint.split('\n')[2];
    const checkpoint = pkg.checkpoint.replace(root, flipped(root, 5));
    expect(verifyInProcess(JSON.stringify({ ...pkg, checkpoint }), key)).toEqual({
      code: 1,
      out: expect.stringContaining('NOT VERIFIED: checkpoint: its signature'),
    });
    expect(goVerifyPackage({ ...pkg, checkpoint }, key).ok).toBe(false);
    // The tampered variants below are checked by the same verifier in this process (exit code and output as
    // the command gives them); the command itself answered the untouched package, the flipped leaf and, last, a
    // file that is not JSON.
    // Another key than the ledger's: nothing verifies.
    expect(verifyInProcess(got.text, key.replace(/\+[0-9a-f]{8}\+/, '+00000000+')).code).toBe(1);
    expect(runVerifyReceipt('{"receipts": [', key).code).toBe(2);
  });
});
