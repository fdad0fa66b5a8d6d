import { headers as natsHeaders } from 'nats';
import { TestDatabase } from '../support/database';
import { startTestWorkgate, TestWorkgate } from '../support/workgate';
import { eventually, ServiceProcess, spawnBuilt } from '../support/processes';
import { checked, isNumber, shaped } from '../support/guards';

/** Intake as its own process, killed with SIGKILL while events stream in: nothing accepted by JetStream is lost or doubled. */
describe('intake process: SIGKILL mid-stream', () => {
  let t: TestWorkgate;
  let db: TestDatabase;
  let intake: ServiceProcess;
  const N = 4000;

  const startIntake = () => {
    intake = spawnBuilt('apps/intake/main.js', { DATABASE_URL: db.url, NATS_URL: t.nats.url });
  };
  const opened = async () =>
    checked(
      (
        await db
          .appPool()
          .query(
            `SELECT count(*)::int AS n, count(DISTINCT stream_id)::int AS d FROM ledger_events WHERE type = 'WorkOrderOpened'`,
          )
      ).rows[0],
      shaped({ n: isNumber, d: isNumber }),
      'the count of opened work orders',
    );

  beforeAll(async () => {
    t = await startTestWorkgate({ without: ['intake'] });
    db = t.db;
  });
  afterAll(async () => {
    await intake?.kill();
    await t?.close();
  });

  it('processes every published event exactly once across kills', async () => {
    startIntake();
    const js = t.nc.jetstream();
    const enc = new TextEncoder();
    const publishing = (async () => {
      for (let i = 0; i < N; i++) {
        // Paced (about 1,000 events/s) so the kills land mid-stream.
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 50));
        const id = `evt-${i}`;
        const h = natsHeaders();
        h.set('Nats-Msg-Id', `crm:${id}`);
        const event = {
          specversion: '1.0',
          id,
          source: 'crm',
          type: 'workgate.workorder.open',
          subject: `REF-${i}`,
          data: { jobType: 'support-recovery', inputs: { caseId: `C-${i}`, orderId: `${i}`, orderPaid: true } },
        };
        await js.publish('workgate.events.crm', enc.encode(JSON.stringify(event)), { headers: h });
      }
    })();
    const atKill: number[] = [];
    for (const threshold of [800, 2000]) {
      await eventually(
        async () => (await opened()).n >= threshold,
        30_000,
        `intake to reach ${threshold}\n${intake.output()}`,
      );
      await intake.kill('SIGKILL');
      atKill.push((await opened()).n);
      startIntake();
    }
    expect(atKill.every((n) => n < N)).toBe(true); // the kills landed mid-stream
    await publishing;
    const final = await eventually(
      async () => {
        const c = await opened();
        return c.n >= N ? c : undefined;
      },
      60_000,
      `all ${N} work orders`,
    );
    expect(final).toEqual({ n: N, d: N });
    const { rows } = await db
      .appPool()
      .query(`SELECT count(*)::int AS n FROM ledger_events WHERE type = 'IntakeRejected'`);
    expect(rows[0].n).toBe(0);
  });
});
