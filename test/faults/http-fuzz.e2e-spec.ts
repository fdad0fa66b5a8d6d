import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { getMetadataStorage } from 'class-validator';
import fc from 'fast-check';
import { BODY_LIMIT_BYTES } from '../../apps/gateway/http';
import { eventually } from '../support/processes';
import { client, parseJson, writePrincipals } from '../support/principals';
import { startTestWorkgate, TestWorkgate } from '../support/workgate';
import { DeclaredRoute, declaredRoutes, fillPath, openApiRoutes, Route, routeKey } from './http-routes';
import type {
  ActionAnswer,
  BreakGlassAnswer,
  CreatedWebhook,
  DelegationAnswer,
  ExceptionView,
  FieldProblem,
  OpenedAnswer,
  SignedCheckpoint,
  StepAnswer,
  WebhookDelivery,
} from '@workgate/contracts';
import { defined, errorCodeOf, fieldProblemsOf, reasonsOf } from '../support/answers';
import type { ErrorBody } from '../support/answers';

/** Fixed, so a failure replays; small run counts keep the file well under a minute on two cores. */
const SEED = 20_260_517;
const RUNS_PER_ROUTE = 24;
const RUNS_PER_WRITE = 12;

type Step = string | number;
type Edit = { at: Step[]; text?: string; key?: string };

const samePath = (a: Step[], b: Step[]) => a.length === b.length && a.every((s, i) => s === b[i]);

/**
 * JSON text of `value` with one edit at `at`: with `key`, an entry added to the object there;
 * with `text` alone, the value there replaced; with neither, the entry there left out. Written as
 * text, so a `__proto__` key stays a plain own key once parsed, exactly as a client sends it.
 */
