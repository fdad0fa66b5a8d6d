import { ProofPackage, Subjects, WorkgateError } from '@workgate/contracts';
import { openSupportCase } from './support/fixtures';
import { client, clientsFor, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import { runVerifyReceipt } from './support/verify-cli';

/** One NATS message: the scratch nats-server's default `max_payload`. */
const ONE_MESSAGE = 1024 * 1024;
/**
 * Writes enough that the ops-lead package is larger than one NATS message: each decision receipt
 * carries its rollback note twice (its evidence, and the event it holds), about 6 KB.
 */
const ACTIONS = 200;
const NOTE = 'to undo: delete the case note. '.repeat(64).slice(0, 2000);

/**
 * A proof package larger than one NATS message: served whole where the gateway and intake share
 * the process (npm start), and refused with what it holds where it would have to cross NATS.
 */
describe('a proof package larger than one NATS message', () => {
  const principals = writePrincipals({ helpdesk: ['integrator'], agent: ['operator'], lead: ['ops-lead'] });
  let t: SharedTestWorkgate;
  let as: Record<string, ReturnType<typeof client>>;
  let id: string;

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = clientsFor(t.url, principals.keys);
    id = await openSupportCase(as.helpdesk, 'BIG-1');
    // Eight callers at a time; the work order records them one commit after another.
    for (let sent = 0; sent < ACTIONS; sent += 8) {
      const answers = await Promise.all(
        Array.from({ length: Math.min(8, ACTIONS - sent) }, () =>
          as.agent('POST', `/v1/work-orders/${id}/actions`, {
            system: 'helpdesk',
            operation: 'case.note',
            kind: 'write',
            rollbackNote: NOTE,
          }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    }
  }, 120_000);
  afterAll(() => t?.close());

  it('is served whole in one process and verifies offline', async () => {
    const got = await as.lead<ProofPackage>('GET', `/v1/work-orders/${id}/proof`);
    expect(got.status).toBe(200);
    expect(got.text.length).toBeGreaterThan(ONE_MESSAGE);
    // The opening and every action's decision.
    expect(got.body.receipts).toHaveLength(ACTIONS + 1);
    const key = (await (await fetch(`${t.url}/v1/ledger/key`)).text()).trim();
    const verified = runVerifyReceipt(got.text, key);
    expect(verified).toEqual({ code: 0, out: expect.stringContaining(`proof package of work order ${id}: verified`) });
  }, 60_000);

  it('is refused with its size, its receipts and the limit when it would cross NATS', async () => {
    // Asked over NATS (this client never takes the in-process route), as another process asks it.
    expect(t.rpc.answersInProcess(Subjects.intake.proof.subject)).toBe(false);
    const refused: unknown = await t.rpc
      .request(Subjects.intake.proof, { workOrderId: id, includePrivate: true }, { timeoutMs: 30_000 })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    if (!(refused instanceof WorkgateError)) throw new Error(`not refused: ${String(refused)}`);
    expect(refused.code).toBe('payload_too_large');
    expect(refused.message).toMatch(
      new RegExp(
        `^the proof package of work order ${id} is too large for one answer: \\d+ bytes with its ${ACTIONS + 1} receipts`,
      ),
    );
    expect(refused.details).toEqual([
      { workOrderId: id, bytes: expect.any(Number), receipts: ACTIONS + 1, maxPayload: ONE_MESSAGE },
    ]);
  }, 60_000);
});
