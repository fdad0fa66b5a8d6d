import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Streams } from '@workgate/contracts';
import { goVerify } from './support/go-verifier';
import { runVerify } from './support/verify-cli';
import { client, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import { verifyInProcess } from './support/verify-in-process';
import type {
  ActionAnswer,
  ConsistencyProof,
  OpenedAnswer,
  Receipt,
  SignedCheckpoint,
  VerifyResult,
} from '@workgate/contracts';
import { defined } from './support/answers';
import { isNumber, isString, parsed, shaped } from './support/guards';

const ROOT = join(__dirname, '..');
const inputs = { caseId: 'c', orderId: 'o', orderPaid: true };

/** `npm run verify-receipt` as an auditor runs it: exit code and output. */
function verifyReceipt(receipt: unknown, key: string): { code: number; out: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'wg-receipt-')), 'receipt.json');
  writeFileSync(file, JSON.stringify(receipt));
  try {
    return {
      code: 0,
      out: execFileSync(process.execPath, [join(ROOT, 'dist', 'cli', 'verify-receipt.js'), file, '--key', key], {
        encoding: 'utf8',
      }),
    };
  } catch (error) {
    const e = error as { status: number; stdout: string };
    return { code: e.status, out: e.stdout };
  }
}

/**
 * What an auditor outside can check without trusting workgate's database or code: receipts with
 * RFC 9162 inclusion proofs, checkpoints as C2SP signed notes, consistency between checkpoints,
 * all verified with Go's golang.org/x/mod/sumdb/note and tlog and offline with `npm run
 * verify-receipt`; and what the ledger refuses: forged rows from the services' role, and signing a
 * history that was truncated, rewritten or written around the writer (ledger-refusals.e2e-spec.ts).
 */
