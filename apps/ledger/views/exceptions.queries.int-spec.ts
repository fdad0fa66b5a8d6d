import { freshDatabase, TestDatabase } from '../../../test/support/database';
import { escalatedCounts, exceptionRows, listExceptions } from './exceptions.queries';

const T0 = Date.parse('2026-11-02T08:00:00.000Z');
const at = (h: number) => new Date(T0 + h * 3600_000).toISOString();
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/**
 * The exceptions view and the escalation counts over rows written straight into view_exceptions
 * (real Postgres): each exception as it stood at asOf, counted by code for one job type and version.
 */
describe('exception queries: escalated, by code, at asOf', () => {
  let db: TestDatabase;

  /** One exception: raised at hour `raised`, due 2 h later, escalated and resolved at the hours given. */
  const row = (n: number, code: string, raised: number, escalated?: number, resolved?: number, version = 1) => [
    id(n),
    id(100),
    'fix',
    version,
    code,
    'stores',
    raised,
    escalated === undefined ? null : 'duty',
    escalated,
    resolved,
  ];

  beforeAll(async () => {
    db = await freshDatabase();
    const owner = db.ownerPool();
    await owner.query(
      `INSERT INTO view_work_orders (id, source, external_ref, job_type, version, owner, status, opened_at, updated_at, last_position)
       VALUES ($1, 'helpdesk', 'WO-1', 'fix', 1, 'lead', 'blocked', $2, $2, 1)`,
      [id(100), at(0)],
    );
    const rows = [
      row(1, 'PARTS_UNAVAILABLE', 0, 4),
      row(2, 'PARTS_UNAVAILABLE', 1, 5, 6),
      row(3, 'PARTS_UNAVAILABLE', 2),
      row(4, 'SAFETY_HOLD', 3, 9),
      row(5, 'SAFETY_HOLD', 3, undefined, 4),
      row(6, 'SAFETY_HOLD', 30, 40, undefined, 2),
    ];
    for (const [exceptionId, workOrderId, jobType, version, code, who, raised, to, escalated, resolved] of rows)
      await owner.query(
        `INSERT INTO view_exceptions (exception_id, work_order_id, job_type, version, code, owner, step_id, raised_at, due_at,
                                      resolved_at, sla_breached, escalated_to, escalated_at, opened_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'a', $7, $8, $9, $10, $11, $12, $13)`,
        [
          exceptionId,
          workOrderId,
          jobType,
          version,
          code,
          who,
          at(Number(raised)),
          at(Number(raised) + 2),
          resolved === undefined ? null : at(Number(resolved)),
          escalated !== undefined,
          to,
          escalated === undefined ? null : at(Number(escalated)),
          at(0),
        ],
      );
  });
  afterAll(() => db?.drop());

  it('counts the escalated exceptions per code, for a job type and version, raised in the window, by asOf', async () => {
    const pool = db.appPool();
    expect(await escalatedCounts(pool, { jobType: 'fix' }, at(50))).toEqual({ PARTS_UNAVAILABLE: 2, SAFETY_HOLD: 2 });
    expect(await escalatedCounts(pool, { jobType: 'fix', version: 1 }, at(50))).toEqual({
      PARTS_UNAVAILABLE: 2,
      SAFETY_HOLD: 1,
    });
    expect(await escalatedCounts(pool, { jobType: 'fix' }, at(4.5))).toEqual({ PARTS_UNAVAILABLE: 1 });
    expect(await escalatedCounts(pool, { jobType: 'fix', from: at(1), to: at(10) }, at(50))).toEqual({
      PARTS_UNAVAILABLE: 1,
      SAFETY_HOLD: 1,
    });
    expect(await escalatedCounts(pool, { jobType: 'other' }, at(50))).toEqual({});
  });

  it('lists each exception as it stood at asOf: escalated=true keeps the escalated ones', async () => {
    const pool = db.appPool();
    const view = async (q: Record<string, unknown>, asOf: string) =>
      (await exceptionRows(pool, { view: 'exceptions', ...q }, asOf)).map((r) => [
        r.exceptionId,
        r.status,
        r.escalated,
        r.escalatedTo,
      ]);
    expect(await view({ escalated: true }, at(5.5))).toEqual([
      [id(1), 'open', true, 'duty'],
      [id(2), 'open', true, 'duty'],
    ]);
    expect(await view({ escalated: false, status: 'open' }, at(5.5))).toEqual([
      [id(3), 'open', false, null],
      [id(4), 'open', false, null],
    ]);
    expect(await view({ status: 'resolved', code: 'SAFETY_HOLD' }, at(50))).toEqual([[id(5), 'resolved', false, null]]);
    const [first] = await exceptionRows(pool, { view: 'exceptions', groupBy: 'version' }, at(50));
    expect(first).toMatchObject({ exceptionId: id(1), version: 1, externalRef: 'WO-1', source: 'helpdesk' });
  });

  it('lists the open exceptions escalated to one principal', async () => {
    const listed = await listExceptions(db.appPool(), { escalatedTo: 'duty' });
    expect(listed.map((r) => [r.exceptionId, r.escalatedAt])).toEqual([
      [id(1), at(4)],
      [id(4), at(9)],
      [id(6), at(40)],
    ]);
    expect(await listExceptions(db.appPool(), { escalatedTo: 'nobody' })).toEqual([]);
  });

  it('answers the page after a cursor: the next rows by owner, due time and id', async () => {
    type After = { owner: string; dueAt: string; exceptionId: string };
    const ids = async (limit?: number, after?: After) =>
      (await listExceptions(db.appPool(), { status: 'all', limit, after })).map((r) => r.exceptionId);
    // Due 2 h after raised: 1 (h 2), 2 (h 3), 3 (h 4), 4 and 5 (both h 5), 6 (h 32).
    expect(await ids(3)).toEqual([id(1), id(2), id(3)]);
    expect(await ids(3, { owner: 'stores', dueAt: at(4), exceptionId: id(3) })).toEqual([id(4), id(5), id(6)]);
    // Two due at once: the page after the first of them starts at the second.
    expect(await ids(undefined, { owner: 'stores', dueAt: at(5), exceptionId: id(4) })).toEqual([id(5), id(6)]);
    expect(await ids(undefined, { owner: 'stores', dueAt: at(32), exceptionId: id(6) })).toEqual([]);
  });
});
