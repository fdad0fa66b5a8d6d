import type * as C from '../monthly-review';
import { CompareRow } from './compare.schemas';
import { SimulatedChange } from './policy.schemas';
import { array, component, described, documents, int, nullable, num, object, oneOf, str, time } from './json-schema';

/** The monthly review (docs/views.md, The monthly review): a calendar month of a job type against the month before. */
const compared = (what: string) =>
  described(
    object({ thisMonth: nullable(num), lastMonth: nullable(num), change: nullable(num) }),
    `${what}: this month's, last month's, and this month's minus last month's (null when either is unknown)`,
  );

const reviewWindow = described(
  object({ month: str, from: time, to: time, asOf: time }),
  'the month (YYYY-MM, UTC) as the views are asked about it: [from, to), measured at asOf (its last instant, or now)',
);

export const MonthlyReview = component(
  'MonthlyReview',
  documents<C.MonthlyReview>()(
    object({
      jobType: str,
      month: reviewWindow,
      previous: reviewWindow,
      topCodes: described(
        array(
          object({
            code: str,
            owner: nullable(str),
            stepId: described(nullable(str), 'the step the code blocked most'),
            raised: compared('exceptions raised'),
            workOrders: compared('work orders raising it'),
            openAtEnd: described(int, "of this month's, open at its end (or now)"),
          }),
        ),
        'the codes raised most in either month (view exception-codes/top), this month first',
      ),
      stalls: object({
        workOrders: compared('work orders opened'),
        stalled: compared('of those, stalled'),
        stallRate: compared('stalled / opened (view stall-rates)'),
        hotspots: described(
          array(
            object({
              stepId: str,
              stalled: compared('work orders stalled there'),
              blocked: compared('times blocked there'),
              p50Seconds: compared('median time at the step'),
            }),
          ),
          'steps where work stalled or was blocked most (view steps), at most five',
        ),
      }),
      evidence: described(
        object({ closures: compared('closures'), closureShare: compared('share'), stepShare: compared('share') }),
        'view evidence-completeness',
      ),
      closuresWithoutEvidence: object({
        count: compared('closures without closure evidence (view closures?evidence=missing)'),
        workOrders: array(object({ workOrderId: str, externalRef: str, source: str, closedAt: time })),
      }),
      exceptions: described(
        object({ raised: compared('raised'), breached: compared('open past SLA'), escalated: compared('escalated') }),
        "exceptions of the month's work orders at its end (view exception-codes, summed)",
      ),
      draft: object({
        draftId: nullable(str),
        source: oneOf('requested', 'latest', 'none'),
        note: nullable(str),
        evaluated: compared('past action requests replayed'),
        changed: compared('decisions the draft changes'),
        decisions: array(SimulatedChange.ref),
      }),
      departments: described(
        array(CompareRow.ref),
        'the work orders of every job type closed in the month, by department (as GET /v1/views/departments for the month)',
      ),
    }),
  ),
);
