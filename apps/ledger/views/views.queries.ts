import { VIEW_NAMES, ViewName, ViewQuery, ViewRow, WorkgateError } from '@workgate/contracts';
import { approvals } from './approvals.projection';
import { topCodes, trends } from './exceptions.projection';
import { exceptionCodes, gates, rules, stepExceptions, steps } from './map.queries';
import { exceptionRows } from './exceptions.queries';
import { postReviews } from './post-reviews.projection';
import { checkTimes, ViewAnswer } from './query-filters';
import { Queryable } from './view-table';
import { closures, evidenceCompleteness, firstTimeFix, stallRates } from './work-orders.queries';

/** Each evidence view and the rows it is answered from. */
const VIEWS: Record<ViewName, ViewAnswer> = {
  closures,
  'exception-codes/top': topCodes,
  'exception-trends': trends,
  'stall-rates': stallRates,
  'post-reviews': postReviews,
  'first-time-fix': firstTimeFix,
  approvals,
  'evidence-completeness': evidenceCompleteness,
  steps,
  'step-exceptions': stepExceptions,
  gates,
  rules,
  'exception-codes': exceptionCodes,
  exceptions: exceptionRows,
};

/** Answers one view (docs/views.md, The views). */
export async function queryView(db: Queryable, q: ViewQuery | undefined): Promise<ViewRow[]> {
  if (!q || !VIEW_NAMES.includes(q.view))
    throw new WorkgateError('not_found', `no view "${q?.view}" (views: ${VIEW_NAMES.join(', ')})`);
  if (q.groupBy !== undefined && q.groupBy !== 'version')
    throw new WorkgateError('validation_failed', 'groupBy must be version');
  const asOf = checkTimes(q);
  return VIEWS[q.view](db, q, asOf);
}
