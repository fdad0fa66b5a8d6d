import { createHash, generateKeyPairSync } from 'node:crypto';
import { canonicalize as jcs } from 'json-canonicalize';
import type { Receipt, RecordedEvent } from '@workgate/contracts';
import { isProofPackage, verifyPackage } from './package-verify';
import { isReceipt, verifyReceipt } from './receipt-verify';
import { rawPublicKey, signNote, verifierKey } from './signed-note';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest();
const leaf = (chainHex: string) => sha256(Buffer.concat([Buffer.from([0]), Buffer.from(chainHex, 'hex')]));
const node = (l: Buffer, r: Buffer) => sha256(Buffer.concat([Buffer.from([1]), l, r]));
const split = (n: number) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};
/** RFC 9162's MTH and PATH, straight from their definitions. */
const mth = (l: Buffer[]): Buffer =>
  l.length === 1 ? l[0] : node(mth(l.slice(0, split(l.length))), mth(l.slice(split(l.length))));
const path = (m: number, l: Buffer[]): Buffer[] => {
  if (l.length <= 1) return [];
  const k = split(l.length);
  return m < k ? [...path(m, l.slice(0, k)), mth(l.slice(k))] : [...path(m - k, l.slice(k)), mth(l.slice(0, k))];
};

const WORK_ORDER = '0b6c7d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e';
const definition = jcs({ jobType: 'refunds', version: 3, title: 'Refunds', owner: 'lead', systems: [] });
const policy = { jobType: 'refunds', version: 3, sha256: sha256(definition).toString('hex') };
const { privateKey } = generateKeyPairSync('ed25519');
const origin = 'workgate.test/ledger';
const key = verifierKey(origin, rawPublicKey(privateKey));
const DECIDED = { decision: 'run' as const, reason: 'within_boundary', inputsSha256: 'ab'.repeat(32) };
const EVIDENCE = [
  { kind: 'receipt', ref: 'R-1' },
  { kind: 'log', ref: 'CANARY', private: true },
];

/** A ledger of a few events (one of another stream), chained as RFC 8785 JSON, and its signed checkpoint. */
function ledger() {
  const contents: Array<{ type: string; streamId: string; data: Record<string, unknown> }> = [
    { type: 'WorkflowPublished', streamId: 'workflow-refunds', data: {} },
    { type: 'WorkOrderOpened', streamId: `workorder-${WORK_ORDER}`, data: { jobType: 'refunds' } },
    {
      type: 'ActionDecided',
      streamId: `workorder-${WORK_ORDER}`,
      data: { decision: { ...DECIDED, policy } },
    },
    {
      type: 'StepCompleted',
      streamId: `workorder-${WORK_ORDER}`,
      data: { evidence: EVIDENCE },
    },
  ];
  let prevHash = '0'.repeat(64);
  const events: RecordedEvent[] = contents.map((c, i) => {
    const fields = {
      position: i + 1,
      streamId: c.streamId,
      streamVersion: i,
      eventId: `00000000-0000-4000-8000-00000000000${i}`,
      type: c.type,
      data: c.data,
      metadata: { actor: 'agent' },
      occurredAt: '2026-11-20T10:00:00.000Z',
      recordedAt: `2026-11-20T10:00:0${i}.000Z`,
    };
    const hash = sha256(prevHash + jcs(fields)).toString('hex');
    const e = { ...fields, prevHash, hash };
    prevHash = hash;
    return e;
  });
  const leaves = events.map((e) => leaf(e.hash));
  const note = signNote(`${origin}\n${events.length}\n${mth(leaves).toString('base64')}\n`, origin, privateKey);
  return { events, leaves, note };
}

const KINDS: Record<string, string> = { WorkOrderOpened: 'opening', ActionDecided: 'decision', StepCompleted: 'step' };

function proofPackage(withEvents: boolean) {
  const { events, leaves, note } = ledger();
  const receipts: Receipt[] = events.slice(1).map((e) => {
    const decided = e.type === 'ActionDecided' ? DECIDED : undefined;
    const evidence = e.type === 'StepCompleted' ? EVIDENCE : [];
    return {
      receiptId: e.eventId,
      kind: KINDS[e.type],
      workOrderId: WORK_ORDER,
      ...(decided ? { decision: decided.decision, reason: decided.reason, inputsSha256: decided.inputsSha256 } : {}),
      actor: 'agent',
      at: e.recordedAt,
      policy,
      evidence: withEvents ? evidence : evidence.filter((x) => !x.private),
      ledger: { position: e.position, hash: e.hash, prevHash: e.prevHash },
      ...(withEvents ? { event: e } : {}),
      proof: {
        leafIndex: e.position - 1,
        treeSize: events.length,
        inclusion: path(e.position - 1, leaves).map((h) => h.toString('base64')),
        checkpoint: note,
      },
    };
  });
  return {
    workOrder: { id: WORK_ORDER, workflow: { ...policy, title: 'Refunds' } },
    definition,
    map: { jobType: 'refunds', version: 3, sha256: policy.sha256 },
    boundary: { systems: [], rules: [] },
    delivery: { json: {}, html: '' },
    receipts,
    checkpoint: note,
    verifierKey: key,
  };
}

