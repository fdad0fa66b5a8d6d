import { createHash, randomUUID } from 'node:crypto';
import { defined } from './support/answers';
import { goVerifyPackage } from './support/go-verifier';
import { client, clientsFor } from './support/principals';
import { closedProofCase, proofPackagePrincipals } from './support/proof-case';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import { runVerifyReceipt } from './support/verify-cli';
import { verifyInProcess } from './support/verify-in-process';
import type { ProofPackage } from '@workgate/contracts';

/**
 * The proof package of a closed work order (proof-package.e2e-spec.ts): the client-safe package
 * holds none of the private evidence and is bound by its issuance record; a tampered ops-lead
 * package is named; who may ask for which package.
 */
describe('the proof package of a work order: the client-safe package, tampering and access', () => {
  let t: SharedTestWorkgate;
  const principals = proofPackagePrincipals();
  let as: Record<string, ReturnType<typeof client>>;
  let key: string;
  let id: string;
  let canaries: string[];

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = clientsFor(t.url, principals.keys);
    key = (await (await fetch(`${t.url}/v1/ledger/key`)).text()).trim();
    ({ id, canaries } = await closedProofCase(as));
  });
  afterAll(() => t?.close());

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
        `proof package of work order ${id}: verified (9 parts and ${got.body.receipts.length} receipt(s), every one bound)`,
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
    const failure = (changed: object, verify = verifyInProcess) => {
      const verdict = verify(JSON.stringify({ ...pkg, ...changed }), key);
      expect(verdict.code).toBe(1);
      return verdict.out;
    };
    const [, second, third] = pkg.receipts;
    // A receipt dropped, or in twice: the receipts are the work order's whole stream.
    // The first through `npm run verify-receipt` itself, the rest by the same verifier in this process.
    expect(failure({ receipts: pkg.receipts.filter((r) => r !== second) }, runVerifyReceipt)).toContain(
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
