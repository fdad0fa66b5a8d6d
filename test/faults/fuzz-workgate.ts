import { randomUUID } from 'node:crypto';
import { eventually } from '../support/processes';
import { client, parseJson, writePrincipals } from '../support/principals';
import { startTestWorkgate, TestWorkgate } from '../support/workgate';
import { declaredRoutes, openApiRoutes, Route, routeKey } from './http-routes';
import type {
  ActionAnswer,
  BreakGlassAnswer,
  CreatedWebhook,
  DelegationAnswer,
  ExceptionView,
  OpenedAnswer,
  SignedCheckpoint,
  StepAnswer,
  WebhookDelivery,
} from '@workgate/contracts';
import { defined } from '../support/answers';
import { Answer, Body, pollution, snapshot } from './fuzz-requests';
import { FUZZ_FLOW, validBodies } from './fuzz-bodies';

/**
 * The running workgate the HTTP fuzzing specs send to, with real ids for every kind of path
 * parameter and a valid body for every write route: `useFuzzWorkgate()` starts it for the spec
 * that calls it (before all its tests) and closes it after; the names below are set by then.
 */

// One principal with every role, so no refusal of the guard hides what validation does. It is
// also the owner of the support-recovery approvals, but not their requester.
export const principals = writePrincipals({
  'support-lead': ['integrator', 'operator', 'approver', 'analyst', 'ops-lead', 'admin'],
  helpdesk: ['integrator', 'operator'],
  // Decides the changes support-lead proposes to the workflows it owns.
  'change-reviewer': ['admin', 'approver'],
});
export let t: TestWorkgate;
export let routes: Route[];
export let ids: Record<string, string[]>;
export let valid: Record<string, unknown>;
export let before: ReturnType<typeof snapshot>;
export let polluter: string | undefined;

export const send = async <T = unknown>(
  method: string,
  path: string,
  body: Body = {},
  headers: Record<string, string> = {},
): Promise<Answer<T>> => {
  const res = await fetch(`${t.url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${principals.keys['support-lead']}`,
      ...(body.type ? { 'Content-Type': body.type } : {}),
      ...headers,
    },
    body: body.text,
  });
  const text = await res.text();
  return { status: res.status, body: parseJson(text) as T, text };
};

/** The properties every answer keeps: no 5xx, a 4xx in the error body, prototypes untouched. */
export const check = (what: string, res: Answer) => {
  if (res.status < 200 || res.status >= 500)
    throw new Error(`${what} answered ${res.status}: ${res.text.slice(0, 300)}`);
  if (res.status >= 400) {
    const b = res.body;
    const shaped =
      b !== null &&
      typeof b === 'object' &&
      'error' in b &&
      typeof b.error === 'string' &&
      /^[a-z][a-z0-9_]*$/.test(b.error) &&
      'message' in b &&
      typeof b.message === 'string' &&
      Object.keys(b).every((k) => ['error', 'message', 'details'].includes(k)) &&
      (!('details' in b) || b.details === undefined || Array.isArray(b.details));
    if (!shaped) throw new Error(`${what} answered ${res.status} without the error body: ${res.text.slice(0, 300)}`);
  }
  const changed = pollution(before);
  // Pollution persists, so the request that caused it is the first one seen (shrinking reports later ones).
  if (changed.length)
    throw new Error(`a prototype is polluted (${changed.join('; ')}), first seen after ${(polluter ??= what)}`);
};

