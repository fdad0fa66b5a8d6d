import { PostReviewView, refuse, Remediation } from '@workgate/contracts';
import { dueTime } from '@workgate/workflow';
import { Aggregate, Clock, DomainEvent, versionedEventId } from '../aggregate';
import { deterministicUuid } from '../ids';

/** A post-review's state: nothing yet, or what its view shows. */
export type PostReviewState = { status: 'none' } | PostReviewView;

export type PostReviewCommand =
  | {
      type: 'CreatePostReview';
      postReviewId: string;
      workOrderId: string;
      exceptionId: string;
      reviewer: string;
      dueAt: string;
    }
  | { type: 'CompletePostReview'; by: string; outcome: string; remediation?: Remediation }
  | { type: 'Tick' };

export type PostReviewEvent = DomainEvent<'postreview'>;

export const initialPostReviewState = (): PostReviewState => ({ status: 'none' });

const eventId = (postReviewId: string, what: string) => deterministicUuid('post-review', postReviewId, what);

/**
 * The duty that break-glass leaves behind: the reviewer completes it with an outcome and a
 * remediation task (owner, due); while it is open past its due time, the reviewer is told once.
 */
export function decidePostReview(
  command: PostReviewCommand,
  state: PostReviewState,
  { now }: Clock,
): PostReviewEvent[] {
  if (command.type === 'CreatePostReview') {
    if (state.status !== 'none') return [];
    const { postReviewId, workOrderId, exceptionId, reviewer, dueAt } = command;
    return [
      {
        type: 'PostReviewCreated',
        eventId: eventId(postReviewId, 'created'),
        data: { postReviewId, workOrderId, exceptionId, reviewer, dueAt, at: now },
      },
    ];
  }
  if (state.status === 'none') throw refuse('not_found', 'no such post-review');
  const id = state.postReviewId;
  switch (command.type) {
    case 'CompletePostReview': {
      if (state.status === 'completed') throw refuse('post_review_completed', `post-review ${id} is already completed`);
      if (command.by !== state.reviewer)
        throw refuse('not_reviewer', `only ${state.reviewer} completes post-review ${id}`);
      if (typeof command.outcome !== 'string' || command.outcome.trim() === '')
        throw refuse('validation_failed', 'a post-review needs an outcome');
      const r = command.remediation;
      if (!r || !r.title?.trim() || !r.owner?.trim() || r.due === undefined) {
        throw refuse(
          'remediation_required',
          'completing a post-review needs a remediation task with a title, an owner and a due time',
        );
      }
      const due = dueTime(r.due, now);
      if (!due.ok)
        throw refuse('validation_failed', `remediation.due ${due.problem}`, [
          { path: 'remediation.due', message: due.problem },
        ]);
      const remediation = {
        title: r.title,
        owner: r.owner,
        due: due.at,
        taskId: deterministicUuid('post-review', id, 'remediation'),
      };
      return [
        {
          type: 'PostReviewCompleted',
          eventId: eventId(id, 'completed'),
          data: { postReviewId: id, completedBy: command.by, outcome: command.outcome, remediation, at: now },
        },
      ];
    }
    case 'Tick':
      if (state.status !== 'due' || state.overdueNotified || Date.parse(now) < Date.parse(state.dueAt)) return [];
      return [
        {
          type: 'PostReviewOverdue',
          eventId: eventId(id, 'overdue'),
          data: { postReviewId: id, reviewer: state.reviewer, dueAt: state.dueAt, at: now },
        },
      ];
    default: {
      const never: never = command;
      throw new Error(`unknown command ${JSON.stringify(never)}`);
    }
  }
}

export function evolvePostReview(state: PostReviewState, e: PostReviewEvent): PostReviewState {
  if (e.type === 'PostReviewCreated') {
    const { postReviewId, workOrderId, exceptionId, reviewer, dueAt } = e.data;
    return { postReviewId, status: 'due', workOrderId, exceptionId, reviewer, dueAt, overdueNotified: false };
  }
  if (state.status === 'none') return state;
  switch (e.type) {
    case 'PostReviewOverdue':
      return { ...state, overdueNotified: true };
    case 'PostReviewCompleted':
      return { ...state, status: 'completed' };
    default: {
      const never: never = e;
      throw new Error(`unknown event ${JSON.stringify(never)}`);
    }
  }
}

/** The post-review aggregate (`postreview-<id>`). */
export const postReviews: Aggregate<PostReviewState, PostReviewCommand, PostReviewEvent> = {
  stream: 'postreview',
  initial: initialPostReviewState,
  evolve: evolvePostReview,
  decide: decidePostReview,
  eventId: versionedEventId('post-review'),
};
