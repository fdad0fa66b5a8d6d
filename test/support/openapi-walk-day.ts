import { VIEW_NAMES } from '@workgate/contracts';
import type {
  ArtifactAnswer,
  BreakGlassAnswer,
  DelegationAnswer,
  ExceptionView,
  OpenedAnswer,
  PostReviewView,
  ScopeChangeAnswer,
  SignedCheckpoint,
  StatusAnswer,
  WebhookDelivery,
  WorkOrderHandoff,
} from '@workgate/contracts';
import type { IngestAnswer } from './answers';

import { eventually } from './processes';

/** One answer of the walk, as the OpenAPI check reads it (test/contract/openapi.e2e-spec.ts). */
export interface Answer<T = unknown> {
  method: string;
  path: string;
  status: number;
  contentType: string;
  text: string;
  body: T;
  /** The `Workgate-Position` header, when the answer carries one. */
  position: string | null;
  /** The `Link` header (a list's next page), when the answer carries one. */
  link?: string | null;
}

export type Call = <T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<Answer<T>>;

/** Checks of one answer for the walk: a success (at `status`, when given) or the refusal expected. */
export function expecting() {
  const ok = async <T>(answer: Promise<Answer<T>>, status?: number): Promise<T> => {
    const a = await answer;
    if (a.status >= 300 || (status !== undefined && a.status !== status))
      throw new Error(`${a.method} ${a.path}: ${a.status} ${a.text}`);
    return a.body;
  };
  const refused = async (answer: Promise<Answer>, status: number): Promise<void> => {
    const a = await answer;
    if (a.status !== status) throw new Error(`${a.method} ${a.path}: expected ${status}, got ${a.status} ${a.text}`);
  };
  return { ok, refused, unknownId: '00000000-0000-4000-8000-000000000000' };
}

/** What the first part of the walk leaves for the rest (walkTheDay, test/support/openapi-walk-day.ts). */
export interface Morning {
  id: string;
  inputs: Record<string, unknown>;
  refund: { system: string; operation: string; kind: 'write' };
  webhookId: string;
}

/**
 * The rest of the walk of every route (test/contract/openapi.e2e-spec.ts): on the support-recovery
 * work order `id` whose refund and steps the first part had walked, its break-glass and closure; then engagements, delegations, CloudEvents, the ledger, the views, the map, the monthly
 * review, and the deliveries of the webhook `webhookId`.
 */
