import { generateKeyPairSync } from 'node:crypto';
import { edited, key, origin, policy, proofPackage, replaceLast, sha256, WORK_ORDER } from './package.fixtures';
import { isProofPackage, verifyPackage } from './package-verify';
import { isReceipt, verifyReceipt } from './receipt-verify';
import { rawPublicKey, verifierKey } from './signed-note';

describe('a proof package verified offline', () => {
  it('verifies: the checkpoint, every inclusion proof, every event, the definition under every decision', () => {
    const verdict = verifyPackage(proofPackage(true), key);
    expect(verdict.problems).toEqual([]);
    expect(verdict.lines.at(-1)).toBe(
      `proof package of work order ${WORK_ORDER}: verified (9 parts and 3 receipt(s), every one bound)`,
    );
    expect(verdict.lines).toContain(
      'events: every receipt carries its event, each hashes to its leaf and agrees with its receipt',
    );
    expect(verdict.lines.join('\n')).toContain(
      `sha256 ${policy.sha256}: the policy the work order was opened under (its WorkOrderOpened event, receipt ${proofPackage(true).receipts[0].receiptId}), named by 1 decision receipt(s)`,
    );
  });

  it('verifies the client-safe package, whose receipts carry no events, by the hashes its issuance record holds', () => {
    const pkg = proofPackage(false);
    const verdict = verifyPackage(pkg, key);
    expect(verdict.problems).toEqual([]);
    expect(verdict.lines.join('\n')).toContain('none of the 3 receipts carries its event');
    expect(verdict.lines).toContain(
      "issuance: the public package's ProofPackageIssued event, position 5: in the tree, hashes to its leaf",
    );
    expect(verdict.lines.at(-1)).toBe(
      `proof package of work order ${WORK_ORDER}: verified (9 parts and 3 receipt(s), every one bound)`,
    );
  });

  it('without its issuance record, names each part of the client-safe package it cannot bind', () => {
    const { issuance: _issuance, ...pkg } = proofPackage(false);
    const verdict = verifyPackage(pkg, key);
    expect(verdict.problems).toEqual([
      ...pkg.receipts.map(
        (r) =>
          `NOT BOUND: receipt ${r.receiptId} — its leaf is in the ledger, but its kind, decision, policy and evidence are not (the public package carries no events)`,
      ),
      'issuance: the package carries no issuance record (its ProofPackageIssued event)',
      `NOT BOUND: definition — refunds v3, sha256 ${policy.sha256}: the 1 decision receipt(s), the map and the work order name it, but nothing the ledger signed does (the public package carries no events)`,
    ]);
    expect(verdict.lines.at(-1)).not.toMatch(/: verified/);
  });

  it("names an issuance record of another audience, or one whose content is not the ledger's", () => {
    const full = proofPackage(true);
    const pub = proofPackage(false);
    expect(verifyPackage({ ...pub, issuance: full.issuance }, key).problems).toContain(
      "issuance: its proof is against another checkpoint than the package's",
    );
    const forged = edited(pub, (t) => t.replace('"audience":"public"', '"audience":"ops-lead"'));
    expect(verifyPackage(forged, key).problems).toContain(
      'issuance: its event does not hash to its chain hash: its content differs from what the ledger recorded',
    );
  });

  it('names the first failure: the checkpoint, a receipt, the definition', () => {
    const pkg = proofPackage(true);
    const other = verifierKey(origin, rawPublicKey(generateKeyPairSync('ed25519').privateKey));
    expect(verifyPackage(pkg, other).problems[0]).toMatch(/^checkpoint: its signature: /);
    const root = pkg.checkpoint.split('\n')[2];
    const flippedRoot = `${root[0] === 'A' ? 'B' : 'A'}${root.slice(1)}`;
    expect(
      verifyPackage(
        edited(pkg, (t) => t.replaceAll(root, flippedRoot)),
        key,
      ).problems[0],
    ).toBe('checkpoint: its signature: the signature by workgate.test/ledger does not verify');

    const decision = pkg.receipts[1];
    const hash = decision.ledger.hash;
    const flippedHash = `${hash[0] === 'a' ? 'b' : 'a'}${hash.slice(1)}`;
    const badLeaf = edited(pkg, (t) =>
      t.replace(`"ledger":{"position":3,"hash":"${hash}"`, `"ledger":{"position":3,"hash":"${flippedHash}"`),
    );
    expect(verifyPackage(badLeaf, key).lines.at(-2)).toBe(
      `NOT VERIFIED: receipt 2/3 ${decision.receiptId}: the inclusion proof does not lead to the checkpoint's root`,
    );
    const step = pkg.receipts[2];
    expect(
      verifyPackage(
        edited(pkg, (t) => replaceLast(t, '"ref":"R-1"', '"ref":"R-2"')),
        key,
      ).problems[0],
    ).toBe(
      `receipt 3/3 ${step.receiptId}: the event does not hash to the receipt's chain hash: its content differs from what the ledger recorded`,
    );
    const hidden = { ...pkg, receipts: pkg.receipts.map((r) => (r === step ? { ...r, evidence: [] } : r)) };
    expect(verifyPackage(hidden, key).problems[0]).toBe(
      `receipt 3/3 ${step.receiptId}: its evidence is not what its event records`,
    );

    const flippedDefinition = { ...pkg, definition: pkg.definition.replace('"Refunds"', '"Refundz"') };
    const sha = sha256(flippedDefinition.definition).toString('hex');
    expect(verifyPackage(flippedDefinition, key).problems.slice(0, 2)).toEqual([
      `definition: its sha256 ${sha} is not the policy ${policy.sha256} the work order was opened under (its WorkOrderOpened event, receipt ${pkg.receipts[0].receiptId})`,
      `definition: its sha256 ${sha} is not the policy ${policy.sha256} that decision receipt ${decision.receiptId} names`,
    ]);
  });

  it('keeps checking a single receipt as before', () => {
    const receipt = proofPackage(true).receipts[1];
    expect(isReceipt(receipt)).toBe(true);
    expect(isProofPackage(receipt)).toBe(false);
    expect(verifyReceipt(receipt, key)).toEqual({
      problems: [],
      lines: [
        expect.stringMatching(/^checkpoint: signed by workgate.test\/ledger, 5 events, root /),
        `inclusion: the event at position 3 (chain hash ${receipt.ledger.hash}) is in that tree`,
        `event: ActionDecided on workorder-${WORK_ORDER} hashes to the receipt's chain hash`,
        `receipt ${receipt.receiptId}: verified`,
      ],
    });
  });
});
