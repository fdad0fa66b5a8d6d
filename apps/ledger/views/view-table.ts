import { PoolClient } from 'pg';

export type Queryable = { query: PoolClient['query'] };

/** A time column as the views answer it: RFC 3339, or null. */
export const iso = (v: Date | string | null | undefined): string | null =>
  v instanceof Date ? v.toISOString() : (v ?? null);

/**
 * A view table: its columns (database name, Postgres type, row field) and its key. Rows are read
 * by key and written back in one statement per page whatever their number.
 */
export class ViewTable<T extends object> {
  /** The column names, as a select list. */
  readonly list: string;
  private readonly keyType: string;

  constructor(
    readonly name: string,
    /** The key column(s), as `ON CONFLICT` names them. */
    private readonly key: string,
    private readonly columns: ReadonlyArray<readonly [string, string, keyof T & string]>,
  ) {
    this.list = columns.map(([c]) => c).join(', ');
    this.keyType = columns.find(([c]) => c === key)?.[1] ?? 'text';
  }

  fromDb(r: Record<string, unknown>): T {
    const row: Record<string, unknown> = {};
    for (const [column, , field] of this.columns) {
      const value = r[column];
      row[field] = value instanceof Date ? value.toISOString() : value;
    }
    // The columns name every field of T, and Postgres gives each back as the type it was written.
    return row as T;
  }

  /** Every row (a small table), by `keyOf`. */
  async loadAll(
    client: Queryable,
    table: string,
    keyOf: (row: T) => string,
    into: Map<string, T | null>,
  ): Promise<void> {
    const { rows } = await client.query<Record<string, unknown>>(`SELECT ${this.list} FROM ${table}`);
    for (const r of rows) {
      const row = this.fromDb(r);
      into.set(keyOf(row), row);
    }
  }

  /** The rows of these keys not in `into` yet. */
  async load(client: Queryable, table: string, ids: Iterable<string>, into: Map<string, T | null>): Promise<void> {
    const missing = [...ids].filter((id) => !into.has(id));
    if (!missing.length) return;
    const { rows } = await client.query<Record<string, unknown>>(
      `SELECT ${this.list} FROM ${table} WHERE ${this.key} = ANY($1::${this.keyType}[])`,
      [missing],
    );
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

  /** Deletes the rows of these keys (a single-column key). */
  async delete(client: Queryable, table: string, ids: string[]): Promise<void> {
    if (ids.length) await client.query(`DELETE FROM ${table} WHERE ${this.key} = ANY($1::${this.keyType}[])`, [ids]);
  }
}
