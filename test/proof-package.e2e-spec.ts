import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defined } from './support/answers';
import { goVerifyPackage } from './support/go-verifier';
import { eventually } from './support/processes';
import { client, clientsFor, openNotedCase, writePrincipals } from './support/principals';
import { runVerifyReceipt } from './support/verify-cli';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import type { ActionAnswer, DeliveryPage, ProofPackage, WorkflowMap, WorkflowVersion } from '@workgate/contracts';

const ARTIFACTS = join(__dirname, 'artifacts');

/** One character of `text` at `at` changed to another of the same kind (hex stays hex, base64 stays base64). */
function flipped(text: string, at: number): string {
  const c = text[at];
  const other = c === 'a' ? 'b' : c === 'A' ? 'B' : /[0-9]/.test(c) ? String((Number(c) + 1) % 10) : 'a';
  return text.slice(0, at) + other + text.slice(at + 1);
}

/**
 * The proof package of a closed work order of a shipped workflow, as an auditor and a client get
 * it: every receipt proved against one signed checkpoint, the definition the decisions name, the
 * map and delivery page the API answers; verified offline by `npm run verify-receipt` and by Go;
 * any byte changed is named; the client-safe package holds none of the private evidence.
 */
describe('the proof package of a work order', () => {
  const principals = writePrincipals({
    helpdesk: ['integrator'],
    agent: ['operator'],
    'support-lead': ['approver', 'operator'],
    lead: ['ops-lead'],
    analyst: ['analyst'],
  });
  let t: TestWorkgate;
  let as: Record<string, ReturnType<typeof client>>;
  let key: string;
  let id: string;
  let decisionReceipts: string[];
  /** Planted as private evidence (and a step's note): never in the client-safe package. */
  const canaries = Array.from({ length: 4 }, () => `CANARY-${randomUUID()}`);
  const steps = ['inspect-case', 'validate-address', 'update-order', 'notify-warehouse', 'confirm-customer'];

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    as = clientsFor(t.url, principals.keys);
    key = (await (await fetch(`${t.url}/v1/ledger/key`)).text()).trim();
    const noted = await openNotedCase(as.helpdesk, as.agent, 'PP-1');
    id = noted.id;
    const refund = { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1001'] };
    const wait = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      ...refund,
      facts: { amount: 40 },
    });
    expect([noted.note.decision, wait.body.decision]).toEqual(['run', 'wait']);
    decisionReceipts = [noted.note.receiptId, wait.body.receiptId];
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
    expect(runVerifyReceipt(editedEvent, key)).toEqual({
      code: 1,
      out: expect.stringContaining(
        `NOT VERIFIED: receipt 4/${pkg.receipts.length} ${receipt.receiptId}: the event does not hash`,
      ),
    });

    const definition = flipped(pkg.definition, pkg.definition.indexOf('Support case recovery'));
    const changedDefinition = runVerifyReceipt(JSON.stringify({ ...pkg, definition }), key);
    expect(changedDefinition).toEqual({
      code: 1,
      out: expect.stringContaining(
        `NOT VERIFIED: definition: its sha256 ${createHash('sha256').update(definition).digest('hex')} is not the policy ${pkg.workOrder.workflow.sha256} the work order was opened under (its WorkOrderOpened event, receipt ${pkg.receipts[0].receiptId})`,
      ),
    });
    expect(goVerifyPackage({ ...pkg, definition }, key).ok).toBe(false);

    const root = pkg.checkpoint.split('\n')[2];
    const checkpoint = pkg.checkpoint.replace(root, flipped(root, 5));
    expect(runVerifyReceipt(JSON.stringify({ ...pkg, checkpoint }), key)).toEqual({
      code: 1,
      out: expect.stringContaining('NOT VERIFIED: checkpoint: its signature'),
    });
    expect(goVerifyPackage({ ...pkg, checkpoint }, key).ok).toBe(false);
    // Another key than the ledger's: nothing verifies.
    expect(runVerifyReceipt(got.text, key.replace(/\+[0-9a-f]{8}\+/, '+00000000+')).code).toBe(1);
    expect(runVerifyReceipt('{"receipts": [', key).code).toBe(2);
  });

  it('gives any role the client-safe package: none of the private evidence, every part bound by its issuance record', async () => {
    const got = await as.analyst<ProofPackage>('GET', `/v1/work-orders/${id}/proof?public=true`);
    expect(got.status).toBe(200);
    for (const canary of canaries) expect(got.text).not.toContain(canary);
    expect(got.text).not.toContain('"private":true');
    expect(got.body.receipts.every((r) => r.event === undefined)).toBe(true);
    expect(got.body.receipts.find((r) => r.kind === 'closure')?.evidence).toEqual([
      { kind: 'closure-note', ref: 'all done' },
    ]);
    const verified = runVerifyReceipt(got.text, key);
    // No events, but every part hashes to what the ledger recorded when the package was issued.
    expect(verified).toEqual({
      code: 0,
      out: expect.stringContaining(
        `proof package of work order ${id}: verified (8 parts and ${got.body.receipts.length} receipt(s), every one bound)`,
      ),
    });
    expect(verified.out).not.toContain('NOT BOUND');
    expect(verified.out).toContain(`none of the ${got.body.receipts.length} receipts carries its event`);
    expect(verified.out).toMatch(/^issuance: the public package's ProofPackageIssued event, position \d+: /m);
    // Another definition, with every sha256 outside the ledger changed to its own: named, not verified.
    const definition = got.body.definition.replace('Support case recovery', 'Support case, anything goes');
    const sha = createHash('sha256').update(definition).digest('hex');
    const swapped = runVerifyReceipt(
      JSON.stringify({
        ...got.body,
        definition,
        map: { ...got.body.map, sha256: sha },
        workOrder: { ...got.body.workOrder, workflow: { ...got.body.workOrder.workflow, sha256: sha } },
        receipts: got.body.receipts.map((r) => ({ ...r, policy: { ...r.policy, sha256: sha } })),
      }),
      key,
    );
    expect(swapped.code).toBe(1);
    expect(swapped.out).toMatch(
      new RegExp(`definition: its sha256 ${sha} is not the ${got.body.workOrder.workflow.sha256} the issuance record`),
    );
    expect(swapped.out).not.toMatch(/verified \(/m);
    expect(goVerifyPackage(got.body, key)).toMatchObject({ ok: true });
  });

  it('fails an ops-lead package whose receipts, definition, boundary or map were tampered with, naming what', async () => {
    const pkg = (await as.lead<ProofPackage>('GET', `/v1/work-orders/${id}/proof`)).body;
    const failure = (changed: object) => {
      const verdict = runVerifyReceipt(JSON.stringify({ ...pkg, ...changed }), key);
      expect(verdict.code).toBe(1);
      return verdict.out;
    };
    const [, second, third] = pkg.receipts;
    // A receipt dropped, or in twice: the receipts are the work order's whole stream.
    expect(failure({ receipts: pkg.receipts.filter((r) => r !== second) })).toContain(
      `NOT VERIFIED: receipts: the receipts are not the whole stream workorder-${id}: the receipt of stream version 2 is missing (receipt ${third.receiptId} is version 3)`,
    );
    expect(failure({ receipts: [...pkg.receipts.slice(0, 2), second, ...pkg.receipts.slice(2)] })).toContain(
      `NOT VERIFIED: receipts: receipt ${second.receiptId}: it is in the package more than once`,
    );
    // A receipt's kind or policy edited: not what its event records.
    const edited = (change: object) => pkg.receipts.map((r) => (r === third ? { ...r, ...change } : r));
    expect(failure({ receipts: edited({ kind: 'closure' }) })).toContain(
      `NOT VERIFIED: receipt 3/${pkg.receipts.length} ${third.receiptId}: its kind "closure" is not what its event records`,
    );
    // Another definition, no decision receipt left to name a policy, the map's and work order's sha256 its own:
    // the work order's opening event still names the policy it ran under.
    const definition = pkg.definition.replace('Support case recovery', 'Support case, anything goes');
    const sha = createHash('sha256').update(definition).digest('hex');
    expect(
      failure({
        definition,
        map: { ...pkg.map, sha256: sha },
        workOrder: { ...pkg.workOrder, workflow: { ...pkg.workOrder.workflow, sha256: sha } },
        receipts: pkg.receipts.filter((r) => r.kind !== 'decision'),
      }),
    ).toContain(
      `definition: its sha256 ${sha} is not the policy ${pkg.workOrder.workflow.sha256} the work order was opened under (its WorkOrderOpened event, receipt ${pkg.receipts[0].receiptId})`,
    );
    // A stop rule deleted from the boundary; a node deleted from the map.
    const rules = pkg.boundary.rules.filter((r) => r.decision !== 'stop');
    expect(rules.length).toBeLessThan(pkg.boundary.rules.length);
    expect(failure({ boundary: { ...pkg.boundary, rules } })).toContain(
      "NOT VERIFIED: boundary: its rules are not the definition's rules",
    );
    const stop = defined(
      pkg.map.nodes.find((n) => n.kind === 'stop'),
      'a stop node',
    );
    expect(failure({ map: { ...pkg.map, nodes: pkg.map.nodes.filter((n) => n !== stop) } })).toContain(
      `NOT VERIFIED: map: its nodes (at ${stop.id}) are not what the definition gives`,
    );
  });

  it('is for ops leads with private evidence (403 otherwise), 404 for an unknown work order', async () => {
    expect(await as.analyst('GET', `/v1/work-orders/${id}/proof`)).toMatchObject({
      status: 403,
      body: { error: 'forbidden' },
    });
    expect((await as.agent('GET', `/v1/work-orders/${id}/proof?public=false`)).status).toBe(403);
    expect((await as.agent('GET', `/v1/work-orders/${id}/proof?public=true`)).status).toBe(200);
    const unknown = randomUUID();
    expect(await as.lead('GET', `/v1/work-orders/${unknown}/proof`)).toMatchObject({
      status: 404,
      body: { error: 'not_found' },
    });
    expect((await as.analyst('GET', `/v1/work-orders/${unknown}/proof?public=true`)).status).toBe(404);
    expect((await as.analyst('GET', '/v1/work-orders/not-an-id/proof?public=true')).status).toBe(404);
    expect((await fetch(`${t.url}/v1/work-orders/${id}/proof?public=true`)).status).toBe(401);
  });
});
