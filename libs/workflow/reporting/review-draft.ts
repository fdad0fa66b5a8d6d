import { ReviewWindow, SimulateResult, WorkgateError } from '@workgate/contracts';
import { ReviewDraftInput } from './monthly-review';

/** A draft as the review needs it: which, when saved, and whether it has problems. */
export interface ReviewDraftSummary {
  draftId: string;
  savedAt: string;
  problems: number;
}

/** Where the review finds a job type's drafts and replays a month's requests against one. */
export interface ReviewDraftSource {
  list(jobType: string): Promise<ReviewDraftSummary[]>;
  simulate(jobType: string, draftId: string, w: ReviewWindow): Promise<SimulateResult>;
}

/** The draft asked for (404 when the job type has none by that id), else the latest saved, else none. */
export function chooseDraft(
  jobType: string,
  requested: string | undefined,
  drafts: ReviewDraftSummary[],
): { draft: ReviewDraftSummary; source: 'requested' | 'latest' } | null {
  if (requested !== undefined) {
    const draft = drafts.find((d) => d.draftId === requested);
    if (!draft) throw new WorkgateError('not_found', `${jobType} has no draft ${requested}`);
    return { draft, source: 'requested' };
  }
  const latest = [...drafts].sort(
    (a, b) => b.savedAt.localeCompare(a.savedAt) || b.draftId.localeCompare(a.draftId),
  )[0];
  return latest ? { draft: latest, source: 'latest' } : null;
}

/**
 * The draft section's input: the chosen draft replayed over each month's past requests. A draft with
 * problems cannot decide anything, so it is named with a note and no numbers.
 */
export async function reviewDraft(
  source: ReviewDraftSource,
  jobType: string,
  requested: string | undefined,
  windows: { month: ReviewWindow; previous: ReviewWindow },
): Promise<ReviewDraftInput> {
  const chosen = chooseDraft(jobType, requested, await source.list(jobType));
  if (!chosen)
    return { draftId: null, source: 'none', note: `${jobType} has no draft.`, thisMonth: null, lastMonth: null };
  const { draft } = chosen;
  if (draft.problems > 0) {
    const note = `The draft has ${draft.problems} problem${draft.problems === 1 ? '' : 's'}: fix ${draft.problems === 1 ? 'it' : 'them'} to see the decisions it would change.`;
    return { draftId: draft.draftId, source: chosen.source, note, thisMonth: null, lastMonth: null };
  }
  const [thisMonth, lastMonth] = await Promise.all([
    source.simulate(jobType, draft.draftId, windows.month),
    source.simulate(jobType, draft.draftId, windows.previous),
  ]);
  return { draftId: draft.draftId, source: chosen.source, note: null, thisMonth, lastMonth };
}