/** The event comes after the receipt's own fields: its copy of a string is the last. */
const replaceLast = (t: string, from: string, to: string) => {
  const i = t.lastIndexOf(from);
  return t.slice(0, i) + to + t.slice(i + from.length);
};

/** The package as a file holds it, with one string of it changed. */
const edited = (pkg: object, change: (text: string) => string) => {
  const x: unknown = JSON.parse(change(JSON.stringify(pkg)));
  if (!isProofPackage(x)) throw new Error('not a package any more');
  return x;
};

describe('a proof package verified offline', () => {
  it('verifies: the checkpoint, every inclusion proof, every event, the definition under every decision', () => {
    const verdict = verifyPackage(proofPackage(true), key);
    expect(verdict.problems).toEqual([]);
    expect(verdict.lines.at(-1)).toBe(`proof package of work order ${WORK_ORDER}: verified`);
    expect(verdict.lines).toContain('events: every receipt carries its event, and each hashes to its leaf');
    expect(verdict.lines.join('\n')).toContain(`sha256 ${policy.sha256}: the policy of 1 decision receipt(s)`);
  });

  it('verifies the client-safe package, whose receipts carry no events, saying what it could not check', () => {
    const verdict = verifyPackage(proofPackage(false), key);
    expect(verdict.problems).toEqual([]);
    expect(verdict.lines.join('\n')).toContain('0 of 3 receipts carry their event');
  });

  it('names the first failure: the checkpoint, a receipt, the definition', () => {
    const pkg = proofPackage(true);
    const other = verifierKey(origin, rawPublicKey(generateKeyPairSync('ed25519').privateKey));
    expect(verifyPackage(pkg, other).problems[0]).toMatch(/^the checkpoint's signature: /);
    const root = pkg.checkpoint.split('\n')[2];
    const flippedRoot = `${root[0] === 'A' ? 'B' : 'A'}${root.slice(1)}`;
    expect(
      verifyPackage(
        edited(pkg, (t) => t.replaceAll(root, flippedRoot)),
        key,
      ).problems[0],
    ).toBe("the checkpoint's signature: the signature by workgate.test/ledger does not verify");

    const decision = pkg.receipts[1];
    const hash = decision.ledger.hash;
    const flippedHash = `${hash[0] === 'a' ? 'b' : 'a'}${hash.slice(1)}`;
    const badLeaf = edited(pkg, (t) =>
      t.replace(`"ledger":{"position":3,"hash":"${hash}"`, `"ledger":{"position":3,"hash":"${flippedHash}"`),
    );
    expect(verifyPackage(badLeaf, key).lines.at(-1)).toBe(
      `NOT VERIFIED: receipt ${decision.receiptId}: the inclusion proof does not lead to the checkpoint's root`,
    );
    const step = pkg.receipts[2];
    expect(
      verifyPackage(
        edited(pkg, (t) => replaceLast(t, '"ref":"R-1"', '"ref":"R-2"')),
        key,
      ).problems[0],
    ).toBe(
      `receipt ${step.receiptId}: the event does not hash to the receipt's chain hash: its content differs from what the ledger recorded`,
    );
    const hidden = { ...pkg, receipts: pkg.receipts.map((r) => (r === step ? { ...r, evidence: [] } : r)) };
    expect(verifyPackage(hidden, key).problems[0]).toBe(
      `receipt ${step.receiptId}: its evidence is not what its event records`,
    );

    const flippedDefinition = { ...pkg, definition: pkg.definition.replace('"Refunds"', '"Refundz"') };
    const sha = sha256(flippedDefinition.definition).toString('hex');
    expect(verifyPackage(flippedDefinition, key).problems[0]).toBe(
      `the definition's sha256 ${sha} is not the policy ${policy.sha256} that decision receipt ${decision.receiptId} names`,
    );
  });

  it('keeps checking a single receipt as before', () => {
    const receipt = proofPackage(true).receipts[1];
    expect(isReceipt(receipt)).toBe(true);
    expect(isProofPackage(receipt)).toBe(false);
    expect(verifyReceipt(receipt, key)).toEqual({
      problems: [],
      lines: [
        expect.stringMatching(/^checkpoint: signed by workgate.test\/ledger, 4 events, root /),
        `inclusion: the event at position 3 (chain hash ${receipt.ledger.hash}) is in that tree`,
        `event: ActionDecided on workorder-${WORK_ORDER} hashes to the receipt's chain hash`,
        `receipt ${receipt.receiptId}: verified`,
      ],
    });
  });
});
