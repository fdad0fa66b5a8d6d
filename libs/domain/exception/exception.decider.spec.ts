import { ExceptionCommand, exceptions } from './exception.decider';
import { PostReviewCommand, postReviews } from './post-review.decider';
import { specify } from '../spec-support';

const T0 = '2026-11-22T10:00:00.000Z';
const at = (h: number) => new Date(Date.parse(T0) + h * 3600_000).toISOString();
/** Raised by its work order, with owner and SLA already taken from the catalog there. */
const raise = {
  type: 'RaiseException',
  exception: {
    exceptionId: 'ex-1',
    stepId: 'confirm-customer',
    code: 'CUSTOMER_UNREACHABLE',
    rationale: 'no answer twice',
    owner: 'support-lead',
    dueAt: at(24),
  },
  workOrderId: 'wo-1',
  by: 'op-1',
} satisfies ExceptionCommand;
const resolve = (evidence = [{ kind: 'call-log', ref: 'c-1' }]): ExceptionCommand => ({
  type: 'ResolveException',
  by: 'op-1',
  resolution: 'called back',
  evidence,
});
const tick: ExceptionCommand = { type: 'Tick' };

const exception = specify(exceptions, () => ({ now: T0 }));

describe('exception decider', () => {
  it('records the exception its work order raised, once', () => {
    exception
      .given()
      .when(raise)
      .then(['ExceptionRaised'], (events, s) => {
        expect(events[0]).toMatchObject({
          data: {
            exceptionId: 'ex-1',
            code: 'CUSTOMER_UNREACHABLE',
            owner: 'support-lead',
            dueAt: at(24),
            stepId: 'confirm-customer',
            raisedBy: 'op-1',
            at: T0,
          },
        });
        expect(s).toMatchObject({ status: 'open', slaBreached: false });
      });
    exception
      .given(...exception.history(raise))
      .when(raise)
      .then([]);
  });
  it('refuses an exception without a rationale', () =>
    exception
      .given()
      .when({
        ...raise,
        exception: { ...raise.exception, rationale: ' ' },
      })
      .thenThrows('validation_failed'));
  it('resolves with a resolution, evidence or both (never neither), once', () => {
    const raised = exception.history(raise);
    const neither: ExceptionCommand = { type: 'ResolveException', by: 'op-1', resolution: ' ', evidence: [] };
    exception
      .given(...raised)
      .when(neither, { now: at(1) })
      .thenThrows('evidence_required', {
        details: [
          { path: 'resolution', message: 'is required when there is no evidence' },
          { path: 'evidence', message: 'is required when there is no resolution' },
        ],
      });
    exception
      .given(...raised)
      .when({ type: 'ResolveException', by: 'op-1', resolution: 'customer called back' }, { now: at(1) })
      .then(['ExceptionResolved'], ([e]) =>
        expect(e.data).toMatchObject({ resolution: 'customer called back', evidence: [] }),
      );
    exception
      .given(...raised)
      .when(resolve([{ kind: 'call-log', ref: 'CL-1' }]), { now: at(1) })
      .then(['ExceptionResolved']);
    exception
      .given(...raised)
      .when(resolve(), { now: at(1) })
      .then(['ExceptionResolved'], (_, s) => expect(s.status).toBe('resolved'));
    exception
      .given(...exception.history(raise, resolve()))
      .when(resolve(), { now: at(2) })
      .thenThrows('exception_resolved');
  });
  it('records an SLA breach once, when due, only while open', () => {
    const raised = exception.history(raise);
    exception
      .given(...raised)
      .when(tick, { now: at(23) })
      .then([]);
    exception
      .given(...raised)
      .when(tick, { now: at(24) })
      .then(['SlaBreached']);
    const breached = [
      ...raised,
      ...exception
        .given(...raised)
        .when(tick, { now: at(24) })
        .result(),
    ];
    exception
      .given(...breached)
      .when(tick, { now: at(30) })
      .then([]);
    exception
      .given(...exception.history(raise, resolve()))
      .when(tick, { now: at(48) })
      .then([]);
  });
  it('takes a due time as an RFC 3339 time or an ISO 8601 duration from now', () => {
    const add = (due: string): ExceptionCommand => ({
      type: 'AddRemediation',
      taskId: `t-${due}`,
      title: 'x',
      owner: 'o',
      due,
      by: 'b',
    });
    exception
      .given(...exception.history(raise))
      .when(add('P14D'), { now: at(0) })
      .then(['RemediationAdded'], ([e]) => expect(e.data).toMatchObject({ task: { due: at(14 * 24) } }));
    exception
      .given(...exception.history(raise))
      .when(add('2026-12-01T17:00:00+01:00'), { now: at(0) })
      .then(['RemediationAdded'], ([e]) => expect(e.data).toMatchObject({ task: { due: '2026-12-01T16:00:00.000Z' } }));
  });
  it('adds remediation tasks and closes them with evidence, once', () => {
    const add: ExceptionCommand = {
      type: 'AddRemediation',
      taskId: 't-1',
      title: 'validate phone numbers at intake',
      owner: 'intake-lead',
      due: at(72),
      by: 'support-lead',
    };
    const close = (taskId: string, evidence = { kind: 'change', ref: 'PR-42' }): ExceptionCommand => ({
      type: 'CloseRemediation',
      taskId,
      evidence,
      by: 'intake-lead',
    });
    exception
      .given(...exception.history(raise))
      .when(add)
      .then(['RemediationAdded']);
    exception
      .given(...exception.history(raise, add))
      .when(add)
      .then([]);
    exception
      .given(...exception.history(raise, add))
      .when(close('t-1'))
      .then(['RemediationClosed'], (_, s) => {
        expect(s.status !== 'none' && s.remediations).toEqual([
          expect.objectContaining({ taskId: 't-1', closed: true }),
        ]);
      });
    const closed = exception.history(raise, add, close('t-1'));
    exception
      .given(...closed)
      .when(close('t-1'))
      .thenThrows('remediation_closed', { message: 'remediation task t-1 is already closed' });
    exception
      .given(...closed)
      .when(close('t-9'))
      .thenThrows('not_found');
  });
  it('refuses a remediation task without a title, owner or due time, and closing one without evidence', () => {
    const added = exception.history(raise, {
      type: 'AddRemediation',
      taskId: 't-1',
      title: 'x',
      owner: 'o',
      due: at(5),
      by: 'b',
    });
    exception
      .given(...added)
      .when({ type: 'AddRemediation', taskId: 't-2', title: '', owner: 'o', due: 'never', by: 'b' })
      .thenThrows('validation_failed');
    exception
      .given(...added)
      .when({ type: 'AddRemediation', taskId: 't-2', title: 'x', owner: 'o', due: 'never', by: 'b' })
      .thenThrows('validation_failed', {
        details: [{ path: 'due', message: expect.stringMatching(/RFC 3339 time .* or an ISO 8601 duration/) }],
      });
    exception
      .given(...added)
      .when({ type: 'AddRemediation', taskId: 't-2', title: 'x', owner: 'o', due: 'PT0.1S', by: 'b' })
      .thenThrows('validation_failed', {
        details: [{ path: 'due', message: 'must be at least PT1S (timers have a one-second floor)' }],
      });
    exception
      .given(...added)
      .when({ type: 'CloseRemediation', taskId: 't-1', evidence: { kind: '', ref: '' }, by: 'b' })
      .thenThrows('evidence_required');
    // Evidence is one object or a list (docs/api.md, Conventions): a list is recorded as given, an empty one refused.
    const pr = { kind: 'change', ref: 'PR-42' };
    exception
      .given(...added)
      .when({ type: 'CloseRemediation', taskId: 't-1', evidence: [pr, { kind: 'test', ref: 'ci-7' }], by: 'b' })
      .then(['RemediationClosed'], ([e]) =>
        expect(e.data).toMatchObject({ evidence: [pr, { kind: 'test', ref: 'ci-7' }] }),
      );
    exception
      .given(...added)
      .when({ type: 'CloseRemediation', taskId: 't-1', evidence: [], by: 'b' })
      .thenThrows('evidence_required', {
        details: [{ path: 'evidence', message: 'closing a remediation task needs at least one piece of evidence' }],
      });
  });
  it('refuses commands to an exception that was never raised', () =>
    exception.given().when(resolve()).thenThrows('not_found'));
});

