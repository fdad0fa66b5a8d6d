import type * as C from '../views';
import { component, described, documents, int, map, nullable, num, object, str } from './json-schema';

const share = (what: string) => described(nullable(num), `${what} (0..1, four decimals; null without any)`);

/** One group of the comparison (docs/views.md, Departments and comparisons). */
export const CompareRow = component(
  'CompareRow',
  documents<C.CompareRow>()(
    object(
      {
        workOrders: described(int, 'work orders closed in the window'),
        firstTimeFix: described(int, 'of those, closed with no exception and no reopen (view first-time-fix)'),
        firstTimeFixRate: share('firstTimeFix / workOrders'),
        exceptions: described(int, 'every exception those work orders raised (view exceptions)'),
        exceptionsPer100: described(nullable(num), 'exceptions per 100 work orders, two decimals'),
        exceptionsPer100ByCode: described(map(num), 'exception code -> exceptions per 100 work orders'),
        closuresWithEvidence: described(int, 'closed with their closure evidence (view evidence-completeness)'),
        closureEvidenceShare: share('closuresWithEvidence / workOrders'),
        stepsRequired: int,
        stepsWithEvidence: int,
        stepEvidenceShare: share('stepsWithEvidence / stepsRequired'),
        timeToCloseP50Seconds: described(
          nullable(num),
          'opening to closure, nearest-rank median, seconds (within 4% or 1 s: counted in buckets 4% wide)',
        ),
        timeToCloseP95Seconds: described(
          nullable(num),
          'opening to closure, nearest-rank 95th percentile, seconds (within 4% or 1 s: counted in buckets 4% wide)',
        ),
        timeToCloseSpread: described(nullable(num), 'p95 / p50, two decimals (null when p50 is 0)'),
        breakGlass: described(int, 'work orders with a break-glass (each owes a post-review)'),
        breakGlassRate: share('breakGlass / workOrders'),
        overduePostReviews: described(int, 'their post-reviews open and past due at asOf (view post-reviews)'),
      },
      {
        department: described(nullable(str), 'by=department: the department; null for workflows that name none'),
        jobType: described(str, 'by=jobType: the job type'),
      },
    ),
  ),
);
