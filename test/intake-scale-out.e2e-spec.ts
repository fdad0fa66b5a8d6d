import { WorkEventPublisher } from '../bench/work-events';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import { eventually, ServiceProcess, spawnBuilt } from './support/processes';
import { volume } from './support/volume';

/**
 * Intake scaled out: two intake processes share its durable consumer of WORK_EVENTS and take a
 * burst of CloudEvents together (an open and an action per work order, as integrators send them),
 * each recorded once. Acks that one instance's ack could make for the other's messages
 * (AckPolicy.All) make each wait for the other, and the burst is never taken.
 */
describe('intake scaled out: two processes on one durable', () => {
  let t: TestWorkgate;
  const intakes: ServiceProcess[] = [];
  /** Work orders of the burst: 3,000 events in `npm test`, six times the 512 the durable lets wait unacknowledged (docs/messaging.md); 10,000 in the faults tier. */
  const PAIRS = volume(1500, 5000);

  beforeAll(async () => {
    t = await startTestWorkgate({ without: ['intake'] });
    for (let i = 0; i < 2; i++)
      intakes.push(spawnBuilt('apps/intake/main.js', { DATABASE_URL: t.db.url, NATS_URL: t.nats.url }));
  });
  afterAll(async () => {
    await Promise.all(intakes.map((intake) => intake.kill()));
    await t?.close();
  });

  const recorded = async () =>
    (
      await t.db.appPool().query<{ opened: number; workOrders: number; decided: number }>(
        `SELECT count(*) FILTER (WHERE type = 'WorkOrderOpened')::int AS opened,
                count(DISTINCT stream_id) FILTER (WHERE type = 'WorkOrderOpened')::int AS "workOrders",
                count(*) FILTER (WHERE type = 'ActionDecided')::int AS decided
           FROM ledger_events`,
      )
    ).rows[0];

  it('takes a burst together, every event recorded once', async () => {
    // Both instances pull on the durable before the burst, so the burst is shared.
    const jsm = await t.nc.jetstreamManager();
    await eventually(
      async () => (await jsm.consumers.info('WORK_EVENTS', 'intake').catch(() => undefined))?.num_waiting === 2,
      30_000,
      `both intake processes pulling\n${intakes.map((i) => i.output()).join('\n')}`,
    );
    const publisher = new WorkEventPublisher(t.nc);
    try {
      await publisher.publishAll('scale', PAIRS);
    } finally {
      publisher.close();
    }
    const final = await eventually(
      async () => {
        const r = await recorded();
        return r.opened + r.decided >= 2 * PAIRS ? r : undefined;
      },
      45_000,
      `${2 * PAIRS} events recorded\n${intakes.map((i) => i.output()).join('\n')}`,
    );
    expect(final).toEqual({ opened: PAIRS, workOrders: PAIRS, decided: PAIRS });
    expect(intakes.map((i) => i.child.exitCode)).toEqual([null, null]); // both took part to the end
  });
});
