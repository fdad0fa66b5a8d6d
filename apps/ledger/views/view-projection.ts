import { PoolClient } from 'pg';
import { RecordedEvent } from '@workgate/contracts';
import { Projection, TableName } from '@workgate/event-store';
import { HandledEvent, Handles } from './view-event';
import { ViewTable } from './view-table';

/** How a page gets the rows its events change before it folds them. */
export type RowsRead =
  /** By id; a row started in the page by an event of type `startedBy` cannot exist before it and is not read. */
  | { by: 'id'; startedBy?: string }
  /** The whole (small) table, when the page holds an event of one of these types. */
  | { by: 'table'; when: readonly string[] }
  /** Never: each event makes its rows whole. */
  | { by: 'none' };

/**
 * One view: the events it handles (type -> stream type), the rows each changes, and
 * `evolve(row | null, event) -> row | null` (null: no row). `Ctx` gives the rows of the views it
 * reads as the page has them so far (a work order's job type, a workflow version's threshold).
 */
export interface View<Row extends object, H extends Handles, Ctx> {
  table: ViewTable<Row>;
  handles: H;
  read: RowsRead;
  key(row: Row): string;
  ids(e: HandledEvent<H>): string[];
  evolve(row: Row | null, e: HandledEvent<H>, id: string, ctx: Ctx): Row | null;
}

/** A view's rows while one page is folded: read, evolved event by event, written back. */
export interface PageRows<Ctx> {
  readonly types: readonly string[];
  want(e: RecordedEvent): void;
  read(client: PoolClient, table: TableName, events: RecordedEvent[]): Promise<void>;
  fold(e: RecordedEvent, ctx: Ctx): void;
  write(client: PoolClient, table: TableName): Promise<void>;
}

export class ViewRows<Row extends object, H extends Handles, Ctx> implements PageRows<Ctx> {
  readonly types: readonly string[];
  readonly rows = new Map<string, Row | null>();
  private readonly wanted = new Set<string>();
  private readonly started = new Set<string>();
  private readonly changed = new Set<string>();
  /** Event type -> the stream id prefix it is handled on. */
  private readonly prefixes: ReadonlyMap<string, string>;

  constructor(private readonly view: View<Row, H, Ctx>) {
    this.types = Object.keys(view.handles);
    this.prefixes = new Map(Object.entries(view.handles).map(([type, stream]) => [type, `${stream}-`]));
  }

  /** Whether the view handles an event: one of its types, recorded on that type's stream type. */
  private handles(e: RecordedEvent): e is RecordedEvent & HandledEvent<H> {
    const prefix = this.prefixes.get(e.type);
    return prefix !== undefined && e.streamId.startsWith(prefix);
  }

  get(id: string): Row | undefined {
    return this.rows.get(id) ?? undefined;
  }

  want(e: RecordedEvent): void {
    if (!this.handles(e)) return;
    const { read } = this.view;
    for (const id of this.view.ids(e)) {
      this.wanted.add(id);
      if (read.by === 'id' && e.type === read.startedBy) this.started.add(id);
    }
  }

  async read(client: PoolClient, table: TableName, events: RecordedEvent[]): Promise<void> {
    const { read, table: t } = this.view;
    if (read.by === 'id') {
      for (const id of this.started) this.wanted.delete(id);
      await t.load(client, table(t.name), this.wanted, this.rows);
    } else if (read.by === 'table' && events.some((e) => read.when.includes(e.type))) {
      await t.loadAll(client, table(t.name), (row) => this.view.key(row), this.rows);
    }
  }

  fold(e: RecordedEvent, ctx: Ctx): void {
    if (!this.handles(e)) return;
    const unread = this.view.read.by === 'none';
    for (const id of this.view.ids(e)) {
      const before = this.rows.get(id) ?? null;
      const after = this.view.evolve(before, e, id, ctx);
      // A row never read is written whatever it was (a null deletes it).
      if (after !== before || unread) {
        this.rows.set(id, after);
        this.changed.add(id);
      }
    }
  }

  async write(client: PoolClient, table: TableName): Promise<void> {
    const { table: t } = this.view;
    const upserts: Row[] = [];
    const deletes: string[] = [];
    for (const id of this.changed) {
      const row = this.rows.get(id);
      if (row) upserts.push(row);
      else deletes.push(id);
    }
    await t.upsert(client, table(t.name), upserts);
    await t.delete(client, table(t.name), deletes);
  }
}

/** Folds a page of events into the views' rows: read what they refer to, evolve them in order, write what changed. */
export async function foldPage<Ctx>(
  client: PoolClient,
  events: RecordedEvent[],
  table: TableName,
  pages: ReadonlyArray<PageRows<Ctx>>,
  ctx: Ctx,
): Promise<void> {
  const byType = pagesByType(pages);
  for (const e of events) for (const p of byType.get(e.type) ?? []) p.want(e);
  for (const p of pages) await p.read(client, table, events);
  for (const e of events) for (const p of byType.get(e.type) ?? []) p.fold(e, ctx);
  for (const p of pages) await p.write(client, table);
}

/** Folds events in memory only (no rows read or written): what the views make of them alone. */
export function foldEvents<Ctx>(events: RecordedEvent[], pages: ReadonlyArray<PageRows<Ctx>>, ctx: Ctx): void {
  const byType = pagesByType(pages);
  for (const e of events) for (const p of byType.get(e.type) ?? []) p.fold(e, ctx);
}

function pagesByType<Ctx>(pages: ReadonlyArray<PageRows<Ctx>>): Map<string, Array<PageRows<Ctx>>> {
  const byType = new Map<string, Array<PageRows<Ctx>>>();
  for (const p of pages) for (const type of p.types) byType.set(type, [...(byType.get(type) ?? []), p]);
  return byType;
}

/** A projection of views that share one checkpoint; `pages` makes their rows for one page and the context they read. */
export function projectionOf<Ctx>(
  name: string,
  pages: () => { all: ReadonlyArray<PageRows<Ctx>>; ctx: Ctx },
  tables: string[],
): Projection {
  const { all } = pages();
  return {
    name,
    types: [...new Set(all.flatMap((p) => p.types))],
    tables,
    apply: async (client, events, table = (t) => t) => {
      const page = pages();
      await foldPage(client, events, table, page.all, page.ctx);
    },
  };
}
