import { PoolClient } from 'pg';
import { TableName } from '@workgate/event-store';
import { PageRows } from './view-projection';
import { ViewTable } from './view-table';

/** The day (UTC) of a time, YYYY-MM-DD. */
export const dayOf = (time: string): string => new Date(time).toISOString().slice(0, 10);

const setGet = <K, V>(map: Map<K, V>, key: K, value: V): V => {
  map.set(key, value);
  return value;
};

/**
 * Counts kept from the rows of another view: what each of its rows adds (`of`: count rows, each
 * with the key of the count row it adds to), how two count rows add up, and when a difference is none.
 */
export interface Counts<Source, Count extends { key: string }> {
  table: ViewTable<Count>;
  of: (row: Source) => Count[];
  /** A fresh count row of `c`'s key with nothing counted. */
  none: (c: Count) => Count;
  /** Adds `sign` times `c`'s counts into `into`, in place (a sum being made); answers `into`. */
  addInto: (into: Count, c: Count, sign?: 1 | -1) => Count;
  isZero: (c: Count) => boolean;
}

/**
 * A count view: the sum of what every row of its source view adds. A page adds the difference
 * the page made to the source's rows (as they were read, as the page left them): it reads the
 * count rows it changes, adds, and writes them back (deletes those that count nothing). It handles no event of its own, so it comes
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
    const { of, none, addInto, isZero } = this.counts;
    const diff = new Map<string, Count>();
    const add = (row: Source | null | undefined, sign: 1 | -1) => {
      if (row) for (const c of of(row)) addInto(diff.get(c.key) ?? setGet(diff, c.key, none(c)), c, sign);
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
    const { table: t, addInto, isZero } = this.counts;
    const rows = new Map<string, Count | null>();
    await t.load(client, table(t.name), diff.keys(), rows);
    // The rows read are this page's own copies: add into them. A row that comes to count nothing
    // goes, as if never written (a replay in larger pages never writes it).
    const sums = [...diff].map(([key, d]) => {
      const row = rows.get(key);
      return row ? addInto(row, d) : d;
    });
    await t.upsert(
      client,
      table(t.name),
      sums.filter((c) => !isZero(c)),
    );
    await t.delete(
      client,
      table(t.name),
      sums.filter(isZero).map((c) => c.key),
    );
  }
}
