import { PoolClient } from 'pg';
import { RecordedEvent } from '@workgate/contracts';

/** Maps a view table's name to the table actually written (a rebuild writes fresh copies). */
export type TableName = (table: string) => string;

/** A view fed from the ledger: the event types it reads and how a page of them changes its rows. */
export interface Projection {
  name: string;
  types: string[];
  /** The tables it writes, and nothing else: a rebuild makes fresh copies of exactly these. */
  tables: string[];
  /** Applies a page of events (in position order) inside the runner's transaction. */
  apply(client: PoolClient, events: RecordedEvent[], table?: TableName): Promise<void>;
}
