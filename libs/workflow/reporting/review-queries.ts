import { ReviewWindow, ViewQuery, ViewRow } from '@workgate/contracts';

/**
 * What the monthly review asks the evidence views, the same for each month: its numbers are those
 * views' rows for the month's window, so they equal what the views API answers for it.
 */
export const REVIEW_VIEWS = {
  topCodes: { view: 'exception-codes/top', limit: 1000 },
  stepExceptions: { view: 'step-exceptions' },
  steps: { view: 'steps' },
  stallRates: { view: 'stall-rates' },
  evidence: { view: 'evidence-completeness' },
  closuresWithoutEvidence: { view: 'closures', evidence: 'missing', limit: 10_000 },
  exceptionCodes: { view: 'exception-codes' },
} as const satisfies Record<string, ViewQuery>;

/** The rows of each of those views for one job type and month. */
export type ReviewRows = Record<keyof typeof REVIEW_VIEWS, ViewRow[]>;

/** Asks every view of the review about one month of one job type, through `ask` (the views API or its RPC). */
export async function reviewRows(
  jobType: string,
  w: ReviewWindow,
  ask: (q: ViewQuery) => Promise<ViewRow[]>,
): Promise<ReviewRows> {
  const of = (q: ViewQuery) => ask({ ...q, jobType, from: w.from, to: w.to, asOf: w.asOf });
  const v = REVIEW_VIEWS;
  const [topCodes, stepExceptions, steps, stallRates, evidence, closuresWithoutEvidence, exceptionCodes] =
    await Promise.all([
      of(v.topCodes),
      of(v.stepExceptions),
      of(v.steps),
      of(v.stallRates),
      of(v.evidence),
      of(v.closuresWithoutEvidence),
      of(v.exceptionCodes),
    ]);
  return { topCodes, stepExceptions, steps, stallRates, evidence, closuresWithoutEvidence, exceptionCodes };
}
