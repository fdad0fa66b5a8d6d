import { PoolClient } from 'pg';
import { RecordedEvent, WorkOrderClosureReportedData, WorkOrderEvents, WorkOrderOpenedData } from '@workgate/contracts';
import { Projection } from '@workgate/event-store';

/** One row of `view_work_orders`. */
export interface WorkOrderRow {
  id: string;
  source: string;
  externalRef: string;
  jobType: string;
  version: number;
  owner: string;
  status: string;
  openedAt: string;
  updatedAt: string;
  closedAt: string | null;
  evidenceMissing: boolean;
  reopened: number;
  openExceptions: number;
  lastPosition: number;
}

/** evolve(row | null, event) -> row | null: the whole projection logic, pure. */
export function evolveWorkOrderRow(row: WorkOrderRow | null, e: RecordedEvent): WorkOrderRow | null {
  const id = e.streamId.slice('workorder-'.length);
  if (e.type === WorkOrderEvents.Opened) {
    if (row) return row;
    const d = e.data as unknown as WorkOrderOpenedData;
    return {
      id,
      source: d.source,
      externalRef: d.externalRef,
      jobType: d.policy.jobType,
      version: d.policy.version,
      owner: d.owner,
      status: d.status,
      openedAt: e.occurredAt,
      updatedAt: e.occurredAt,
      closedAt: null,
      evidenceMissing: false,
      reopened: 0,
      openExceptions: d.exceptions.length,
      lastPosition: e.position,
    };
  }
  if (!row) return row;
  const next = { ...row, updatedAt: e.occurredAt, lastPosition: e.position };
  switch (e.type) {
    case WorkOrderEvents.StepBlocked:
    case WorkOrderEvents.BreakGlassUsed:
      next.openExceptions += 1;
      if (next.status !== 'closed') next.status = 'blocked';
      return next;
    case WorkOrderEvents.Closed:
    case WorkOrderEvents.ClosureReported:
      next.status = 'closed';
      next.closedAt = e.occurredAt;
      next.evidenceMissing = e.type === WorkOrderEvents.ClosureReported && (e.data as unknown as WorkOrderClosureReportedData).evidenceMissing;
      return next;
    case WorkOrderEvents.ExceptionClosed:
      next.openExceptions = Math.max(0, next.openExceptions - 1);
      if (next.status === 'blocked' && next.openExceptions === 0) next.status = 'open';
      return next;
    case WorkOrderEvents.Stopped:
      next.status = 'stopped';
      return next;
    case WorkOrderEvents.Reopened:
      next.status = next.openExceptions > 0 ? 'blocked' : 'open';
      next.closedAt = null;
      next.evidenceMissing = false;
      next.reopened += 1;
      return next;
    default:
      return row;
  }
}

const COLUMNS = `id, source, external_ref, job_type, version, owner, status, opened_at, updated_at, closed_at, evidence_missing, reopened, open_exceptions, last_position`;

function fromDb(r: Record<string, any>): WorkOrderRow {
  return {
    id: r.id,
    source: r.source,
    externalRef: r.external_ref,
    jobType: r.job_type,
    version: r.version,
    owner: r.owner,
    status: r.status,
    openedAt: (r.opened_at as Date).toISOString(),
    updatedAt: (r.updated_at as Date).toISOString(),
    closedAt: r.closed_at ? (r.closed_at as Date).toISOString() : null,
    evidenceMissing: r.evidence_missing,
    reopened: r.reopened,
    openExceptions: r.open_exceptions,
    lastPosition: r.last_position,
  };
}

/**
 * `view_work_orders`: one row per work order. A page costs three statements whatever its size:
 * read the rows it touches, fold the page in memory, upsert them all at once.
 */
