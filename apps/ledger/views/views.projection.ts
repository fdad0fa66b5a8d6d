import { PoolClient } from 'pg';
import { RecordedEvent, WorkOrderEvents } from '@workgate/contracts';
import { Projection, TableName } from '@workgate/event-store';
import {
  ApprovalRow,
  ExceptionRow,
  foldViews,
  InboxRow,
  PostReviewRow,
  referencedIds,
  VIEW_EVENT_TYPES,
  ViewRows,
  WorkflowRow,
  WorkOrderRow,
} from './views.fold';

type Queryable = { query: PoolClient['query'] };

/** A view table: its columns (database name, Postgres type, row field) and its key. */
class ViewTable<T extends object> {
  constructor(
    readonly name: string,
    private readonly key: string,
    private readonly columns: Array<[string, string, keyof T]>,
  ) {}

  private get list(): string {
    return this.columns.map(([c]) => c).join(', ');
  }

  fromDb(r: Record<string, unknown>): T {
    const row = {} as Record<string, unknown>;
    for (const [column, , field] of this.columns) {
      const value = r[column];
      row[field as string] = value instanceof Date ? value.toISOString() : value;
    }
    return row as T;
  }

  async loadAll(client: Queryable, table: string, keyOf: (row: T) => string, into: Map<string, T>): Promise<void> {
    const { rows } = await client.query(`SELECT ${this.list} FROM ${table}`);
    for (const r of rows) {
      const row = this.fromDb(r);
      into.set(keyOf(row), row);
    }
  }

  async load(client: Queryable, table: string, ids: Set<string>, into: Map<string, T>): Promise<void> {
    const missing = [...ids].filter((id) => !into.has(id));
    if (!missing.length) return;
    const { rows } = await client.query(`SELECT ${this.list} FROM ${table} WHERE ${this.key} = ANY($1::uuid[])`, [
      missing,
    ]);
    for (const r of rows) into.set(String(r[this.key]), this.fromDb(r));
  }

  /** Writes the rows back: one statement whatever their number. */
  async upsert(client: Queryable, table: string, rows: T[]): Promise<void> {
    if (!rows.length) return;
    const params = this.columns.map(([, , field]) => rows.map((r) => r[field]));
    const unnest = this.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
    const keys = this.key.split(',').map((k) => k.trim());
    const updates = this.columns
      .map(([c]) => c)
      .filter((c) => !keys.includes(c))
      .map((c) => `${c} = EXCLUDED.${c}`)
      .join(', ');
    await client.query(
      `INSERT INTO ${table} (${this.list}) SELECT * FROM unnest(${unnest}) ON CONFLICT (${this.key}) DO UPDATE SET ${updates}`,
      params,
    );
  }
}

export const workOrdersTable = new ViewTable<WorkOrderRow>('view_work_orders', 'id', [
  ['id', 'uuid', 'id'],
  ['source', 'text', 'source'],
  ['external_ref', 'text', 'externalRef'],
  ['job_type', 'text', 'jobType'],
  ['version', 'bigint', 'version'],
  ['owner', 'text', 'owner'],
  ['status', 'text', 'status'],
  ['opened_at', 'timestamptz', 'openedAt'],
  ['updated_at', 'timestamptz', 'updatedAt'],
  ['closed_at', 'timestamptz', 'closedAt'],
  ['evidence_missing', 'bool', 'evidenceMissing'],
  ['reopened', 'int', 'reopened'],
  ['open_exceptions', 'int', 'openExceptions'],
  ['last_position', 'bigint', 'lastPosition'],
  ['exceptions_total', 'int', 'exceptionsTotal'],
  ['pending_approvals', 'int', 'pendingApprovals'],
  ['stuck_since', 'timestamptz', 'stuckSince'],
  ['stalled_at', 'timestamptz', 'stalledAt'],
  ['stall_after_ms', 'bigint', 'stallAfterMs'],
  ['steps_required', 'int', 'stepsRequired'],
  ['steps_completed', 'int', 'stepsCompleted'],
]);

const exceptionsTable = new ViewTable<ExceptionRow>('view_exceptions', 'exception_id', [
  ['exception_id', 'uuid', 'exceptionId'],
  ['work_order_id', 'uuid', 'workOrderId'],
  ['job_type', 'text', 'jobType'],
  ['version', 'bigint', 'version'],
  ['code', 'text', 'code'],
  ['owner', 'text', 'owner'],
  ['step_id', 'text', 'stepId'],
  ['raised_at', 'timestamptz', 'raisedAt'],
  ['due_at', 'timestamptz', 'dueAt'],
  ['resolved_at', 'timestamptz', 'resolvedAt'],
  ['sla_breached', 'bool', 'slaBreached'],
  ['remediations_total', 'int', 'remediationsTotal'],
  ['remediations_open', 'int', 'remediationsOpen'],
]);

const postReviewsTable = new ViewTable<PostReviewRow>('view_post_reviews', 'post_review_id', [
  ['post_review_id', 'uuid', 'postReviewId'],
  ['work_order_id', 'uuid', 'workOrderId'],
  ['exception_id', 'uuid', 'exceptionId'],
  ['job_type', 'text', 'jobType'],
  ['version', 'bigint', 'version'],
  ['owner', 'text', 'owner'],
  ['created_at', 'timestamptz', 'createdAt'],
  ['due_at', 'timestamptz', 'dueAt'],
  ['completed_at', 'timestamptz', 'completedAt'],
]);