export async function walkTheDay(as: Record<string, Call>, day: Morning): Promise<void> {
  const { ok, refused, unknownId } = expecting();
  const { id, inputs, refund } = day;
  // Break-glass and its post-review.
  const glass = await ok(
    as.agent<BreakGlassAnswer>('POST', `/v1/work-orders/${id}/break-glass`, {
      code: 'PAYMENT_MISMATCH',
      rationale: 'customer double-charged',
      action: refund,
    }),
    201,
  );
  await refused(
    as.agent('POST', `/v1/work-orders/${id}/break-glass`, { code: 'PAYMENT_MISMATCH', rationale: 'x' }),
    422,
  );
  await ok(as['support-lead']('GET', `/v1/post-reviews/${glass.postReview.id}`));
  await ok(as['support-lead']('GET', '/v1/post-reviews?owner=support-lead'));
  await ok(as['support-lead']('GET', '/v1/post-reviews?owner=support-lead&overdue=false&limit=1'));
  await refused(as['support-lead']('GET', '/v1/post-reviews?after=not*a*cursor'), 422);
  await refused(as['support-lead']('GET', '/v1/post-reviews?after=bm90LWEtY3Vyc29y'), 422);
  // Exceptions a page at a time: the blocked step's and the break-glass's, the next page by its Link.
  const firstException = await as.agent('GET', '/v1/exceptions?status=all&limit=1');
  const nextExceptions = /<([^>]+)>;\s*rel="next"/.exec(firstException.link ?? '')?.[1];
  if (firstException.status !== 200 || !nextExceptions)
    throw new Error(`GET /v1/exceptions?status=all&limit=1: ${firstException.status}, Link ${firstException.link}`);
  await ok(as.agent('GET', nextExceptions));
  await refused(as.agent('GET', '/v1/exceptions?after=not*a*cursor'), 422);
  await refused(as.agent('GET', '/v1/exceptions?after=bm90LWEtY3Vyc29y'), 422);
  await refused(as.agent('GET', '/v1/post-reviews'), 403);
  await refused(as['support-lead']('GET', `/v1/post-reviews/${unknownId}`), 404);
  await refused(
    as['support-lead']('POST', `/v1/post-reviews/${glass.postReview.id}/complete`, { outcome: 'fine' }),
    422,
  );
  await ok(
    as['support-lead']<PostReviewView>('POST', `/v1/post-reviews/${glass.postReview.id}/complete`, {
      outcome: 'justified',
      remediation: { title: 'add a refund check', owner: 'agent', due: 'P7D' },
    }),
  );

  await ok(
    as.agent<ExceptionView>('POST', `/v1/exceptions/${glass.exception.exceptionId}/resolve`, {
      resolution: 'refund confirmed by the bank',
    }),
  );
  // Each resolution commits with its effect on the work order: the resolver's next read shows none open.
  expect((await ok(as.agent<WorkOrderHandoff>('GET', `/v1/work-orders/${id}`))).openExceptions).toEqual([]);

  // Close (refused without evidence, then with it) and reopen.
  for (const step of ['validate-address', 'update-order', 'notify-warehouse', 'confirm-customer'])
    await as.agent('POST', `/v1/work-orders/${id}/steps/${step}/complete`, {
      evidence: [{ kind: 'receipt', ref: step }],
    });
  await refused(as.agent('POST', `/v1/work-orders/${id}/close`, {}), 422);
  await ok(
    as.agent<StatusAnswer>('POST', `/v1/work-orders/${id}/close`, {
      closureEvidenceId: 'CE-1',
      evidence: [{ kind: 'closure-note', ref: 'n' }],
    }),
  );
  await refused(as.agent('POST', `/v1/work-orders/${id}/reopen`, {}), 422);
  await ok(as.agent('POST', `/v1/work-orders/${id}/reopen`, { reason: 'customer called back' }));

  // Stages, scope changes: the engagement lifecycle.
  const engagement = await ok(
    as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'engagement-lifecycle',
      externalRef: 'EN-1',
      source: 'crm',
      inputs: { client: 'Acme', sponsor: 'Dana' },
    }),
    201,
  );
  await ok(
    as.agent<ArtifactAnswer>('POST', `/v1/work-orders/${engagement.id}/stages/discovery/artifact`, {
      artifact: { kind: 'requirements-brief', ref: 'docs/brief.md' },
    }),
    201,
  );
  await refused(
    as.agent('POST', `/v1/work-orders/${engagement.id}/stages/nowhere/artifact`, { artifact: { kind: 'x', ref: 'y' } }),
    404,
  );
  await ok(
    as.agent<ScopeChangeAnswer>('POST', `/v1/work-orders/${engagement.id}/scope-changes`, {
      add: [{ system: 'support-desk', operation: 'refund.recommend', kind: 'write' }],
      reason: 'client asks for refund recommendations',
    }),
    201,
  );
  await refused(
    as.agent('POST', `/v1/work-orders/${engagement.id}/scope-changes`, { add: [], reason: 'nothing' }),
    422,
  );

  // Delegations and the inbox.
  const task = await ok(
    as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'agent-delegation',
      externalRef: 'DL-1',
      source: 'helpdesk',
      inputs: { objective: 'x', repository: 'r' },
    }),
    201,
  );
  const prompt = {
    objective: 'fix the test',
    scope: 'libs/messaging',
    artifacts: [{ path: 'handoff/retry.md', access: 'read' }],
    verification: ['npm test'],
    completion: 'stop and wait',
  };
  const dispatched = await ok(
    as.agent<DelegationAnswer>('POST', `/v1/work-orders/${task.id}/delegations`, {
      recipient: 'bot',
      command: 'delegate_task',
      prompt,
    }),
    201,
  );
  await refused(
    as.agent('POST', `/v1/work-orders/${task.id}/delegations`, { recipient: '*', command: 'delegate_task', prompt }),
    422,
  );
  await ok(as.agent('GET', `/v1/delegations/${dispatched.dispatchId}`));
  await refused(as.agent('GET', `/v1/delegations/${unknownId}`), 404);
  await ok(as.agent('GET', '/v1/inbox/bot'));
  await refused(as.agent('GET', `/v1/inbox/${'x'.repeat(5000)}`), 422);
  await refused(as.bot('POST', `/v1/delegations/${dispatched.dispatchId}/confirm`, {}), 403);
  await ok(as.agent('POST', `/v1/delegations/${dispatched.dispatchId}/confirm`, { note: 'verified' }));
  await refused(as.agent('POST', `/v1/work-orders/${task.id}/stop`, {}), 422);
  await ok(as.agent('POST', `/v1/work-orders/${task.id}/stop`, { reason: 'the delegation is done elsewhere' }), 200);

  // CloudEvents, rejections.
  const event = {
    specversion: '1.0',
    id: 'ce-1',
    source: 'shop',
    type: 'workgate.workorder.open',
    subject: 'CE-1',
    data: { jobType: 'support-recovery', inputs },
  };
  await ok(
    as.helpdesk<IngestAnswer>('POST', '/v1/events', JSON.stringify(event), {
      'Content-Type': 'application/cloudevents+json',
    }),
    202,
  );
  await ok(
    as.helpdesk<IngestAnswer>('POST', '/v1/events', JSON.stringify([{ ...event, id: 'ce-2', subject: 'CE-2' }]), {
      'Content-Type': 'application/cloudevents-batch+json',
    }),
    202,
  );
  await refused(
    as.helpdesk('POST', '/v1/events', JSON.stringify({ ...event, id: 'ce-3', type: 'nope' }), {
      'Content-Type': 'application/cloudevents+json',
    }),
    422,
  );
  await ok(as.helpdesk('GET', '/v1/intake/rejections'));
  await refused(as.helpdesk('GET', '/v1/intake/rejections?limit=x'), 422);

  // The ledger.
  await ok(as.lead('GET', '/v1/ledger/events?limit=5'));
  await ok(as.lead('GET', '/v1/ledger/events?limit=5', undefined, { Accept: 'application/x-ndjson' }));
  await refused(as.lead('GET', '/v1/ledger/events?after=x'), 422);
  await ok(as.lead('GET', '/v1/ledger/verify'));
  await refused(as.agent('GET', '/v1/ledger/verify'), 403);
  const checkpoint = await ok(as.lead<SignedCheckpoint>('GET', '/v1/ledger/checkpoint'));
  await refused(as.agent('GET', '/v1/ledger/checkpoint'), 403);
  await ok(as.lead('GET', '/v1/ledger/checkpoint', undefined, { Accept: 'text/plain' }));
  await ok(as.anonymous('GET', '/v1/ledger/key'));
  await refused(as.anonymous('GET', '/v1/ledger/key?x=%00'), 422);
  await ok(as.lead('GET', `/v1/ledger/consistency?from=1&to=${checkpoint.treeSize}`));
  await refused(as.lead('GET', '/v1/ledger/consistency?from=5&to=2'), 422);
  await ok(as.lead('POST', '/v1/ledger/verify', { note: checkpoint.note }));
  await ok(as.lead('POST', '/v1/ledger/verify', { checkpoint }));
  await refused(as.lead('POST', '/v1/ledger/verify', { checkpoint: { ...checkpoint, headHash: 'x' } }), 422);

  // The views, as JSON and CSV.
  for (const view of VIEW_NAMES) {
    await ok(as.analyst('GET', `/v1/views/${view}?groupBy=version`));
    await ok(as.analyst('GET', `/v1/views/${view}`, undefined, { Accept: 'text/csv' }));
    await refused(as.analyst('GET', `/v1/views/${view}?from=yesterday`), 422);
  }
  await ok(as.analyst('GET', '/v1/views/exceptions?escalated=true&status=open'));
  await refused(as.analyst('GET', '/v1/views/exceptions?escalated=yes'), 422);
  await ok(as.analyst('GET', '/v1/views/workflows/compare?by=jobType'));
  await refused(as.analyst('GET', '/v1/views/workflows/compare?by=owner'), 422);
  await ok(as.analyst('GET', '/v1/views/departments', undefined, { Accept: 'text/csv' }));
  await refused(as.analyst('GET', '/v1/views/departments?to=yesterday'), 422);

  // The workflow map of a version, and the current version's with its live numbers.
  await ok(as.analyst('GET', '/v1/workflows/support-recovery/versions/1/map'));
  await refused(as.analyst('GET', '/v1/workflows/support-recovery/versions/99/map'), 404);
  await ok(as.analyst('GET', '/v1/workflows/support-recovery/map?from=2026-01-01T00:00:00Z'));
  await refused(as.agent('GET', '/v1/workflows/support-recovery/map'), 403);
  await refused(as.analyst('GET', '/v1/workflows/support-recovery/map?asOf=yesterday'), 422);

  // The monthly review of a job type: this month's and a past one; a bad month names the parameter.
  await ok(as.lead('GET', '/v1/workflows/support-recovery/review'));
  await ok(as.analyst('GET', '/v1/workflows/support-recovery/review?month=2026-01'));
  await refused(as.agent('GET', '/v1/workflows/support-recovery/review'), 403);
  await refused(as.lead('GET', '/v1/workflows/support-recovery/review?month=2026-13'), 422);
  await refused(as.lead('GET', '/v1/workflows/no-such-job/review'), 404);

  // Webhooks: their deliveries (failing: nothing listens), one sent again, then the webhook deleted.
  await ok(as.admin('GET', '/v1/webhooks'));
  await refused(as.lead('GET', '/v1/webhooks'), 403);
  await ok(as.admin('GET', `/v1/webhooks/${day.webhookId}`));
  await refused(as.admin('GET', `/v1/webhooks/${unknownId}`), 404);
  const deliveries = await eventually(
    async () => {
      const list = await ok(as.lead<WebhookDelivery[]>('GET', `/v1/webhooks/${day.webhookId}/deliveries`));
      return list.length > 0 ? list : undefined;
    },
    10_000,
    'a webhook delivery',
  );
  await refused(as.lead('GET', `/v1/webhooks/${unknownId}/deliveries`), 404);
  await ok(as.admin('POST', `/v1/webhooks/${day.webhookId}/deliveries/${deliveries[0].deliveryId}/retry`), 202);
  await refused(as.admin('POST', `/v1/webhooks/${day.webhookId}/deliveries/${unknownId}/retry`), 404);
  await ok(as.admin('DELETE', `/v1/webhooks/${day.webhookId}`));
  await refused(as.admin('DELETE', `/v1/webhooks/${day.webhookId}`), 404);
  // A principal's console sessions ended by an admin (none open here: it answers how many ended).
  await ok(as.admin('DELETE', '/v1/principals/agent/sessions'));
  await refused(as.lead('DELETE', '/v1/principals/agent/sessions'), 403);
}