function jsonText(value: unknown, edit?: Edit, here: Step[] = []): string {
  const at = edit && samePath(edit.at, here);
  if (at && edit.key === undefined && edit.text !== undefined) return edit.text;
  if (Array.isArray(value)) return `[${value.map((v, i) => jsonText(v, edit, [...here, i])).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const dropped = (k: string) =>
      edit !== undefined && edit.key === undefined && edit.text === undefined && samePath(edit.at, [...here, k]);
    const entries = Object.entries(value)
      .filter(([k]) => !dropped(k))
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v, edit, [...here, k])}`);
    if (at && edit.key !== undefined) entries.push(`${JSON.stringify(edit.key)}:${edit.text}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Paths to every value inside `value` (the root included); `objects` only to plain objects. */
function positions(value: unknown, objects = false, here: Step[] = []): Step[][] {
  const own = !objects || (value !== null && typeof value === 'object' && !Array.isArray(value)) ? [here] : [];
  if (value === null || typeof value !== 'object') return own;
  return [
    ...own,
    ...Object.entries(value).flatMap(([k, v]) =>
      positions(v, objects, [...here, Array.isArray(value) ? Number(k) : k]),
    ),
  ];
}

/** A path as the validation details name it (`evidence[0].kind`). */
const detailPath = (path: Step[]) =>
  path.reduce<string>(
    (acc, s) => (typeof s === 'number' || /^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s),
    '',
  );

const FORBIDDEN = ['__proto__', 'constructor', 'prototype'] as const;
const FIELD_NAMES = [
  'jobType',
  'externalRef',
  'source',
  'inputs',
  'owner',
  'system',
  'operation',
  'kind',
  'facts',
  'objects',
  'stepId',
  'evidence',
  'ref',
  'private',
  'code',
  'rationale',
  'action',
  'artifact',
  'add',
  'reason',
  'decision',
  'permittedAction',
  'conditions',
  'note',
  'resolution',
  'recipient',
  'command',
  'prompt',
  'definition',
  'checkpoint',
  'title',
  'due',
  'outcome',
  'remediation',
  'specversion',
  'id',
  'type',
  'subject',
  'data',
];

/** Leaves as JSON text, with raw numbers JSON.parse turns into edge values (Infinity, -0, an inexact integer). */
const leaf = fc.oneof(
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.constantFrom(
    'true',
    'false',
    'null',
    '1e400',
    '-1e400',
    '-0',
    '9007199254740993',
    '12345678901234567890',
    '0.12345678901234567890',
    '1e999999',
    '""',
    '"x"',
    '"a\\u0000b"',
    '"\\ud800"',
    '"\\udfff x"',
    '{}',
    '[]',
  ),
);

/** Leaves every body may hold: no U+0000, no unpaired surrogate, no number a parse would round. */
const cleanLeaf = fc.oneof(
  fc
    .string({ maxLength: 12 })
    .filter((s) => !s.includes('\u0000'))
    .map((s) => JSON.stringify(s)),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.constantFrom('true', 'false', 'null', '-0', '""', '"x"', '{}', '[]'),
);

/** JSON texts of any shape, with prototype keys and field names the DTOs know among random keys (never one key twice in an object: that is refused on its own). */
function jsonTree(keys: fc.Arbitrary<string>, leaves: fc.Arbitrary<string> = leaf) {
  return fc.letrec<{ node: string; array: string; object: string }>((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaves, tie('array'), tie('object')),
    array: fc.array(tie('node'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    object: fc
      .uniqueArray(fc.tuple(keys, tie('node')), { maxLength: 5, selector: ([k]) => k })
      .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  }));
}
const anyKey = fc.oneof(
  fc.constantFrom(...FORBIDDEN),
  fc.constantFrom(...FIELD_NAMES, 'polluted', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'),
  fc.string({ maxLength: 8 }),
);
const anyTree = jsonTree(anyKey);
/** The same without any key that is refused by name (prototype keys, inherited names), and with clean leaves only. */
const cleanTree = jsonTree(
  fc.oneof(
    fc.constantFrom(...FIELD_NAMES),
    fc.string({ maxLength: 8 }).filter((k) => !(k in Object.prototype) && k !== 'prototype' && !k.includes('\u0000')),
  ),
  cleanLeaf,
);

/**
 * Keys no DTO declares: names every object inherits (class-transformer skips them, so whitelist
 * validation never sees them), case variants of real fields, keys with anything but letters (every
 * DTO property is letters only, apart from `sha256`), and the empty key.
 */
const INHERITED = Object.getOwnPropertyNames(Object.prototype).filter(
  (k) => !(FORBIDDEN as readonly string[]).includes(k),
);
const unknownKey = (known: ReadonlySet<string>) =>
  fc
    .oneof(
      fc.constantFrom(...INHERITED),
      fc.constantFrom(...FIELD_NAMES).map((k) => k.toUpperCase()),
      fc.string({ minLength: 1, maxLength: 12 }).filter((k) => /[^A-Za-z]/.test(k)),
      fc.constant(''),
    )
    .filter((k) => !known.has(k) && !(FORBIDDEN as readonly string[]).includes(k));

/** The refusal of a key, in the words of the body parser / the validation pipe. */
const refusedKey = (key: string) => [`unknown key "${key}"`, `key "${key}" is not allowed`];

/** Path parameter values that are no id at all, sent encoded or raw. */
const JUNK = [
  '',
  ' ',
  '.',
  '..',
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  '%ED%A0%80',
  '%FF',
  'a%00b',
  '%2F',
  '%2e%2e%2f',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1.5',
  '1e400',
  '99999999999999999999999',
  '00000000-0000-0000-0000-000000000000',
  '00000000-0000-4000-8000-000000000000',
  ...FORBIDDEN,
  'toString',
  'hasOwnProperty',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  'x'.repeat(5000),
  '😀',
  '\u202e',
  'index.html',
  '../../package.json',
];
const junkParam = fc
  .oneof(
    fc.constantFrom(...JUNK).map((s) => ({ s, raw: true })),
    fc
      .tuple(
        fc.oneof(
          fc.constantFrom(...JUNK),
          fc.string({ maxLength: 40 }),
          fc.string({ unit: 'grapheme', maxLength: 20 }),
        ),
        fc.boolean(),
      )
      .map(([s, raw]) => ({ s, raw })),
  )
  .map(({ s, raw }) => (raw && !/[/?#]/.test(s) ? s : encodeURIComponent(s)));

const QUERY_NAMES = [
  'stage',
  'source',
  'externalRef',
  'jobType',
  'status',
  'limit',
  'owner',
  'after',
  'before',
  'from',
  'to',
  'asOf',
  'groupBy',
  'evidence',
  'interval',
  'code',
  'overdue',
  'box',
  'filter',
  'since',
];
const QUERY_VALUES = [
  '%00',
  'a%00',
  '%ED%A0%80',
  '%FF',
  '%',
  '1',
  '10',
  '1000',
  '100000',
  '-1',
  'true',
  'open',
  'pending',
  'requested',
  'day',
  'week',
  'version',
  'missing',
  'all',
  'inbox',
  'execute',
  'discovery',
  'support-recovery',
  '2026-01-01T00:00:00Z',
  '2026-13-45',
  'x'.repeat(300),
  '',
];
const queryString = fc
  .array(
    fc.tuple(
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...QUERY_NAMES) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            ...FORBIDDEN,
            'toString',
            'hasOwnProperty',
            '__proto__[polluted]',
            'constructor[prototype][polluted]',
            'a[]',
            'limit[]',
          ),
        },
        { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
      ),
      fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...QUERY_VALUES) },
        { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
      ),
      fc.boolean(),
    ),
    { maxLength: 3 },
  )
  .map((pairs) =>
    pairs.length
      ? `?${pairs.map(([k, v, raw]) => (raw ? `${k}=${v}` : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)).join('&')}`
      : '',
  );

const CONTENT_TYPES = [
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/merge-patch+json',
  'multipart/form-data; boundary=x',
];

interface Body {
  text?: string;
  type?: string;
}

/** What a client may send as a body: the valid one, edits of it (prototype keys, wrong types), any JSON, no JSON, deep JSON, nothing. */
function bodies(valid: unknown, jsonType: string): fc.Arbitrary<Body> {
  const type = fc.oneof(
    { weight: 6, arbitrary: fc.constant(jsonType) },
    fc.constantFrom(...CONTENT_TYPES),
    fc.constant(undefined),
  );
  const text = fc.oneof(
    { weight: 3, arbitrary: fc.oneof(anyTree.object, anyTree.node) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(63, 64, 65, 1000, 100_000).map((n) => `${'{"a":['.repeat(n)}${']}'.repeat(n)}`),
    },
    ...(valid === undefined
      ? []
      : [
          { weight: 1, arbitrary: fc.constant(jsonText(valid)) },
          {
            weight: 3,
            arbitrary: fc
              .tuple(fc.constantFrom(...positions(valid).slice(1)), anyTree.node)
              .map(([at, node]) => jsonText(valid, { at, text: node })),
          },
          // Without one of its entries: a required field missing must be refused, never crash a handler.
          {
            weight: 2,
            arbitrary: fc
              .constantFrom(...positions(valid).filter((at) => typeof at[at.length - 1] === 'string'))
              .map((at) => jsonText(valid, { at })),
          },
          {
            weight: 2,
            arbitrary: fc
              .tuple(fc.constantFrom(...positions(valid, true)), fc.constantFrom(...FORBIDDEN), anyTree.object)
              .map(([at, key, node]) => jsonText(valid, { at, key, text: node })),
          },
        ]),
  );
  return fc.oneof({ weight: 12, arbitrary: fc.record({ text, type }) }, { weight: 1, arbitrary: fc.constant({}) });
}

/** An answer to a fuzzed request: its body is the caller's type once the status says which (`unknown` until then). */
interface Answer<T = unknown> {
  status: number;
  body: T;
  text: string;
}

/** Every own property of the prototypes a merge of a request body could reach, as it was at the start. */
const PROTOTYPES = {
  Object: Object.prototype,
  Array: Array.prototype,
  Function: Function.prototype,
  String: String.prototype,
};
const snapshot = () =>
  Object.entries(PROTOTYPES).map(([name, proto]) => ({
    name,
    proto,
    props: new Map(Reflect.ownKeys(proto).map((k) => [k, Object.getOwnPropertyDescriptor(proto, k)!])),
  }));

/** A readable list of what changed on the prototypes since `before` (empty: untouched). */
function pollution(before: ReturnType<typeof snapshot>): string[] {
  const found: string[] = [];
  for (const { name, proto, props } of before) {
    const now = Reflect.ownKeys(proto);
    for (const key of now) if (!props.has(key)) found.push(`${name}.prototype gained ${String(key)}`);
    for (const [key, was] of props) {
      const is = Object.getOwnPropertyDescriptor(proto, key);
      if (!is || is.value !== was.value || is.get !== was.get || is.set !== was.set)
        found.push(`${name}.prototype.${String(key)} changed`);
    }
  }
  const probe = {} as Record<string, unknown>;
  for (const key of ['polluted', 'isAdmin', 'roles'])
    if (probe[key] !== undefined || ([] as unknown as Record<string, unknown>)[key] !== undefined)
      found.push(`({}).${key} is defined`);
  return found;
}

/**
 * Fuzzes every HTTP route of a running workgate (all services in this process, so a polluted
 * prototype would show here): path parameters (real ids and junk), query strings and bodies.
 * No answer is a 5xx, no prototype changes, an unknown or prototype key anywhere in a valid body
 * is refused with 422, and a body over 1 MiB gets 413.
 */
describe('HTTP fuzzing', () => {
  // One principal with every role, so no refusal of the guard hides what validation does. It is
  // also the owner of the support-recovery approvals, but not their requester.
  const principals = writePrincipals({
    'support-lead': ['integrator', 'operator', 'approver', 'analyst', 'ops-lead', 'admin'],
    helpdesk: ['integrator', 'operator'],
    // Decides the changes support-lead proposes to the workflows it owns.
    'change-reviewer': ['admin', 'approver'],
  });
  let t: TestWorkgate;
  let routes: Route[];
  let ids: Record<string, string[]>;
  let valid: Record<string, unknown>;
  let before: ReturnType<typeof snapshot>;
  let polluter: string | undefined;

  const send = async <T = unknown>(
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
  const check = (what: string, res: Answer) => {
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
      version: ['1', '2'],
      file: ['dashboard.js', 'chart.umd.min.js'],
      webhooks: [webhook.body.id],
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

  /** Write routes that take no body (one sent is not read). */
  const BODILESS = [
    'POST /v1/webhooks/{id}/deliveries/{deliveryId}/retry',
    'POST /v1/workflows/{jobType}/drafts/{draftId}/propose',
    'POST /v1/workflows/{jobType}/changes/{changeId}/withdraw',
  ];

  /** Valid bodies of the write routes, with the free-form maps inside them (any keys are data there). */
  const validBodies = (checkpoint: unknown): Record<string, unknown> => ({
    'POST /v1/work-orders': {
      jobType: 'support-recovery',
      externalRef: 'FUZZ-V',
      source: 'fuzz',
      inputs: { caseId: 'C', orderId: '2', orderPaid: true },
      owner: 'support-lead',
    },
    'POST /v1/work-orders/{id}/actions': {
      system: 'shop',
      operation: 'customer.reply',
      kind: 'write',
      facts: { tone: 'calm' },
      objects: ['order:1'],
      stepId: 'confirm-customer',
    },
    'POST /v1/work-orders/{id}/steps/{stepId}/complete': {
      evidence: [{ kind: 'receipt', ref: 'r-1', sha256: 'a'.repeat(64), private: false, note: 'sent' }],
      note: 'done',
    },
    'POST /v1/work-orders/{id}/steps/{stepId}/block': { code: 'CUSTOMER_UNREACHABLE', rationale: 'no answer' },
    'POST /v1/work-orders/{id}/close': { closureEvidenceId: 'CE-1', evidence: [{ kind: 'closure-note', ref: 'n-1' }] },
    'POST /v1/work-orders/{id}/reopen': { reason: 'the customer wrote again' },
    'POST /v1/work-orders/{id}/stop': { reason: 'the agent gave up' },
    'POST /v1/work-orders/{id}/actions/{actionId}/result': { resultSha256: 'b'.repeat(64), isError: false },
    'POST /v1/work-orders/{id}/break-glass': {
      code: 'CUSTOMER_UNREACHABLE',
      rationale: 'urgent',
      action: { system: 'shop', operation: 'order.note', kind: 'write', facts: { urgent: true }, objects: ['order:1'] },
    },
    'POST /v1/work-orders/{id}/stages/{stageId}/artifact': {
      artifact: { kind: 'requirements-brief', ref: 'DISC-1' },
      evidence: [{ kind: 'doc', ref: 'd-1' }],
    },
    'POST /v1/work-orders/{id}/scope-changes': {
      add: [{ system: 'support-desk', operation: 'refund.recommend', kind: 'write' }],
      reason: 'the client asks',
    },
    'POST /v1/work-orders/{id}/delegations': {
      recipient: 'agent-7',
      command: 'delegate_task',
      prompt: {
        objective: 'fix it',
        scope: 'libs only',
        artifacts: [{ path: 'src/b.ts', access: 'read' }],
        verification: ['npm test'],
        completion: 'wait',
      },
      timeouts: { initialWait: 'PT30M', reminderEvery: 'PT15M', backoff: 2, hardTimeout: 'PT4H' },
    },
    'POST /v1/approvals/{id}/decision': {
      decision: 'conditional',
      permittedAction: { system: 'payments', operation: 'refund', kind: 'write', objects: [] },
      conditions: ['refund under 50'],
      note: 'ok',
    },
    'POST /v1/approvals/{id}/conditions/{conditionId}/close': { evidence: { kind: 'check', ref: 'CHK-1' } },
    'POST /v1/exceptions/{id}/remediations': {
      title: 'train the team',
      owner: 'support-lead',
      due: '2026-12-01T00:00:00Z',
    },
    'POST /v1/exceptions/{id}/remediations/{taskId}/close': { evidence: { kind: 'training-log', ref: 'T-1' } },
    'POST /v1/exceptions/{id}/resolve': {
      resolution: 'customer reached',
      evidence: [{ kind: 'call-log', ref: 'CL-1' }],
    },
    'POST /v1/post-reviews/{id}/complete': {
      outcome: 'justified',
      remediation: { title: 'a fast lane', owner: 'support-lead', due: '2026-12-15T00:00:00Z' },
    },
    'POST /v1/delegations/{dispatchId}/confirm': { note: 'verified' },
    'POST /v1/workflows': { definition: FUZZ_FLOW },
    'POST /v1/workflows/{jobType}/simulate': {
      definition: { ...FUZZ_FLOW, jobType: 'support-recovery' },
      from: '2026-01-01T00:00:00Z',
      to: '2030-01-01T00:00:00Z',
    },
    'POST /v1/workflows/{jobType}/drafts': { definition: { ...FUZZ_FLOW, jobType: 'support-recovery' } },
    'PUT /v1/workflows/{jobType}/drafts/{draftId}': { definition: { ...FUZZ_FLOW, jobType: 'support-recovery' } },
    'POST /v1/workflows/{jobType}/drafts/{draftId}/simulate': {
      from: '2026-01-01T00:00:00Z',
      to: '2030-01-01T00:00:00Z',
    },
    'POST /v1/exception-codes': { code: 'FUZZ_CODE', title: 'A fuzzed code', owner: 'support-lead', sla: 'PT4H' },
    'POST /v1/ledger/verify': { checkpoint },
    'POST /v1/webhooks': {
      url: 'http://127.0.0.1:9/fuzz?x=1',
      events: ['approval.reminder', 'decision'],
      principals: ['support-lead'],
    },
    'POST /v1/events': {
      specversion: '1.0',
      id: 'fuzz-1',
      source: 'fuzz',
      type: 'workgate.workorder.open',
      subject: 'FUZZ-CE',
      data: { jobType: 'support-recovery', inputs: { caseId: 'C', orderId: '3', orderPaid: true } },
    },
  });

  const valuesOf = (route: Route, param: string): string[] => {
    const values = param === 'id' ? ids[route.path.split('/')[2]] : ids[param];
    if (!values?.length) throw new Error(`no real value for {${param}} of ${routeKey(route)}: add one to the fixtures`);
    return values;
  };

  it('enumerates the routes from the OpenAPI document, with a real value for every path parameter', () => {
    expect(routes.length).toBeGreaterThan(45);
    for (const route of routes)
      for (const param of route.params) expect(valuesOf(route, param).length).toBeGreaterThan(0);
    // Every write route with a body has a valid one here, so the refusals below are about the edit.
    expect(
      routes
        .filter((r) => (r.method === 'POST' || r.method === 'PUT') && !BODILESS.includes(routeKey(r)))
        .map(routeKey)
        .sort(),
    ).toEqual(Object.keys(valid).sort());
  });

  it('answers every fuzzed path, query and body of every route with a 2xx or a 4xx in the error body, and leaves the prototypes alone', async () => {
    for (const [i, route] of routes.entries()) {
      const params = fc.record(
        Object.fromEntries(
          route.params.map((p) => [
            p,
            fc.oneof(
              { weight: 3, arbitrary: fc.constantFrom(...valuesOf(route, p)) },
              { weight: 2, arbitrary: junkParam },
            ),
          ]),
        ),
      );
      const body =
        route.method === 'POST' || route.method === 'PUT'
          ? bodies(
              valid[routeKey(route)],
              route.path === '/v1/events' ? 'application/cloudevents+json' : 'application/json',
            )
          : fc.constant<Body>({});
      await fc.assert(
        fc.asyncProperty(params, queryString, body, async (values, query, b) => {
          const path = `${fillPath(route.path, values)}${query}`;
          check(
            `${route.method} ${path} ${b.type ?? ''} ${(b.text ?? '').slice(0, 200)}`,
            await send(route.method, path, b),
          );
        }),
        { seed: SEED + i, numRuns: RUNS_PER_ROUTE },
      );
    }
  });

  it('answers a valid body with any one entry left out, on every combination of real ids, with a 2xx or a 4xx', async () => {
    // Exhaustive rather than sampled: a required object that validation lets through missing
    // reaches the domain only on a real work order at the right stage.
    const combos = (route: Route): Record<string, string>[] =>
      route.params.reduce<Record<string, string>[]>(
        (acc, p) => acc.flatMap((c) => valuesOf(route, p).map((v) => ({ ...c, [p]: v }))),
        [{}],
      );
    for (const [key, body] of Object.entries(valid)) {
      const route = routeOf(key);
      for (const at of positions(body).filter((p) => typeof p[p.length - 1] === 'string')) {
        for (const values of combos(route)) {
          const text = jsonText(body, { at });
          check(
            `${key} ${JSON.stringify(values)} ${text}`,
            await send(route.method, fillPath(route.path, values), { text, type: typeOf(key) }),
          );
        }
      }
    }
  });

  /** Path parameters for the write routes below: well-formed ids of nothing, so only validation is reached and nothing is written. */
  const nothing = (route: Route) =>
    Object.fromEntries(
      route.params.map((p) => [
        p,
        ['id', 'dispatchId', 'taskId', 'deliveryId'].includes(p) ? randomUUID() : valuesOf(route, p)[0],
      ]),
    );
  const typeOf = (key: string) => (key === 'POST /v1/events' ? 'application/cloudevents+json' : 'application/json');
  const routeOf = (key: string) => routes.find((r) => routeKey(r) === key)!;

  it('refuses a __proto__, constructor or prototype key at any depth of a valid body, sent as a real own key, with 422 naming its path', async () => {
    let i = 0;
    for (const [key, body] of Object.entries(valid)) {
      const route = routeOf(key);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...positions(body, true)),
          fc.constantFrom(...FORBIDDEN),
          anyTree.object,
          async (at, forbidden, node) => {
            const text = jsonText(body, { at, key: forbidden, text: node });
            const res = await send<ErrorBody>(route.method, fillPath(route.path, nothing(route)), {
              text,
              type: typeOf(key),
            });
            check(`${key} ${text.slice(0, 200)}`, res);
            if (key === 'POST /v1/events') {
              // A CloudEvent is refused, and kept as a rejection, with the reason naming the path.
              expect({ key, status: res.status, error: res.body.error }).toEqual({
                key,
                status: 422,
                error: 'invalid_event',
              });
              expect(reasonsOf(res.body.details?.[0])).toContain(
                `${detailPath([...at, forbidden])}: key "${forbidden}" is not allowed`,
              );
              return;
            }
            expect({ key, status: res.status, error: res.body.error }).toEqual({
              key,
              status: 422,
              error: 'validation_failed',
            });
            expect(res.body.details).toContainEqual({
              path: detailPath([...at, forbidden]),
              message: `key "${forbidden}" is not allowed`,
            });
          },
        ),
        { seed: SEED + i++, numRuns: RUNS_PER_WRITE },
      );
    }
  });

  /** Where any key is data, not a field: the maps of facts and inputs, a workflow definition's own validator, a checkpoint. */
  const FREE: Record<string, Step[][]> = {
    'POST /v1/work-orders': [['inputs']],
    'POST /v1/work-orders/{id}/actions': [['facts']],
    'POST /v1/work-orders/{id}/break-glass': [['action', 'facts']],
    'POST /v1/ledger/verify': [['checkpoint']],
    // A CloudEvent may carry extension attributes; its data is a command body.
    'POST /v1/events': [[], ['data', 'inputs']],
  };
  /** Routes that keep a definition with its problems (a draft) instead of refusing it. */
  const DRAFTS = ['POST /v1/workflows/{jobType}/drafts', 'PUT /v1/workflows/{jobType}/drafts/{draftId}'];
  const isFree = (key: string, at: Step[]) =>
    (FREE[key] ?? []).some((prefix) => (prefix.length === 0 ? at.length === 0 : prefix.every((s, j) => at[j] === s)));

  it('refuses an unknown key added at any depth of a valid body with 422 naming it', async () => {
    let i = 0;
    for (const [key, body] of Object.entries(valid)) {
      const route = routeOf(key);
      const path = () => fillPath(route.path, nothing(route));
      // The fuzzing saved broken revisions of the draft: the draft simulated is made valid again first.
      if (key === 'POST /v1/workflows/{jobType}/drafts/{draftId}/simulate') {
        const valid = jsonText({ definition: { ...FUZZ_FLOW, jobType: 'support-recovery' } });
        const restored = await send('PUT', `/v1/workflows/support-recovery/drafts/${ids.draftId[0]}`, {
          text: valid,
          type: 'application/json',
        });
        expect(restored.status).toBe(200);
      }
      // The body as it is passes validation, so a refusal below is the added key's doing.
      const baseline = await send(route.method, path(), { text: jsonText(body), type: typeOf(key) });
      expect({
        key,
        status: baseline.status < 500,
        error: ['validation_failed', 'invalid_definition', 'invalid_event'].includes(errorCodeOf(baseline.body) ?? ''),
      }).toEqual({ key, status: true, error: false });
      const known = new Set(
        positions(body)
          .flatMap((at) => at.filter((s): s is string => typeof s === 'string'))
          .concat(FIELD_NAMES, 'sha256'),
      );
      const places = positions(body, true).filter((at) => !isFree(key, at));
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...places), unknownKey(known), cleanTree.node, async (at, extra, node) => {
          const text = jsonText(body, { at, key: extra, text: node });
          const res = await send<ErrorBody>(route.method, path(), { text, type: typeOf(key) });
          check(`${key} ${text.slice(0, 200)}`, res);
          const byName = extra in Object.prototype;
          const inside = detailPath([...at.slice(1), extra]);
          // A draft is kept with its problems: the key is one of them, at its path.
          if (DRAFTS.includes(key) && at[0] === 'definition' && !byName) {
            const kept = res.body as unknown as { problems?: FieldProblem[] };
            expect({ key, status: res.status < 300 }).toEqual({ key, status: true });
            expect(
              (kept.problems ?? []).filter((p) => p.path === inside && refusedKey(extra).includes(p.message)),
            ).toHaveLength(1);
            return;
          }
          // A workflow definition is checked by the policy service, a CloudEvent by intake: their own
          // codes, paths inside. Keys refused by name never get that far: the gateway refuses them.
          const [error, where, problems]: [string, string, FieldProblem[]] =
            at[0] === 'definition' && !byName
              ? ['invalid_definition', inside, fieldProblemsOf(res.body.details)]
              : key === 'POST /v1/events'
                ? [
                    'invalid_event',
                    byName ? detailPath([...at, extra]) : inside ? `data.${inside}` : 'data',
                    (res.body.details ?? [])
                      .flatMap((o) => reasonsOf(o) ?? [])
                      .map((r) => ({
                        path: r.slice(0, r.indexOf(': ')),
                        message: r.slice(r.indexOf(': ') + 2),
                      })),
                  ]
                : ['validation_failed', detailPath([...at, extra]), fieldProblemsOf(res.body.details)];
          expect({ key, status: res.status, error: res.body.error }).toEqual({ key, status: 422, error });
          const named = problems.filter((p) => p.path === where && refusedKey(extra).includes(p.message));
          expect({ key, text: text.slice(0, 300), named: named.length }).toEqual({
            key,
            text: text.slice(0, 300),
            named: 1,
          });
        }),
        { seed: SEED + i++, numRuns: RUNS_PER_WRITE },
      );
    }
  });

  it('refuses an unknown query key with 422 naming it on every route that takes a query', async () => {
    const withQuery = declaredRoutes().filter(
      (r): r is DeclaredRoute & { query: new () => object } => r.query !== undefined,
    );
    expect(withQuery.length).toBeGreaterThan(10);
    let i = 0;
    for (const route of withQuery) {
      const known = new Set(
        getMetadataStorage()
          .getTargetValidationMetadatas(route.query, '', true, false)
          .map((m) => m.propertyName),
      );
      expect(known.size).toBeGreaterThan(0);
      const path = fillPath(route.path, Object.fromEntries(route.params.map((p) => [p, valuesOf(route, p)[0]])));
      expect({ route: routeKey(route), status: (await send('GET', path)).status }).toEqual({
        route: routeKey(route),
        status: 200,
      });
      await fc.assert(
        fc.asyncProperty(
          unknownKey(new Set([...known, ...FORBIDDEN])).filter((k) => k !== ''),
          fc.string({ maxLength: 10 }),
          async (extra, value) => {
            const res = await send<ErrorBody>(
              'GET',
              `${path}?${encodeURIComponent(extra)}=${encodeURIComponent(value)}`,
            );
            check(`${routeKey(route)} ?${extra}=${value}`, res);
            expect({ route: routeKey(route), extra, status: res.status, error: res.body.error }).toEqual({
              route: routeKey(route),
              extra,
              status: 422,
              error: 'validation_failed',
            });
            expect(
              fieldProblemsOf(res.body.details).filter(
                (p) => p.path === detailPath([extra]) && refusedKey(extra).includes(p.message),
              ),
            ).toHaveLength(1);
          },
        ),
        { seed: SEED + i++, numRuns: 6 },
      );
      // The three prototype keys too, which Nest would otherwise drop without a word.
      for (const forbidden of FORBIDDEN) {
        const res = await send<ErrorBody>('GET', `${path}?${forbidden}=1`);
        expect({ route: routeKey(route), forbidden, status: res.status, error: res.body.error }).toEqual({
          route: routeKey(route),
          forbidden,
          status: 422,
          error: 'validation_failed',
        });
      }
    }
  });

  describe('body size', () => {
    /** A JSON body of exactly `bytes` bytes. */
    const sized = (bytes: number) => `{"blob":"${'x'.repeat(bytes - 11)}"}`;

    /** The routes whose body carries a workflow definition take at most 256 KiB (docs/api.md, Conventions (bodies)); the others 1 MiB. */
    const DEFINITION_ROUTES = [
      'POST /v1/workflows',
      'POST /v1/workflows/{jobType}/simulate',
      'POST /v1/workflows/{jobType}/drafts',
      'PUT /v1/workflows/{jobType}/drafts/{draftId}',
    ];
    const limitOf = (route: string) =>
      DEFINITION_ROUTES.includes(route) ? '262144 bytes (256 KiB)' : `${BODY_LIMIT_BYTES} bytes (1 MiB)`;

    it("answers 413 payload_too_large to a body one byte over 1 MiB on every route that takes one, naming the route's limit, before the key is even checked", async () => {
      expect(sized(100)).toHaveLength(100);
      expect(routes.filter((r) => DEFINITION_ROUTES.includes(routeKey(r)))).toHaveLength(DEFINITION_ROUTES.length);
      for (const route of routes.filter((r) => r.method === 'POST')) {
        const path = fillPath(route.path, nothing(route));
        for (const key of [principals.keys['support-lead'], 'no-such-key']) {
          const res = await send(
            'POST',
            path,
            { text: sized(BODY_LIMIT_BYTES + 1), type: typeOf(routeKey(route)) },
            { Authorization: `Bearer ${key}` },
          );
          expect({ route: routeKey(route), status: res.status, body: res.body }).toEqual({
            route: routeKey(route),
            status: 413,
            body: {
              error: 'payload_too_large',
              message: `the request body is larger than ${limitOf(routeKey(route))}`,
            },
          });
        }
      }
    });

    it('takes a body of exactly 1 MiB to validation, and refuses any larger size, compressed or chunked ones included', async () => {
      const open = '/v1/work-orders';
      const exact = await send('POST', open, { text: sized(BODY_LIMIT_BYTES), type: 'application/json' });
      expect(exact).toMatchObject({ status: 422, body: { error: 'validation_failed' } });
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: BODY_LIMIT_BYTES + 1, max: 3 * BODY_LIMIT_BYTES }), async (bytes) => {
          const res = await send('POST', open, { text: sized(bytes), type: 'application/json' });
          expect({ bytes, status: res.status, error: errorCodeOf(res.body) }).toEqual({
            bytes,
            status: 413,
            error: 'payload_too_large',
          });
        }),
        { seed: SEED, numRuns: 4 },
      );
      // A small gzip body that inflates past the limit: the limit is on what is parsed.
      const bomb = gzipSync(sized(2 * BODY_LIMIT_BYTES));
      expect(bomb.length).toBeLessThan(BODY_LIMIT_BYTES / 100);
      const inflated = await fetch(`${t.url}${open}`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${principals.keys['support-lead']}`,
          'Content-Type': 'application/json',
          'Content-Encoding': 'gzip',
        },
        body: bomb,
      });
      expect({ status: inflated.status, body: await inflated.json() }).toMatchObject({
        status: 413,
        body: { error: 'payload_too_large' },
      });
      // No Content-Length: the parser counts what arrives.
      const chunk = Buffer.from('x'.repeat(64 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(Buffer.from('{"blob":"'));
          if (sent > 2 * BODY_LIMIT_BYTES) return controller.close();
          controller.enqueue(chunk);
          sent += chunk.length;
        },
      });
      const chunked = await fetch(`${t.url}${open}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${principals.keys['support-lead']}`, 'Content-Type': 'application/json' },
        body: stream,
        duplex: 'half',
      } as RequestInit);
      expect({ status: chunked.status, body: await chunked.json() }).toMatchObject({
        status: 413,
        body: { error: 'payload_too_large' },
      });
    });
  });

  it('answers headers over 16 KiB with 431 in the error body on every route, with or without a key', async () => {
    for (const route of routes) {
      const path = fillPath(route.path, nothing(route));
      for (const key of [principals.keys['support-lead'], 'no-such-key']) {
        const res = await send(
          route.method,
          path,
          route.method === 'POST' ? { text: '{}', type: 'application/json' } : {},
          { Authorization: `Bearer ${key}`, 'X-Padding': 'p'.repeat(17 * 1024) },
        );
        expect({ route: routeKey(route), status: res.status, body: res.body }).toEqual({
          route: routeKey(route),
          status: 431,
          body: { error: 'headers_too_large', message: 'the request headers are larger than 16 KiB' },
        });
      }
    }
  });

  it('refuses free-form facts and inputs with more than 1,000 keys, or a body of more than 20,000 values, with 422 naming where', async () => {
    const [workOrder] = ids['work-orders'];
    const wide = (keys: number) => Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, i]));
    const facts = await send('POST', `/v1/work-orders/${workOrder}/actions`, {
      text: JSON.stringify({ system: 'shop', operation: 'order.read', kind: 'read', facts: wide(1001) }),
      type: 'application/json',
    });
    check('facts with 1,001 keys', facts);
    expect(facts).toMatchObject({
      status: 422,
      body: { error: 'validation_failed', details: [{ path: 'facts', message: 'has 1001 keys, more than 1000' }] },
    });
    const inputs = await send('POST', '/v1/work-orders', {
      text: JSON.stringify({
        jobType: 'support-recovery',
        externalRef: 'WIDE',
        source: 'fuzz',
        inputs: { caseId: 'c', orderId: 'o', orderPaid: true, list: Array.from({ length: 20_001 }, (_, i) => i) },
      }),
      type: 'application/json',
    });
    check('a body of 20,001 values', inputs);
    expect(inputs).toMatchObject({
      status: 422,
      body: {
        error: 'validation_failed',
        details: [expect.objectContaining({ message: 'holds more than 20000 values in all' })],
      },
    });
    const justUnder = await send('POST', `/v1/work-orders/${workOrder}/actions`, {
      text: JSON.stringify({ system: 'shop', operation: 'order.read', kind: 'read', facts: wide(1000) }),
      type: 'application/json',
    });
    expect(justUnder.status).toBe(201);
  });

  it('leaves Object.prototype and Array.prototype as they were after the whole run', () => {
    expect(pollution(before)).toEqual([]);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual([...before[0].props.keys()].map(String).sort());
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });
});

/** A workflow of its own for publish and simulate. */
const FUZZ_FLOW = {
  jobType: 'fuzz-flow',
  version: 1,
  title: 'Fuzz flow',
  owner: 'support-lead',
  requiredInputs: [{ name: 'caseId' }],
  systems: [{ name: 'shop', read: true, write: ['order.note'] }],
  rules: [{ id: 'refunds-wait', when: 'action.operation == "refund"', decision: 'wait' }],
  steps: [{ id: 'check', title: 'Check', evidence: ['receipt'] }],
  approval: { timeout: 'PT1H' },
  breakGlass: { allowed: true, postReviewDue: 'PT48H', reviewer: 'support-lead' },
  closure: { evidence: ['closure-note'] },
  exceptionCodes: ['CUSTOMER_UNREACHABLE'],
};