export const workOrdersProjection: Projection = {
  name: 'work-orders',
  types: [WorkOrderEvents.Opened, WorkOrderEvents.StepBlocked, WorkOrderEvents.BreakGlassUsed, WorkOrderEvents.ExceptionClosed, WorkOrderEvents.Closed, WorkOrderEvents.ClosureReported, WorkOrderEvents.Reopened, WorkOrderEvents.Stopped],
  async apply(client: PoolClient, events: RecordedEvent[]): Promise<void> {
    const ids = [...new Set(events.map((e) => e.streamId.slice('workorder-'.length)))];
    const { rows } = await client.query(`SELECT ${COLUMNS} FROM view_work_orders WHERE id = ANY($1::uuid[])`, [ids]);
    const byId = new Map<string, WorkOrderRow | null>(rows.map((r) => [r.id as string, fromDb(r)]));
    for (const e of events) {
      const id = e.streamId.slice('workorder-'.length);
      byId.set(id, evolveWorkOrderRow(byId.get(id) ?? null, e));
    }
    const changed = [...byId.values()].filter((r): r is WorkOrderRow => r !== null);
    if (changed.length === 0) return;
    const col = <K extends keyof WorkOrderRow>(k: K) => changed.map((r) => r[k]);
    await client.query(
      `INSERT INTO view_work_orders (${COLUMNS})
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::timestamptz[],
                            $9::timestamptz[], $10::timestamptz[], $11::bool[], $12::int[], $13::int[], $14::bigint[])
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at, closed_at = EXCLUDED.closed_at,
         evidence_missing = EXCLUDED.evidence_missing, reopened = EXCLUDED.reopened, open_exceptions = EXCLUDED.open_exceptions,
         last_position = EXCLUDED.last_position`,
      [col('id'), col('source'), col('externalRef'), col('jobType'), col('version'), col('owner'), col('status'), col('openedAt'), col('updatedAt'), col('closedAt'), col('evidenceMissing'), col('reopened'), col('openExceptions'), col('lastPosition')],
    );
  },
};

export interface WorkOrderListQuery {
  source?: string;
  externalRef?: string;
  jobType?: string;
  status?: string;
  limit?: number;
}

/** Newest first. */
export async function listWorkOrders(client: { query: PoolClient['query'] }, q: WorkOrderListQuery) {
  const { rows } = await client.query(
    `SELECT ${COLUMNS} FROM view_work_orders
      WHERE ($1::text IS NULL OR source = $1) AND ($2::text IS NULL OR external_ref = $2)
        AND ($3::text IS NULL OR job_type = $3) AND ($4::text IS NULL OR status = $4)
      ORDER BY opened_at DESC, id LIMIT $5`,
    [q.source ?? null, q.externalRef ?? null, q.jobType ?? null, q.status ?? null, Math.min(Math.max(q.limit ?? 100, 1), 1000)],
  );
  return rows.map((r) => {
    const { openExceptions: _o, lastPosition: _l, ...row } = fromDb(r);
    return row;
  });
}

/** Work orders closed in [from, to), optionally only those closed without closure evidence. */
export async function closures(client: { query: PoolClient['query'] }, q: { evidence?: string; from?: string; to?: string; jobType?: string; limit?: number }) {
  const { rows } = await client.query(
    `SELECT id, job_type, version, source, external_ref, owner, closed_at, evidence_missing FROM view_work_orders
      WHERE closed_at IS NOT NULL AND ($1::bool IS NOT TRUE OR evidence_missing)
        AND ($2::timestamptz IS NULL OR closed_at >= $2) AND ($3::timestamptz IS NULL OR closed_at < $3)
        AND ($4::text IS NULL OR job_type = $4)
      ORDER BY closed_at DESC LIMIT $5`,
    [q.evidence === 'missing', q.from ?? null, q.to ?? null, q.jobType ?? null, Math.min(Math.max(q.limit ?? 1000, 1), 10_000)],
  );
  return rows.map((r) => ({
    workOrderId: r.id,
    jobType: r.job_type,
    version: r.version,
    source: r.source,
    externalRef: r.external_ref,
    owner: r.owner,
    closedAt: (r.closed_at as Date).toISOString(),
    evidence: r.evidence_missing ? 'missing' : 'present',
  }));
}
