import { eventually } from './processes';
import type { TestWorkgate } from './workgate';

/** Waits until the views have projected every event of the ledger (what was seeded has reached them). */
export async function viewsCaughtUp(t: TestWorkgate, timeoutMs = 30_000): Promise<void> {
  await eventually(
    async () => {
      const { rows } = await t.db
        .appPool()
        .query<{ views: string | null; head: string | null }>(
          `SELECT (SELECT position FROM projection_checkpoints WHERE name = 'views') AS views, (SELECT max(position) FROM ledger_events) AS head`,
        );
      return rows[0].views === rows[0].head;
    },
    timeoutMs,
    'the views to catch up',
  );
}
