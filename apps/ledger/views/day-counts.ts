import { PoolClient } from 'pg';
import { TableName } from '@workgate/event-store';
import { PageRows } from './view-projection';
import { ViewTable } from './view-table';

/** The day (UTC) of a time, YYYY-MM-DD. */
export const dayOf = (time: string): string => new Date(time).toISOString().slice(0, 10);

/**
 * Counts kept from the rows of another view: what each of its rows adds (`of`: count rows, each
 * with the key of the count row it adds to), how two count rows add up, and when a difference is none.
 */
export interface Counts<Source, Count extends { key: string }> {
  table: ViewTable<Count>;
  of: (row: Source) => Count[];
  added: (a: Count | undefined, b: Count, sign?: 1 | -1) => Count;
  isZero: (c: Count) => boolean;
}

/**
 * A count view: the sum of what every row of its source view adds. A page adds the difference
 * the page made to the source's rows (as they were read, as the page left them): it reads the
 * count rows it changes, adds, and writes them back. It handles no event of its own, so it comes
 * after its source in the page (it reads what the source read).
 */
export class CountRows<Source, Count extends { key: string }, Ctx> implements PageRows<Ctx> {
  readonly types: readonly string[] = [];
  private before = new Map<string, Source | null>();

  constructor(
    private readonly source: { readonly rows: ReadonlyMap<string, Source | null> },
    private readonly counts: Counts<Source, Count>,
  ) {}

  want(): void {}

  fold(): void {}

  /** After the source's rows are read: what they counted before this page. */
  read(): Promise<void> {
    this.before = new Map(this.source.rows);
    return Promise.resolve();
  }

  /** What the page's changes to the source's rows add to the counts, per count row key. */
  changes(): Map<string, Count> {
    const { of, added, isZero } = this.counts;
    const diff = new Map<string, Count>();
    const add = (row: Source | null | undefined, sign: 1 | -1) => {
      if (row) for (const c of of(row)) diff.set(c.key, added(diff.get(c.key), c, sign));
    };
    for (const [id, row] of this.source.rows) {
      const before = this.before.get(id);
      if (row === before) continue;
      add(before, -1);
      add(row, 1);
    }
    for (const [key, d] of diff) if (isZero(d)) diff.delete(key);
    return diff;
  }

  async write(client: PoolClient, table: TableName): Promise<void> {
    const diff = this.changes();
    if (!diff.size) return;
    const { table: t, added } = this.counts;
    const rows = new Map<string, Count | null>();
    await t.load(client, table(t.name), diff.keys(), rows);
    await t.upsert(
      client,
      table(t.name),
      [...diff].map(([key, d]) => added(rows.get(key) ?? undefined, d)),
    );
  }
}
