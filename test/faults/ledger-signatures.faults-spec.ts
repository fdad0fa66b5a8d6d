import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerReader } from '@workgate/event-store';
import { ledgerStreamTail } from '@workgate/messaging';
import { eventually } from '../support/processes';
import { client, writePrincipals } from '../support/principals';
import { insertChainedRow } from '../support/ledger-tamper';
import { runVerify } from '../support/verify-cli';
import { startTestWorkgate, TestWorkgate } from '../support/workgate';
import { checked, isNumber, isString, shaped } from '../support/guards';

const inputs = { caseId: 'c', orderId: 'o', orderPaid: true };

/**
 * A row forged by a database superuser while no writer runs, with a valid chain hash (computed
 * the way the writer computes it: the hashing is public): the writer started on it finds no
 * signature of its own covering it, refuses to extend the ledger or sign a checkpoint over it,
 * and says so (log, /health, metric); `npm run verify` names the position, with or without the
 * kept checkpoint.
 */
describe('a row forged while no writer runs', () => {
  const principals = writePrincipals({ helpdesk: ['integrator', 'operator'], lead: ['ops-lead'] });
  let t: TestWorkgate;
  const as = () => client(t.url, principals.keys.helpdesk);
  const lead = () => client(t.url, principals.keys.lead);
  const open = (ref: string) =>
    as()('POST', '/v1/work-orders', { jobType: 'support-recovery', externalRef: ref, source: 'forge', inputs });

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
  });
  afterAll(() => t?.close());

  it('is not adopted after a restart: the writer refuses, /health and verify name its position', async () => {
    await open('F-1');
    const kept = checked(
      (await lead()('GET', '/v1/ledger/checkpoint')).body,
      shaped({ treeSize: isNumber, note: isString, verifierKey: isString }),
      'the checkpoint',
    );
    // Events past the kept checkpoint that the writer did write: a restart extends them.
    expect((await open('F-2')).status).toBe(201);
    await t.restart();
    // The ledger starts its writer after the process is up (lock, admission, tree); until the
    // writer is active a write is 503 (retry), never lost, and on a busy machine that outlasts the start.
    const reopened = await eventually(
      async () => {
        const res = await open('F-3');
        return res.status === 503 ? undefined : res;
      },
      15_000,
      'a write accepted after the restart',
    );
    expect(reopened.status).toBe(201);
    // The adoption marker is written once, at the first admission, not again at each start.
    const dir = t.config.WORKGATE_DATA_DIR;
    const markers = readdirSync(dir).filter((f) => f.endsWith('-commits-signed'));
    expect(markers).toHaveLength(1);
    expect(readFileSync(join(dir, markers[0]), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    expect(runVerify(t.db.url, kept.verifierKey)).toMatchObject({ code: 0, out: expect.stringContaining('ledger OK') });

    let forged = 0;
    await t.restart(async () => {
      const events = (await new LedgerReader(t.db.appPool()).readAll(0, 10_000)).events;
      const last = events[events.length - 1];
      forged = last.position + 1;
      const row = {
        ...last,
        position: forged,
        streamId: 'approval-forged',
        streamVersion: 1,
        eventId: '5d3f1c2a-0b1e-4c3d-9a8b-7c6d5e4f3a2b',
        type: 'ApprovalGranted',
        data: { approvalId: 'forged' },
      };
      await insertChainedRow(t.db.ownerPool(), last.hash, row);
    });

    // The writer neither extends the forged ledger nor signs a checkpoint over it.
    expect(await open('F-4')).toMatchObject({ status: 503 });
    const refused = await lead()('GET', '/v1/ledger/checkpoint');
    expect(refused).toMatchObject({ status: 503, body: { message: expect.stringContaining(`position ${forged}`) } });
    const owner = t.db.ownerPool();
    expect((await owner.query('SELECT max(position)::int AS p FROM ledger_events')).rows[0].p).toBe(forged);
    expect(
      (await owner.query('SELECT count(*)::int AS n FROM ledger_commit_signatures WHERE position >= $1', [forged]))
        .rows[0].n,
    ).toBe(0);
    expect(
      (await owner.query('SELECT count(*)::int AS n FROM ledger_checkpoints WHERE tree_size >= $1', [forged])).rows[0]
        .n,
    ).toBe(0);

    // /health is degraded and names the ledger and the position; the refusal is counted.
    await eventually(async () => (await fetch(`${t.url}/health`)).status === 503, 5000, '/health degraded');
    // Anonymous callers see only that the ledger is down; an ops lead sees why.
    const anonymous = JSON.stringify(await (await fetch(`${t.url}/health`)).json());
    expect(anonymous).toContain('"ledger":{"status":"down"}');
    expect(anonymous).not.toContain(`position ${forged}`);
    const health = JSON.stringify(
      await (await fetch(`${t.url}/health`, { headers: { authorization: `Bearer ${principals.keys.lead}` } })).json(),
    );
    expect(health).toContain(`position ${forged} is covered by no writer signature`);
    expect(health).toMatch(/refuses to write: ledger workgate\/ledger-/);
    expect(await (await fetch(`${t.url}/metrics`)).text()).toMatch(/^workgate_ledger_writer_refusals_total [1-9]/m);
    // Nothing relays the forged row to LEDGER, where the services would react to it.
    expect((await ledgerStreamTail(await t.nc.jetstreamManager())).position).toBeLessThan(forged);

    // verify, alone and against the kept checkpoint, names the position and exits non-zero.
    for (const note of [undefined, kept.note]) {
      const verdict = runVerify(t.db.url, kept.verifierKey, note);
      expect(verdict.code).toBe(1);
      expect(verdict.out).toContain(
        `ledger BROKEN at position ${forged}: position ${forged} is covered by no writer signature`,
      );
    }

    // Still refused after another restart. A write is 503 until the writer is active anyway, so the sign is the
    // restarted writer's own refusal: /health names the position again, the new process counted it, and
    // nothing was written or signed past the forged row.
    await t.restart();
    const asLead = { headers: { authorization: `Bearer ${principals.keys.lead}` } };
    await eventually(
      async () => JSON.stringify(await (await fetch(`${t.url}/health`, asLead)).json()).includes(`position ${forged}`),
      30_000,
      'the restarted writer refusing the forged row on /health',
    );
    const again = await fetch(`${t.url}/health`, asLead);
    expect(again.status).toBe(503);
    expect(JSON.stringify(await again.json())).toContain(`position ${forged} is covered by no writer signature`);
    expect(await (await fetch(`${t.url}/metrics`)).text()).toMatch(/^workgate_ledger_writer_refusals_total [1-9]/m);
    expect(await open('F-5')).toMatchObject({ status: 503 });
    expect((await lead()('GET', '/v1/ledger/checkpoint')).status).toBe(503);
    expect((await owner.query('SELECT max(position)::int AS p FROM ledger_events')).rows[0].p).toBe(forged);
    expect(
      (await owner.query('SELECT count(*)::int AS n FROM ledger_commit_signatures WHERE position >= $1', [forged]))
        .rows[0].n,
    ).toBe(0);
    expect((await ledgerStreamTail(await t.nc.jetstreamManager())).position).toBeLessThan(forged);
  });
});