/** Starts the workgate and makes the fixtures, before all the tests of the spec that calls it; closes it after them. */
export function useFuzzWorkgate(): void {
  beforeAll(async () => {
    // Webhooks may go to loopback: their deliveries go to a closed local port and fail at once.
    t = await startTestWorkgate({
      env: {
        WORKGATE_PRINCIPALS: principals.path,
        WORKGATE_RATE_LIMIT_PER_MINUTE: '1000000',
        WORKGATE_WEBHOOK_ALLOW_PRIVATE: '1',
      },
    });
    const as = client(t.url, principals.keys.helpdesk);
    const owner = client(t.url, principals.keys['support-lead']);
    const webhook = await owner<CreatedWebhook>('POST', '/v1/webhooks', {
      url: 'http://127.0.0.1:9/hook',
      events: ['exception.raised'],
    });
    expect(webhook.status).toBe(201);
    const open = async (jobType: string, externalRef: string, inputs: Record<string, unknown>) => {
      const res = await as<OpenedAnswer>('POST', '/v1/work-orders', { jobType, externalRef, source: 'fuzz', inputs });
      expect(res.status).toBe(201);
      return res.body.id;
    };
    // Real ids for every kind of path parameter, made by a principal other than the fuzzer.
    const support = await open('support-recovery', 'FUZZ-1', { caseId: 'C-1', orderId: '1', orderPaid: true });
    const engagement = await open('engagement-lifecycle', 'FUZZ-2', {
      client: 'Northwind',
      sponsor: 'ops-director',
      project: 'triage',
    });
    const delegated = await open('agent-delegation', 'FUZZ-3', { objective: 'x', repository: 'r' });
    const refund = await as<ActionAnswer>('POST', `/v1/work-orders/${support}/actions`, {
      system: 'payments',
      operation: 'refund',
      kind: 'write',
    });
    expect(refund.body).toMatchObject({
      decision: 'wait',
      approvalId: expect.any(String),
      receiptId: expect.any(String),
    });
    const inspect = await as<ActionAnswer>('POST', `/v1/work-orders/${support}/actions`, {
      system: 'helpdesk',
      operation: 'case.read',
      kind: 'read',
    });
    expect(inspect.body).toMatchObject({ decision: 'run' });
    const blocked = await as<StepAnswer>('POST', `/v1/work-orders/${support}/steps/confirm-customer/block`, {
      code: 'CUSTOMER_UNREACHABLE',
      rationale: 'no answer',
    });
    const glass = await as<BreakGlassAnswer>('POST', `/v1/work-orders/${support}/break-glass`, {
      code: 'ADDRESS_INVALID',
      rationale: 'urgent',
      action: { system: 'shop', operation: 'order.note', kind: 'write' },
    });
    expect(glass.body).toMatchObject({ postReview: { id: expect.any(String) } });
    const exceptionId = defined(blocked.body.exception, 'exception of the blocked step').exceptionId;
    await eventually(
      async () => (await owner('GET', `/v1/exceptions/${exceptionId}`)).status === 200,
      10_000,
      'the exception',
    );
    const remediation = await owner<ExceptionView>('POST', `/v1/exceptions/${exceptionId}/remediations`, {
      title: 'call back',
      owner: 'support-lead',
      due: '2026-12-01T00:00:00Z',
    });
    expect(remediation.status).toBe(201);
    const dispatch = await as<DelegationAnswer>('POST', `/v1/work-orders/${delegated}/delegations`, {
      recipient: 'agent-7',
      command: 'delegate_task',
      prompt: {
        objective: 'fix it',
        scope: 'libs only',
        artifacts: [{ path: 'src/a.ts', access: 'write' }],
        verification: ['npm test'],
        completion: 'wait for the operator',
      },
    });
    expect(dispatch.status).toBe(201);
    await eventually(
      async () => (await owner('GET', `/v1/approvals/${refund.body.approvalId}`)).status === 200,
      10_000,
      'the approval',
    );
    const checkpoint = (await owner<SignedCheckpoint>('GET', '/v1/ledger/checkpoint')).body;
    const delivery = await eventually(
      async () => (await owner<WebhookDelivery[]>('GET', `/v1/webhooks/${webhook.body.id}/deliveries`)).body[0],
      10_000,
      'a webhook delivery',
    );

    // A draft of the first job type the routes are filled with, without problems (it can be simulated).
    const draft = await owner<{ draftId: string }>('POST', '/v1/workflows/support-recovery/drafts', {
      ...FUZZ_FLOW,
      jobType: 'support-recovery',
    });
    expect(draft.status).toBe(201);

    // A pending change to withdraw: a widening second version of a workflow its proposer owns.
    expect((await owner('POST', '/v1/workflows', FUZZ_FLOW)).status).toBe(201);
    const change = await owner<{ changeId: string }>('POST', '/v1/workflows', {
      ...FUZZ_FLOW,
      version: 2,
      systems: [{ name: 'shop', read: true, write: ['order.note', 'order.close'] }],
    });
    expect(change.status).toBe(202);

    ids = {
      'work-orders': [support, engagement, delegated],
      approvals: [defined(refund.body.approvalId, 'the approval the refund waits for')],
      exceptions: [exceptionId, glass.body.exception.exceptionId],
      'post-reviews': [glass.body.postReview.id],
      receipts: [refund.body.receiptId],
      stepId: ['confirm-customer', 'inspect-case', 'update-order'],
      stageId: ['discovery', 'proposal'],
      conditionId: ['c1'],
      actionId: [inspect.body.actionId, refund.body.actionId],
      taskId: [remediation.body.remediations[0].taskId],
      dispatchId: [dispatch.body.dispatchId],
      recipient: ['agent-7'],
      jobType: ['support-recovery', 'engagement-lifecycle', 'fuzz-flow'],
      // The shipped pattern, published at start (docs/patterns.md).
      name: ['governed-checklist'],
      version: ['1', '2'],
      file: ['dashboard.js', 'chart.umd.min.js'],
      webhooks: [webhook.body.id],
      // A principal id of the principals file, and a signed-in person's form of one (no console session either way).
      principals: ['support-lead', 'ana@example.com'],
      deliveryId: [delivery.deliveryId],
      draftId: [draft.body.draftId],
      changeId: [change.body.changeId],
    };
    valid = validBodies(checkpoint);

    // The document names the API routes; the dashboard and /metrics are left out of it on purpose.
    const documented = await openApiRoutes(t.url);
    const extra = declaredRoutes().filter((d) => !documented.some((r) => routeKey(r) === routeKey(d)));
    routes = [...documented, ...extra];
    before = snapshot();
  });
  afterAll(() => t?.close());
}

export const valuesOf = (route: Route, param: string): string[] => {
  const values = param === 'id' ? ids[route.path.split('/')[2]] : ids[param];
  if (!values?.length) throw new Error(`no real value for {${param}} of ${routeKey(route)}: add one to the fixtures`);
  return values;
};

/** Path parameters for the write routes: well-formed ids of nothing, so only validation is reached and nothing is written. */
export const nothing = (route: Route) =>
  Object.fromEntries(
    route.params.map((p) => [
      p,
      ['id', 'dispatchId', 'taskId', 'deliveryId'].includes(p) ? randomUUID() : valuesOf(route, p)[0],
    ]),
  );
export const typeOf = (key: string) =>
  key === 'POST /v1/events' ? 'application/cloudevents+json' : 'application/json';
export const routeOf = (key: string) => routes.find((r) => routeKey(r) === key)!;