describe('a ledger anyone can verify', () => {
  const principals = writePrincipals({ helpdesk: ['integrator', 'operator'], lead: ['ops-lead', 'analyst'] });
  let t: SharedTestWorkgate;
  let as: ReturnType<typeof client>;
  let lead: ReturnType<typeof client>;
  let key: string;

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = client(t.url, principals.keys.helpdesk);
    lead = client(t.url, principals.keys.lead);
    const res = await fetch(`${t.url}/v1/ledger/key`);
    key = (await res.text()).trim();
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  });
  afterAll(() => t?.close());

  const decide = async (ref: string) => {
    const wo = await as<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: ref,
      source: 'audit',
      inputs,
    });
    return (
      await as<ActionAnswer>('POST', `/v1/work-orders/${wo.body.id}/actions`, {
        system: 'payments',
        operation: 'refund',
        kind: 'write',
      })
    ).body;
  };

  it('gives receipts whose inclusion proof Go checks against the signed checkpoint, and that verify offline', async () => {
    const { receiptId } = await decide('A-1');
    const receipt = (await lead<Receipt>('GET', `/v1/receipts/${receiptId}`)).body;
    expect(receipt.proof).toMatchObject({
      leafIndex: receipt.ledger.position - 1,
      treeSize: expect.any(Number),
      inclusion: expect.any(Array),
      checkpoint: expect.stringContaining('\n\n\u2014 '),
    });
    const proof = defined(receipt.proof, "the receipt's inclusion proof");
    expect(
      goVerify({
        verifierKey: key,
        note: proof.checkpoint,
        leafIndex: proof.leafIndex,
        leaf: receipt.ledger.hash,
        inclusion: proof.inclusion,
      }),
    ).toMatchObject({ ok: true, size: proof.treeSize });

    const offline = verifyReceipt(receipt, key);
    expect(offline).toEqual({ code: 0, out: expect.stringContaining(`receipt ${receiptId}: verified`) });
    expect(offline.out).toContain("hashes to the receipt's chain hash");
    // A receipt whose event was edited, or checked against another key, is not verified.
    const recorded = defined(receipt.event, 'the recorded event in the receipt');
    const edited = {
      ...receipt,
      event: { ...recorded, data: { ...recorded.data, facts: { amount: 1_000_000 } } },
    };
    expect(verifyReceipt(edited, key)).toEqual({ code: 1, out: expect.stringContaining('its content differs') });
    const otherKey = key.replace(/\+[0-9a-f]{8}\+/, '+00000000+');
    // The command answered the verified receipt and the edited one; these two, the same verifier in this process.
    expect(verifyInProcess(JSON.stringify(receipt), otherKey).code).toBe(1);
    // Without the ops-lead role the receipt has no event: the leaf is proved, its content is not.
    const plain = (await as<Receipt>('GET', `/v1/receipts/${receiptId}`)).body;
    expect(plain.event).toBeUndefined();
    expect(verifyInProcess(JSON.stringify(plain), key)).toEqual({
      code: 0,
      out: expect.stringContaining('its content is not'),
    });
  });

  it('proves each checkpoint consistent with an earlier one, as Go checks it; keeps copies in a file and on JetStream', async () => {
    const older = await (
      await fetch(`${t.url}/v1/ledger/checkpoint`, {
        headers: { Authorization: `Bearer ${principals.keys.lead}`, Accept: 'text/plain' },
      })
    ).text();
    await decide('A-2');
    await decide('A-3');
    const newer = (await lead<SignedCheckpoint>('GET', '/v1/ledger/checkpoint')).body;
    const from = Number(older.split('\n')[1]);
    expect(newer.treeSize).toBeGreaterThan(from);
    const consistency = (
      await lead<ConsistencyProof>('GET', `/v1/ledger/consistency?from=${from}&to=${newer.treeSize}`)
    ).body;
    expect(
      goVerify({ verifierKey: key, note: newer.note, oldNote: older, consistency: consistency.proof }),
    ).toMatchObject({ ok: true, size: newer.treeSize });
    expect(
      goVerify({ verifierKey: key, note: newer.note, oldNote: older, consistency: [...consistency.proof].reverse() })
        .ok,
    ).toBe(consistency.proof.length < 2);
    // POST /v1/ledger/verify and npm run verify with the kept note recompute the root from the events.
    expect((await lead<VerifyResult>('POST', '/v1/ledger/verify', { note: older })).body).toMatchObject({ ok: true });
    expect(runVerify(t.db.url, key, older)).toEqual({ code: 0, out: expect.stringContaining('ledger OK') });

    const file = readdirSync(t.dataDir).find((f) => f.endsWith('-checkpoints.jsonl'))!;
    const kept = readFileSync(join(t.dataDir, file), 'utf8')
      .trim()
      .split('\n')
      .map((l) => parsed(l, shaped({ size: isNumber, note: isString }), 'a kept checkpoint'));
    expect(kept.map((k) => k.note)).toEqual(expect.arrayContaining([older, newer.note]));
    const stream = await (await t.nc.jetstreamManager()).streams.info(Streams.checkpoints.name);
    expect(stream.state.messages).toBe(kept.length);
  });

  it("refuses a row forged by the services' role, and RESET ROLE gives nothing back", async () => {
    const c = await t.db.appPool().connect();
    try {
      const forge = () =>
        c.query(`INSERT INTO ledger_events (position, stream_id, stream_version, event_id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash)
        VALUES (999999, 'forged', 1, gen_random_uuid(), 'ApprovalGranted', '{}', '{}', now(), now(), repeat('0', 64), repeat('1', 64))`);
      await expect(forge()).rejects.toMatchObject({ code: '42501' });
      await c.query('RESET ROLE');
      expect(
        (await c.query('SELECT current_user AS u, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS s'))
          .rows[0],
      ).toEqual({ u: 'workgate_app', s: false });
      await expect(forge()).rejects.toMatchObject({ code: '42501' });
      await expect(c.query('SET ROLE workgate_ledger')).rejects.toMatchObject({ code: '42501' });
      await expect(
        c.query("INSERT INTO ledger_tiles (level, idx, width, hashes) VALUES (1, 999999, 1, sha256('x'))"),
      ).rejects.toMatchObject({ code: '42501' });
      await expect(c.query("UPDATE view_work_orders SET status = 'closed'")).rejects.toMatchObject({ code: '42501' });
    } finally {
      c.release();
    }
  });
});
