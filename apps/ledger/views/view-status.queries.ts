import { ViewCounts, ViewsPosition } from '@workgate/contracts';
import { Queryable } from './view-table';

/** The ledger position the views have folded up to (their projection's checkpoint). */
export async function viewsPosition(db: Queryable): Promise<ViewsPosition> {
  const { rows } = await db.query<{ position: string }>(
    "SELECT position FROM projection_checkpoints WHERE name = 'views'",
  );
  return { position: Number(rows[0]?.position ?? 0) };
}

/** Approvals waiting, post-reviews overdue (as of now) and dead letters: one statement. */
export async function viewCounts(db: Queryable): Promise<ViewCounts> {
  const { rows } = await db.query<ViewCounts>(
    `SELECT (SELECT count(*) FROM view_approvals WHERE status IN ('requested', 'conditional'))::int AS "approvalsPending",
            (SELECT count(*) FROM view_post_reviews WHERE completed_at IS NULL AND due_at < now())::int AS "postReviewsOverdue",
            (SELECT count(*) FROM dead_letters)::int AS "deadLetters"`,
  );
  return rows[0];
}