const approvalsTable = new ViewTable<ApprovalRow>('view_approvals', 'approval_id', [
  ['approval_id', 'uuid', 'approvalId'],
  ['work_order_id', 'uuid', 'workOrderId'],
  ['action_id', 'uuid', 'actionId'],
  ['job_type', 'text', 'jobType'],
  ['version', 'bigint', 'version'],
  ['owner', 'text', 'owner'],
  ['requested_by', 'text', 'requestedBy'],
  ['status', 'text', 'status'],
  ['requested_at', 'timestamptz', 'requestedAt'],
  ['expires_at', 'timestamptz', 'expiresAt'],
  ['decided_by', 'text', 'decidedBy'],
  ['updated_at', 'timestamptz', 'updatedAt'],
]);

const workflowsTable = new ViewTable<WorkflowRow>('view_workflows', 'job_type, version', [
  ['job_type', 'text', 'jobType'],
  ['version', 'bigint', 'version'],
  ['stall_after_ms', 'bigint', 'stallAfterMs'],
  ['steps', 'int', 'steps'],
  ['published_at', 'timestamptz', 'publishedAt'],
]);

export const inboxTable = new ViewTable<InboxRow>('view_inbox', 'dispatch_id', [
  ['dispatch_id', 'uuid', 'dispatchId'],
  ['recipient', 'text', 'recipient'],
  ['command', 'text', 'command'],
  ['dispatch_created_at', 'timestamptz', 'dispatchCreatedAt'],
  ['work_order_id', 'uuid', 'workOrderId'],
  ['message', 'jsonb', 'message'],
]);

/** Every table the views projection writes (a rebuild makes fresh copies of exactly these). */
export const VIEW_TABLES = [
  workOrdersTable,
  exceptionsTable,
  postReviewsTable,
  approvalsTable,
  workflowsTable,
  inboxTable,
].map((t) => t.name);

/**
 * `views`: the evidence views of SPEC section 5, all from one checkpoint so they agree with each
 * other. A page costs a handful of statements whatever its size: load the rows it refers to,
 * fold the page in memory (views.fold.ts), upsert what changed, table by table.
 */
export const viewsProjection: Projection = {
  name: 'views',
  types: VIEW_EVENT_TYPES,
  tables: VIEW_TABLES,
  async apply(client: PoolClient, events: RecordedEvent[], table: TableName = (t) => t): Promise<void> {
    const want = {
      workOrders: new Set<string>(),
      exceptions: new Set<string>(),
      postReviews: new Set<string>(),
      approvals: new Set<string>(),
    };
    const openedHere = new Set<string>();
    for (const e of events) {
      const ids = referencedIds(e);
      for (const key of Object.keys(want) as Array<keyof typeof want>)
        for (const id of ids[key]) if (id) want[key].add(id);
      if (e.type === WorkOrderEvents.Opened && ids.workOrders[0]) openedHere.add(ids.workOrders[0]);
    }
    // A work order opened in this page has no row yet: the event that makes its row is folded
    // once (each page commits together with its checkpoint), so there is nothing to read.
    for (const id of openedHere) want.workOrders.delete(id);
    const rows = new ViewRows();
    await workOrdersTable.load(client, table(workOrdersTable.name), want.workOrders, rows.workOrders);
    await exceptionsTable.load(client, table(exceptionsTable.name), want.exceptions, rows.exceptions);
    await postReviewsTable.load(client, table(postReviewsTable.name), want.postReviews, rows.postReviews);
    await approvalsTable.load(client, table(approvalsTable.name), want.approvals, rows.approvals);
    // A work order opened in this page takes its stall threshold and step count from its workflow version (few rows).
    if (events.some((e) => e.type === WorkOrderEvents.Opened)) {
      await workflowsTable.loadAll(
        client,
        table(workflowsTable.name),
        (w) => `${w.jobType}@${w.version}`,
        rows.workflows,
      );
    }
    for (const e of events) foldViews(rows, e);
    const changed = <T>(map: Map<string, T>, ids: Set<string>) => [...ids].map((id) => map.get(id)!);
    await workOrdersTable.upsert(
      client,
      table(workOrdersTable.name),
      changed(rows.workOrders, rows.changed.workOrders),
    );
    await exceptionsTable.upsert(
      client,
      table(exceptionsTable.name),
      changed(rows.exceptions, rows.changed.exceptions),
    );
    await postReviewsTable.upsert(
      client,
      table(postReviewsTable.name),
      changed(rows.postReviews, rows.changed.postReviews),
    );
    await approvalsTable.upsert(client, table(approvalsTable.name), changed(rows.approvals, rows.changed.approvals));
    await workflowsTable.upsert(client, table(workflowsTable.name), changed(rows.workflows, rows.changed.workflows));
    await inboxTable.upsert(client, table(inboxTable.name), [...rows.inbox.values()]);
  },
};
