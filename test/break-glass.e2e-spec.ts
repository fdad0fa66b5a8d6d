import { Subjects } from '@workgate/contracts';
import { urgentFix } from './support/fixtures';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import type { BreakGlassAnswer, ExceptionView, OpenedAnswer, PostReviewView, ViewRow } from '@workgate/contracts';

/** Break-glass runs the action at once, under an exception, and leaves a post-review duty with a due time. */
describe('break-glass and post-review over HTTP', () => {
  let t: SharedTestWorkgate;
  // The workgate may be shared with other files: the workflow and its reviewer are this file's alone,
  // so the reviewer's post-review lists hold only this file's.
  const principals = writePrincipals({
    helpdesk: ['integrator'],
    agent: ['operator'],
    'bg-lead': ['approver'],
    'bg-other': ['approver'],
  });
  let as: Record<string, ReturnType<typeof client>>;

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = clientsFor(t.url, principals.keys);
    await t.rpc.request(Subjects.policy.publish, {
      definition: urgentFix('urgent-fix-bg', 'bg-lead'),
    });
  });
  afterAll(() => t?.close());

  it('runs the action, raises the exception, opens the post-review, notifies when overdue, completes with a remediation', async () => {
    const notices: Array<{ kind: string; ref?: string }> = [];
    const sub = t.nc.subscribe('workgate.notify.bg-lead', {
      callback: (_e, m) => notices.push(JSON.parse(new TextDecoder().decode(m.data))),
    });
    const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'urgent-fix-bg',
      externalRef: 'BG-1',
      source: 'helpdesk',
      inputs: {},
    });
    const id = opened.body.id;
    const bg = await as.agent<BreakGlassAnswer>('POST', `/v1/work-orders/${id}/break-glass`, {
      code: 'CUSTOMER_UNREACHABLE',
      rationale: 'customer flight leaves in an hour',
      action: { system: 'payments', operation: 'refund', kind: 'write' },
    });
    expect(bg.status).toBe(201);
    expect(bg.body).toMatchObject({
      decision: 'run',
      reason: 'break_glass',
      exception: { code: 'CUSTOMER_UNREACHABLE' },
      postReview: { owner: 'bg-lead', dueAt: expect.any(String) },
    });
    const postReviewId = bg.body.postReview.id;

    await eventually(
      async () => (await as.agent('GET', `/v1/exceptions/${bg.body.exception.exceptionId}`)).status === 200,
      10_000,
      'the exception',
    );
    const overdue = await eventually(
      async () => {
        const r = await as['bg-lead']<PostReviewView>('GET', `/v1/post-reviews/${postReviewId}`);
        return r.body?.overdueNotified ? r : undefined;
      },
      15_000,
      'the post-review to be overdue',
    );
    expect(overdue.body).toMatchObject({ status: 'due', reviewer: 'bg-lead', workOrderId: id });
    // The reviewer's own list has it, overdue; another approver's does not.
    expect((await as['bg-lead']<ViewRow[]>('GET', '/v1/post-reviews?owner=bg-lead&overdue=true')).body).toEqual([
      expect.objectContaining({ postReviewId, workOrderId: id, overdue: true }),
    ]);
    expect((await as['bg-other']<ViewRow[]>('GET', '/v1/post-reviews?owner=bg-other')).body).toEqual([]);
    await eventually(
      async () => notices.some((n) => n.kind === 'post-review-overdue' && n.ref === postReviewId),
      5000,
      'the overdue notice',
    );

    expect(
      await as['bg-other']<PostReviewView>('POST', `/v1/post-reviews/${postReviewId}/complete`, {
        outcome: 'x',
        remediation: { title: 't', owner: 'o', due: '2026-12-01T00:00:00Z' },
      }),
    ).toMatchObject({
      status: 403,
      body: { error: 'not_reviewer' },
    });
    expect(
      await as['bg-lead']<PostReviewView>('POST', `/v1/post-reviews/${postReviewId}/complete`, {
        outcome: 'justified',
      }),
    ).toMatchObject({ status: 422 });
    const done = await as['bg-lead']<PostReviewView>('POST', `/v1/post-reviews/${postReviewId}/complete`, {
      outcome: 'justified; the refund path needs a fast lane',
      remediation: {
        title: 'add an urgent refund lane to the workflow',
        owner: 'bg-lead',
        due: '2026-12-15T00:00:00Z',
      },
    });
    expect(done).toMatchObject({ status: 200, body: { status: 'completed' } });
    expect((await as['bg-lead']<ViewRow[]>('GET', '/v1/post-reviews?owner=bg-lead')).body).toEqual([]);
    // The remediation becomes a task of the exception it reviewed, open until closed with evidence.
    const exception = await eventually(
      async () => {
        const r = await as.agent<ExceptionView>('GET', `/v1/exceptions/${bg.body.exception.exceptionId}`);
        return r.body?.remediations?.length ? r : undefined;
      },
      10_000,
      'the remediation on the exception',
    );
    expect(exception.body.remediations).toEqual([
      expect.objectContaining({
        title: 'add an urgent refund lane to the workflow',
        owner: 'bg-lead',
        closed: false,
      }),
    ]);
    sub.unsubscribe();
  });

  it('refuses break-glass where the workflow does not allow it', async () => {
    const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'agent-delegation',
      externalRef: 'BG-2',
      source: 'helpdesk',
      inputs: { objective: 'x', repository: 'r' },
    });
    const bg = await as.agent<BreakGlassAnswer>('POST', `/v1/work-orders/${opened.body.id}/break-glass`, {
      code: 'DELEGATE_UNRESPONSIVE',
      rationale: 'x',
      action: { system: 'repo', operation: 'branch.push', kind: 'write' },
    });
    expect(bg).toMatchObject({ status: 422, body: { error: 'break_glass_not_allowed' } });
  });
});
