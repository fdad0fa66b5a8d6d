import { createHash, generateKeyPairSync } from 'node:crypto';
import { canonicalize as jcs } from 'json-canonicalize';
import type { Receipt, RecordedEvent } from '@workgate/contracts';
import { issuedDigests } from './package-digests';
import { isProofPackage } from './package-verify';
import { rawPublicKey, signNote, verifierKey } from './signed-note';

export const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest();
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

export const WORK_ORDER = '0b6c7d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e';
const definition = jcs({ jobType: 'refunds', version: 3, title: 'Refunds', owner: 'lead', systems: [] });
export const policy = { jobType: 'refunds', version: 3, sha256: sha256(definition).toString('hex') };
const { privateKey } = generateKeyPairSync('ed25519');
export const origin = 'workgate.test/ledger';
export const key = verifierKey(origin, rawPublicKey(privateKey));
const DECIDED = { decision: 'run' as const, reason: 'within_boundary', inputsSha256: 'ab'.repeat(32) };
const EVIDENCE = [
  { kind: 'receipt', ref: 'R-1' },
  { kind: 'log', ref: 'CANARY', private: true },
];

type Content = { type: string; streamId: string; data: Record<string, unknown> };

/** A ledger of a few events (one of another stream) and, last, the package's issuance record, chained as RFC 8785 JSON. */
function chained(contents: Content[]): RecordedEvent[] {
  let prevHash = '0'.repeat(64);
  return contents.map((c, i) => {
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
}

const CONTENTS: Content[] = [
  { type: 'WorkflowPublished', streamId: 'workflow-refunds', data: {} },
  { type: 'WorkOrderOpened', streamId: `workorder-${WORK_ORDER}`, data: { workOrderId: WORK_ORDER, policy } },
  { type: 'ActionDecided', streamId: `workorder-${WORK_ORDER}`, data: { decision: { ...DECIDED, policy } } },
  { type: 'StepCompleted', streamId: `workorder-${WORK_ORDER}`, data: { evidence: EVIDENCE } },
];

const KINDS: Record<string, string> = { WorkOrderOpened: 'opening', ActionDecided: 'decision', StepCompleted: 'step' };

/**
 * A package of the three receipts of WORK_ORDER, with their events (the ops lead's) or without (the
 * public one), and its issuance record: the ledger's last event, the package's parts' sha256.
 */
export function proofPackage(withEvents: boolean) {
  const before = chained(CONTENTS);
  const receipts: Receipt[] = before.slice(1).map((e) => {
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
    };
  });
  const parts = {
    workOrder: { id: WORK_ORDER, workflow: { ...policy, title: 'Refunds' } },
    definition,
    map: { jobType: 'refunds', version: 3, sha256: policy.sha256 },
    boundary: { systems: [], rules: [] },
    delivery: { json: {}, html: '' },
    receipts,
  };
  const data = issuedDigests(parts, WORK_ORDER, withEvents ? 'ops-lead' : 'public');
  const events = chained([
    ...CONTENTS,
    { type: 'ProofPackageIssued', streamId: `proof-${WORK_ORDER}`, data: { ...data } },
  ]);
  const leaves = events.map((e) => leaf(e.hash));
  const note = signNote(`${origin}\n${events.length}\n${mth(leaves).toString('base64')}\n`, origin, privateKey);
  const proofOf = (e: RecordedEvent) => ({
    leafIndex: e.position - 1,
    treeSize: events.length,
    inclusion: path(e.position - 1, leaves).map((h) => h.toString('base64')),
    checkpoint: note,
  });
  const issuance = events[events.length - 1];
  return {
    ...parts,
    receipts: receipts.map((r) => ({ ...r, proof: proofOf(events[r.ledger.position - 1]) })),
    checkpoint: note,
    verifierKey: key,
    issuance: { event: issuance, proof: proofOf(issuance) },
  };
}

/** The event comes after the receipt's own fields: its copy of a string is the last. */
export const replaceLast = (t: string, from: string, to: string) => {
  const i = t.lastIndexOf(from);
  return t.slice(0, i) + to + t.slice(i + from.length);
};

/** The package as a file holds it, with one string of it changed. */
export const edited = (pkg: object, change: (text: string) => string) => {
  const x: unknown = JSON.parse(change(JSON.stringify(pkg)));
  if (!isProofPackage(x)) throw new Error('not a package any more');
  return x;
};