describe('post-review decider', () => {
  const review = specify(postReviews, () => ({ now: T0 }));
  const create: PostReviewCommand = {
    type: 'CreatePostReview',
    postReviewId: 'pr-1',
    workOrderId: 'wo-1',
    exceptionId: 'ex-1',
    reviewer: 'support-lead',
    dueAt: at(48),
  };
  const complete = (
    by = 'support-lead',
    remediation: unknown = { title: 'add address check', owner: 'intake-lead', due: at(200) },
  ): PostReviewCommand =>
    ({
      type: 'CompletePostReview',
      by,
      outcome: 'justified, but the check was missing',
      remediation,
    }) as PostReviewCommand;
  const tick: PostReviewCommand = { type: 'Tick' };

  it('notifies the reviewer once when overdue, then completes with a remediation task', () => {
    const created = review.history(create);
    review
      .given(...created)
      .when(tick, { now: at(47) })
      .then([]);
    review
      .given(...created)
      .when(tick, { now: at(49) })
      .then(['PostReviewOverdue']);
    const overdue = [
      ...created,
      ...review
        .given(...created)
        .when(tick, { now: at(49) })
        .result(),
    ];
    review
      .given(...overdue)
      .when(tick, { now: at(60) })
      .then([]);
    review
      .given(...overdue)
      .when(complete(), { now: at(61) })
      .then(['PostReviewCompleted'], (events, s) => {
        expect(events[0]).toMatchObject({
          data: { remediation: { owner: 'intake-lead', taskId: expect.any(String) } },
        });
        expect(s.status).toBe('completed');
      });
  });
  it('refuses completion without a remediation, or by anyone but the reviewer, or twice', () => {
    const created = review.history(create);
    review
      .given(...created)
      .when(complete('support-lead', null))
      .thenThrows('remediation_required');
    review
      .given(...created)
      .when(complete('agent-7'))
      .thenThrows('not_reviewer');
    review
      .given(...review.history(create, complete()))
      .when(complete())
      .thenThrows('post_review_completed');
  });
});
