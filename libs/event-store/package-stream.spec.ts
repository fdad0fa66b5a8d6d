import type { Receipt } from '@workgate/contracts';
import { key, policy, proofPackage, sha256, WORK_ORDER } from './package.fixtures';
import { verifyPackage } from './package-verify';

/** Another definition, and every sha256 a package names outside the receipts' events changed to its own. */
function swappedDefinition(pkg: ReturnType<typeof proofPackage>, receipts: Receipt[], policies = true) {
  const definition = pkg.definition.replace('"Refunds"', '"Refunds, anything goes"');
  const sha = sha256(definition).toString('hex');
  return {
    sha,
    pkg: {
      ...pkg,
      definition,
      map: { ...pkg.map, sha256: sha },
      workOrder: { ...pkg.workOrder, workflow: { ...pkg.workOrder.workflow, sha256: sha } },
      receipts: policies ? receipts.map((r) => ({ ...r, policy: { ...r.policy, sha256: sha } })) : receipts,
    },
  };
}

describe("the ops lead's proof package binds its receipts to the work order's stream", () => {
  const pkg = proofPackage(true);
  const [opening, decision, step] = pkg.receipts;

  it('binds the definition to the policy the work order was opened under, with no decision receipt left', () => {
    const swapped = swappedDefinition(pkg, [opening, step], false);
    const verdict = verifyPackage(swapped.pkg, key);
    expect(verdict.problems).toContain(
      `definition: its sha256 ${swapped.sha} is not the policy ${policy.sha256} the work order was opened under (its WorkOrderOpened event, receipt ${opening.receiptId})`,
    );
    expect(verdict.lines.join('\n')).toMatch(/^NOT VERIFIED: /m);
  });

  it('names a receipt dropped from the stream or in it twice', () => {
    expect(verifyPackage({ ...pkg, receipts: [opening, step] }, key).problems).toEqual([
      `receipts: the receipts are not the whole stream workorder-${WORK_ORDER}: the receipt of stream version 2 is missing (receipt ${step.receiptId} is version 3)`,
    ]);
    expect(verifyPackage({ ...pkg, receipts: [opening, decision, decision, step] }, key).problems).toEqual([
      `receipts: receipt ${decision.receiptId}: it is in the package more than once`,
      `receipts: receipt ${decision.receiptId}: it is stream version 2 of workorder-${WORK_ORDER}, where version 3 belongs`,
    ]);
    expect(verifyPackage({ ...pkg, receipts: [decision, opening, step] }, key).problems[0]).toBe(
      `receipts: the receipts are not the whole stream workorder-${WORK_ORDER}: the receipt of stream version 1 is missing (receipt ${decision.receiptId} is version 2)`,
    );
  });

  it("names a receipt whose kind, decision or policy is not its event's", () => {
    const withStep = (change: Partial<Receipt>) => ({
      ...pkg,
      receipts: pkg.receipts.map((r) => (r === step ? { ...r, ...change } : r)),
    });
    const problem = (change: Partial<Receipt>) => verifyPackage(withStep(change), key).problems;
    expect(problem({ kind: 'closure' })).toEqual([
      `receipt 3/3 ${step.receiptId}: its kind "closure" is not what its event records`,
    ]);
    expect(problem({ decision: 'run', reason: 'within_boundary' })).toEqual([
      `receipt 3/3 ${step.receiptId}: its decision is not what its event records`,
    ]);
    expect(problem({ policy: { ...policy, version: 4 } })).toEqual([
      `receipt 3/3 ${step.receiptId}: its policy (not the one the work order was opened under) is not what its event records`,
    ]);
  });
});

describe('the public proof package says what it does not bind', () => {
  it('never calls a swapped definition verified: its issuance record holds the sha256 of the one issued', () => {
    const pkg = proofPackage(false);
    const swapped = swappedDefinition(pkg, pkg.receipts);
    const verdict = verifyPackage(swapped.pkg, key);
    expect(verdict.problems).toContain(
      `definition: its sha256 ${swapped.sha} is not the ${policy.sha256} the issuance record (position 5) records`,
    );
    for (const [i, r] of pkg.receipts.entries())
      expect(verdict.problems).toContainEqual(
        expect.stringMatching(
          new RegExp(`^receipt ${i + 1}/3 ${r.receiptId}: its sha256 is not the [0-9a-f]{64} the issuance record`),
        ),
      );
    expect(verdict.lines.join('\n')).not.toMatch(/verified \(/);
    expect(verdict.lines.at(-1)).toMatch(/: NOT VERIFIED \(/);
  });

  it('refuses a package where some receipts carry their events and others do not', () => {
    const full = proofPackage(true);
    const { event: _event, ...bare } = full.receipts[2];
    expect(verifyPackage({ ...full, receipts: [full.receipts[0], full.receipts[1], bare] }, key).problems).toContain(
      'receipts: 2 of 3 receipts carry their event: all or none do',
    );
  });
});
