import { AppendRequest } from '@workgate/contracts';
import { LedgerReader, LedgerWriter, ProjectionRunner, rebuildProjection } from '@workgate/event-store';
import { timersProjection } from '../apps/ledger/views/timers.projection';
import { VIEW_TABLES, viewsProjection } from '../apps/ledger/views/views.projection';
import { history, historyWorkflows } from '../bench/history';
import { freshDatabase, TestDatabase, SERVICE_ROLES } from './support/database';
import { eventually } from './support/processes';
import { volume } from './support/volume';

/** Events appended, at least: past the runner's in-memory tail of the newest 10,000 (RECENT_LIMIT), which it drops and starts again. */
const EVENTS = volume(15_000, 100_000);
/** Work orders whose histories make EVENTS (about ten events each). */
const WORK_ORDERS = volume(1_650, 10_300);

/**
 * The live projections follow EVENTS+ events (15,000 in `npm test`, 100,000 in the faults tier)
 * appended by 64 concurrent writers; they skip
 * nothing (every work order and every completed step is counted), and a rebuild from position 0
 * into fresh tables equals the live tables row by row before it is swapped in.
 */
describe('views: live under concurrent appends, rebuild equals live', () => {
  let db: TestDatabase;
  let writer: LedgerWriter;
  let runner: ProjectionRunner;

  beforeAll(async () => {
    db = await freshDatabase();
    writer = new LedgerWriter(db.url, { role: 'workgate_ledger' });
    await writer.start();
    runner = new ProjectionRunner(db.viewsPool(), [viewsProjection, timersProjection], { idleMs: 20 });
    runner.start();
  });
  afterAll(async () => {
    await runner.stop();
    await writer.stop();
    await db.drop();
  });

  it(`follows ${EVENTS.toLocaleString('en')} events without skipping one, and a rebuild equals the live views`, async () => {
    for (const a of historyWorkflows(new Date().toISOString())) await writer.append(a);
    const workOrders: AppendRequest[][] = [...history(7, WORK_ORDERS, Date.now())];
    const expected = { workOrders: workOrders.length, steps: 0, events: 0, closed: 0 };
    for (const appends of workOrders) {
      let closed = false;
      for (const a of appends) {
        expected.events += a.events.length;
        expected.steps += a.events.filter((e) => e.type === 'StepCompleted').length;
        for (const e of a.events)
          if (e.type === 'WorkOrderClosed' || e.type === 'WorkOrderClosureReported') closed = true;
          else if (e.type === 'WorkOrderReopened') closed = false;
      }
      if (closed) expected.closed++;
    }
    expect(expected.events).toBeGreaterThanOrEqual(EVENTS);

    // 64 writers, each appending one work order's history in order, then the next.
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < workOrders.length) {
          for (const a of workOrders[next++]) await writer.append(a);
        }
      }),
    );
    const head = (await new LedgerReader(db.appPool()).head()).position;
    await eventually(
      async () => {
        const { rows } = await db.appPool().query('SELECT min(position) AS p FROM projection_checkpoints');
        return rows[0].p === head;
      },
      60_000,
      'the live projections to catch up',
    );

    const { rows } = await db
      .appPool()
      .query('SELECT count(*)::int AS n, sum(steps_completed)::int AS steps FROM view_work_orders');
    expect(rows[0]).toEqual({ n: expected.workOrders, steps: expected.steps });
    // The step counts by day add up every completed step too.
    const counted = await db.appPool().query('SELECT sum(completed)::int AS steps FROM view_step_counts');
    expect(counted.rows[0].steps).toBe(expected.steps);
    // The closures by day count every work order closed (last closed, not reopened since) once.
    const closures = await db.appPool().query('SELECT sum(work_orders)::int AS n FROM view_closure_counts');
    expect(closures.rows[0].n).toBe(expected.closed);
    expect(expected.closed).toBeGreaterThan(0);

    for (const p of [viewsProjection, timersProjection]) {
      const result = await rebuildProjection(db.ownerPool(), p, { roles: SERVICE_ROLES });
      expect(result.position).toBe(head);
      expect(result.differences).toEqual(Object.fromEntries(p.tables.map((t) => [t, 0])));
    }
    expect(VIEW_TABLES).toEqual(expect.arrayContaining(['view_exceptions', 'view_closure_counts']));
    // The swapped-in tables are live: the runner keeps feeding them.
    await writer.append({
      streamId: 'workorder-00000000-0000-4000-8000-000000000001',
      expectedVersion: 'any',
      events: [
        {
          eventId: '00000000-0000-4000-8000-0000000000aa',
          type: 'WorkOrderOpened',
          data: {
            workOrderId: '00000000-0000-4000-8000-000000000001',
            source: 's',
            externalRef: 'after-rebuild',
            policy: { jobType: 'support-recovery', version: 2, sha256: 'x' },
            owner: 'o',
            inputs: {},
            prerequisites: [],
            status: 'open',
            exceptions: [],
          },
        },
      ],
    });
    await eventually(
      async () =>
        (await db.appPool().query(`SELECT 1 FROM view_work_orders WHERE external_ref = 'after-rebuild'`)).rowCount ===
        1,
      10_000,
      'the runner to feed the swapped-in table',
    );
  }, 240_000);
});
