import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { OpenAPIObject, OperationObject } from '@nestjs/swagger';
import { eventually } from '../support/processes';
import { client, writePrincipals } from '../support/principals';
import { startTestWorkgate, TestWorkgate } from '../support/workgate';
import type {
  ActionAnswer,
  ApprovalView,
  ArtifactAnswer,
  BreakGlassAnswer,
  CreatedWebhook,
  DelegationAnswer,
  ExceptionCode,
  ExceptionView,
  OpenedAnswer,
  PostReviewView,
  PublishWorkflowResult,
  ScopeChangeAnswer,
  SignedCheckpoint,
  SimulateResult,
  WorkflowDraft,
  StatusAnswer,
  StepAnswer,
  WebhookDelivery,
  WorkOrderHandoff,
} from '@workgate/contracts';
import type { IngestAnswer } from '../support/answers';
import { defined } from '../support/answers';
import { arrayOf, checked, isString, shaped } from '../support/guards';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
/** The POSTs whose body is a question: they record nothing. */
const READS_BY_POST = [
  'post /v1/workflows/{jobType}/simulate',
  'post /v1/workflows/{jobType}/drafts/{draftId}/simulate',
  'post /v1/ledger/verify',
];

interface Answer<T = unknown> {
  method: string;
  path: string;
  status: number;
  contentType: string;
  text: string;
  body: T;
  /** The `Workgate-Position` header, when the answer carries one. */
  position: string | null;
}

/**
 * The OpenAPI document is the contract: it lints clean with Redocly, and every operation in it,
 * called for real, answers (2xx and 4xx alike) with a status the document lists and a body its
 * schema accepts.
 */
describe('the OpenAPI document', () => {
  let t: TestWorkgate;
  let doc: OpenAPIObject;
  const answers: Answer[] = [];
  const principals = writePrincipals({
    admin: ['admin'],
    helpdesk: ['integrator'],
    agent: ['operator'],
    'support-lead': ['approver'],
    'engagement-lead': ['approver'],
    analyst: ['analyst'],
    lead: ['ops-lead'],
    bot: ['operator'],
  });
  let as: Record<string, Call>;

  beforeAll(async () => {
    // Webhooks may go to loopback here: their deliveries go to a closed local port and fail at once.
    t = await startTestWorkgate({
      env: {
        WORKGATE_PRINCIPALS: principals.path,
        WORKGATE_RATE_LIMIT_PER_MINUTE: '100000',
        WORKGATE_WEBHOOK_ALLOW_PRIVATE: '1',
      },
    });
    const recorded = (key?: string) => {
      const call = client(t.url, key);
      return async <T>(
        method: string,
        path: string,
        body?: unknown,
        headers?: Record<string, string>,
      ): Promise<Answer<T>> => {
        const res = await call<T>(method, path, body, headers);
        const contentType = (res.headers.get('content-type') ?? '').split(';')[0];
        const answer = {
          method: method.toLowerCase(),
          path,
          status: res.status,
          contentType,
          text: res.text,
          body: res.body,
          position: res.headers.get('workgate-position'),
        };
        answers.push(answer);
        return answer;
      };
    };
    as = {
      anonymous: recorded(),
      ...Object.fromEntries(Object.entries(principals.keys).map(([id, key]) => [id, recorded(key)])),
    };
    doc = await (await fetch(`${t.url}/docs-json`)).json();
  });
  afterAll(() => t?.close());

  it('lints with Redocly with zero errors', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wg-openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const cli = require.resolve('@redocly/cli/bin/cli.js');
    // Exits non-zero when it finds errors: the report is on stdout either way.
    const run: { stdout: string } = await promisify(execFile)(
      process.execPath,
      [cli, 'lint', file, '--format=json', `--config=${join(__dirname, '..', '..', 'redocly.yaml')}`],
      {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    ).catch((e: { stdout: string }) => e);
    const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{')));
    const problems = checked(
      report.problems,
      arrayOf(shaped({ severity: isString, ruleId: isString, message: isString })),
      "redocly's problems",
    ).map((p) => `${p.severity} ${p.ruleId}: ${p.message}`);
    expect(problems.filter((p) => p.startsWith('error'))).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('is OpenAPI 3.1 with a bearer API key (not a JWT) and a summary on every operation', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components?.securitySchemes).toEqual({
      apiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    expect(JSON.stringify(doc)).not.toContain('JWT');
    const missing = operations(doc)
      .filter(({ operation }) => !operation.summary)
      .map(({ method, path }) => `${method} ${path}`);
    expect(missing).toEqual([]);
  });

  it('answers every operation as documented, 2xx and 4xx', async () => {
    await walkEveryRoute(as, t);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ ...doc, $id: 'openapi.json' });
    const templates = operations(doc);
    const problems: string[] = [];
    const seen = new Map<string, Set<string>>();
    const writes = new Set<string>();
    for (const answer of answers) {
      const pathOnly = answer.path.split('?')[0];
      const op = templates.find((o) => o.method === answer.method && o.pattern.test(pathOnly));
      if (!op) {
        problems.push(`${answer.method} ${pathOnly}: not in the document`);
        continue;
      }
      const key = `${op.method} ${op.path}`;
      seen.set(key, (seen.get(key) ?? new Set()).add(String(answer.status)[0]));
      const response = op.operation.responses[String(answer.status)];
      if (!response) {
        problems.push(
          `${key} answered ${answer.status} (${answer.text.slice(0, 120)}), which the document does not list`,
        );
        continue;
      }
      if ('$ref' in response) {
        problems.push(`${key} ${answer.status}: the response is a $ref, which this check does not follow`);
        continue;
      }
      // Every write that succeeds names the ledger position of its commit (docs/api.md, Conventions (read your writes)), as its
      // document says; the webhooks' writes are outside the ledger (0); POSTs that only read, none.
      if (answer.status < 300 && answer.method !== 'get') {
        if (READS_BY_POST.includes(key)) {
          if (answer.position !== null || response.headers?.['Workgate-Position'])
            problems.push(`${key} ${answer.status}: a read answered or documents a Workgate-Position`);
        } else {
          if (!response.headers?.['Workgate-Position'])
            problems.push(`${key} ${answer.status}: the document names no Workgate-Position for this write`);
          if (!(op.path.startsWith('/v1/webhooks') ? /^0$/ : /^[1-9]\d*$/).test(answer.position ?? ''))
            problems.push(`${key} ${answer.status}: answered Workgate-Position ${answer.position}`);
          writes.add(key);
        }
      }
      const content = response.content ?? {};
      if (answer.text === '' && Object.keys(content).length === 0) continue;
      const media = content[answer.contentType];
      if (!media) {
        problems.push(
          `${key} ${answer.status} answered ${answer.contentType}, the document lists ${Object.keys(content).join(', ') || 'no body'}`,
        );
        continue;
      }
      if (answer.contentType !== 'application/json') continue;
      const at = `openapi.json#/paths/${pointer(op.path)}/${op.method}/responses/${answer.status}/content/${pointer(answer.contentType)}/schema`;
      const validate = ajv.getSchema(at) ?? ajv.compile({ $ref: at });
      if (!validate(answer.body))
        problems.push(
          `${key} ${answer.status}: ${ajv.errorsText(validate.errors, { separator: '; ' })} in ${answer.text.slice(0, 200)}`,
        );
    }
    for (const { method, path } of templates) {
      const classes = seen.get(`${method} ${path}`) ?? new Set();
      if (!classes.has('2')) problems.push(`${method} ${path}: no 2xx answer was checked`);
      if (!classes.has('4')) problems.push(`${method} ${path}: no 4xx answer was checked`);
    }
    expect(problems).toEqual([]);
    // Every operation but GET and the reads by POST is a write, and each was checked above.
    expect([...writes].sort()).toEqual(
      templates
        .map((o) => `${o.method} ${o.path}`)
        .filter((k) => !k.startsWith('get ') && !READS_BY_POST.includes(k))
        .sort(),
    );
    expect(answers.length).toBeGreaterThan(2 * templates.length);
  });
});

function pointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function operations(
  doc: OpenAPIObject,
): Array<{ method: string; path: string; pattern: RegExp; operation: OperationObject }> {
  const found = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const pattern = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
      found.push({ method, path, pattern, operation, params: (path.match(/\{/g) ?? []).length });
    }
  }
  // Literal segments before parameters: /v1/workflows/{jobType}/simulate is not /v1/workflows/{jobType}.
  return found.sort((a, b) => a.params - b.params);
}

type Call = <T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<Answer<T>>;

/** Calls every route of the API at least once with success and once with a refusal, in the order a real day needs them. */
async function walkEveryRoute(as: Record<string, Call>, t: TestWorkgate): Promise<void> {
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
  const unknownId = '00000000-0000-4000-8000-000000000000';

  // Operations: health and metrics need no key; a URL with U+0000 is refused.
  await ok(as.anonymous('GET', '/health'));
  await ok(as.anonymous('GET', '/metrics'));
  await refused(as.anonymous('GET', '/health?x=%00'), 422);
  await refused(as.anonymous('GET', '/metrics?x=%00'), 422);
  await refused(as.anonymous('GET', '/health', undefined, { 'X-Padding': 'p'.repeat(17 * 1024) }), 431);

  // A webhook for every notification: the walk below makes its deliveries.
  const webhook = await ok(
    as.admin<CreatedWebhook>('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['*'] }),
    201,
  );
  await refused(as.admin('POST', '/v1/webhooks', { url: 'ftp://127.0.0.1/hook', events: ['*'] }), 422);

  // Workflows and the exception-code catalog.
  const yaml = readFileSync(join(__dirname, '..', '..', 'workflows', 'support-recovery.yaml'), 'utf8');
  await ok(
    as.admin<PublishWorkflowResult>('POST', '/v1/workflows', yaml.replace(/^version: \d+/m, 'version: 2'), {
      'Content-Type': 'application/yaml',
    }),
    201,
  );
  await refused(as.admin('POST', '/v1/workflows', 'x', { 'Content-Type': 'text/plain' }), 415);
  await refused(
    as.admin('POST', '/v1/workflows', yaml.replace(/^title: .*$/m, 'title: Changed'), {
      'Content-Type': 'application/yaml',
    }),
    409,
  );
  await ok(as.analyst('GET', '/v1/workflows'));
  await refused(as.anonymous('GET', '/v1/workflows'), 401);
  await ok(as.analyst('GET', '/v1/workflows/support-recovery'));
  await refused(as.analyst('GET', '/v1/workflows/no-such-job'), 404);
  await ok(as.analyst('GET', '/v1/workflows/support-recovery/versions/1'));
  await refused(as.analyst('GET', '/v1/workflows/support-recovery/versions/99'), 404);
  await ok(as.analyst('GET', '/v1/workflows/support-recovery/versions/1/map'), 200);
  await refused(as.analyst('GET', '/v1/workflows/support-recovery/versions/99/map'), 404);
  await ok(
    as.analyst<SimulateResult>('POST', '/v1/workflows/support-recovery/simulate', {
      definition: yaml.replace(/^version: \d+/m, 'version: 3'),
    }),
    200,
  );
  await refused(as.analyst('POST', '/v1/workflows/support-recovery/simulate', {}), 422);
  // Drafts, diffs and a proposal that widens the version in force (202: it waits for support-lead).
  const widening = yaml
    .replace(/^version: \d+/m, 'version: 3')
    .replace('write: [case.note]', 'write: [case.note, case.close]');
  const draft = await ok(
    as.admin<WorkflowDraft>('POST', '/v1/workflows/support-recovery/drafts', widening, {
      'Content-Type': 'application/yaml',
    }),
    201,
  );
  await refused(as.admin('POST', '/v1/workflows/support-recovery/drafts', 'x', { 'Content-Type': 'text/plain' }), 415);
  await ok(as.analyst('GET', '/v1/workflows/support-recovery/drafts'), 200);
  await refused(as.anonymous('GET', '/v1/workflows/support-recovery/drafts'), 401);
  await ok(as.analyst('GET', `/v1/workflows/support-recovery/drafts/${draft.draftId}`), 200);
  await refused(as.analyst('GET', `/v1/workflows/support-recovery/drafts/${unknownId}`), 404);
  await ok(
    as.admin('PUT', `/v1/workflows/support-recovery/drafts/${draft.draftId}`, widening, {
      'Content-Type': 'application/yaml',
    }),
    200,
  );
  await refused(
    as.admin('PUT', `/v1/workflows/support-recovery/drafts/${unknownId}`, widening, {
      'Content-Type': 'application/yaml',
    }),
    404,
  );
  await ok(as.analyst('POST', `/v1/workflows/support-recovery/drafts/${draft.draftId}/simulate`, {}), 200);
  await refused(
    as.analyst('POST', `/v1/workflows/support-recovery/drafts/${draft.draftId}/simulate`, { from: 'yesterday' }),
    422,
  );
  await ok(as.analyst('GET', `/v1/workflows/support-recovery/diff?from=1&to=${draft.draftId}`), 200);
  await refused(as.analyst('GET', '/v1/workflows/support-recovery/diff?from=1&to=99'), 404);
  const proposed = await ok(
    as.admin<{ changeId: string }>('POST', `/v1/workflows/support-recovery/drafts/${draft.draftId}/propose`),
    202,
  );
  await refused(as.admin('POST', `/v1/workflows/support-recovery/drafts/${unknownId}/propose`), 404);
  await ok(as.analyst('GET', '/v1/workflows/support-recovery/change-deciders'), 200);
  await refused(as.analyst('GET', '/v1/workflows/no-such-job/change-deciders'), 404);
  const withdraw = (changeId: string) =>
    as.admin('POST', `/v1/workflows/support-recovery/changes/${changeId}/withdraw`);
  await ok(withdraw(proposed.changeId), 200);
  await refused(withdraw(proposed.changeId), 409);
  await refused(withdraw(unknownId), 404);
  await ok(as.lead('GET', '/v1/exception-codes'));
  await refused(as.anonymous('GET', '/v1/exception-codes'), 401);
  await ok(
    as.admin<ExceptionCode>('POST', '/v1/exception-codes', {
      code: 'VENDOR_LATE',
      title: 'Vendor is late',
      owner: 'lead',
      sla: 'PT24H',
    }),
  );
  await refused(
    as.admin('POST', '/v1/exception-codes', { code: 'lower', title: 'x', owner: 'lead', sla: 'PT1H' }),
    422,
  );

  // A work order: open, list, state, events, delivery (JSON and HTML).
  const inputs = { caseId: 'C-1', orderId: 'O-1', orderPaid: true };
  const opened = await ok(
    as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: 'OA-1',
      source: 'helpdesk',
      inputs,
    }),
    201,
  );
  const id: string = opened.id;
  await refused(
    as.helpdesk('POST', '/v1/work-orders', { jobType: 'support-recovery', externalRef: 'OA-2', source: 'helpdesk' }),
    422,
  );
  await ok(as.helpdesk('GET', '/v1/work-orders?source=helpdesk&externalRef=OA-1'));
  await refused(as.helpdesk('GET', '/v1/work-orders?status=nope'), 422);
  await ok(as.helpdesk('GET', `/v1/work-orders/${id}`));
  await refused(as.helpdesk('GET', `/v1/work-orders/${unknownId}`), 404);
  await ok(as.lead('GET', `/v1/work-orders/${id}/events`));
  await refused(as.helpdesk('GET', `/v1/work-orders/${id}/events`), 403);
  await ok(as.helpdesk('GET', `/v1/work-orders/${id}/delivery`));
  await ok(as.helpdesk('GET', `/v1/work-orders/${id}/delivery`, undefined, { Accept: 'text/html' }));
  await refused(as.helpdesk('GET', `/v1/work-orders/${unknownId}/delivery`), 404);
  await ok(as.lead('GET', `/v1/work-orders/${id}/proof`));
  await ok(as.helpdesk('GET', `/v1/work-orders/${id}/proof?public=true`));
  await refused(as.helpdesk('GET', `/v1/work-orders/${id}/proof`), 403);
  await refused(as.lead('GET', `/v1/work-orders/${unknownId}/proof`), 404);
  await refused(as.lead('GET', `/v1/work-orders/${id}/proof?public=yes`), 422);
  await ok(as.agent('GET', `/v1/work-orders/${id}/decisions`));
  await refused(as.agent('GET', `/v1/work-orders/${unknownId}/decisions`), 404);
  await refused(as.helpdesk('GET', `/v1/work-orders/${id}/decisions`), 403);
  await ok(as.helpdesk('GET', '/v1/me'));
  await refused(as.anonymous('GET', '/v1/me'), 401);

  // Actions: run, and wait for the named owner; the approval queue, decisions, receipts.
  const note = await ok(
    as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      system: 'helpdesk',
      operation: 'case.note',
      kind: 'write',
    }),
    201,
  );
  await refused(as.agent('POST', `/v1/work-orders/${id}/actions`, { system: 'helpdesk', kind: 'write' }), 422);
  await ok(as.agent('GET', `/v1/receipts/${note.receiptId}`));
  await ok(
    as.agent('POST', `/v1/work-orders/${id}/actions/${note.actionId}/result`, { resultSha256: 'c'.repeat(64) }),
    201,
  );
  await refused(
    as.agent('POST', `/v1/work-orders/${id}/actions/${note.actionId}/result`, { resultSha256: 'not a hash' }),
    422,
  );
  await refused(as.agent('GET', `/v1/receipts/${unknownId}`), 404);
  const refund = { system: 'payments', operation: 'refund', kind: 'write' as const };
  const waiting = await ok(as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, refund), 201);
  await ok(as['support-lead']('GET', '/v1/approvals?owner=support-lead'));
  await refused(as['support-lead']('GET', '/v1/approvals?limit=x'), 422);
  await ok(as['support-lead']('GET', '/v1/approvals?owner=support-lead&status=pending&limit=1'));
  await refused(as['support-lead']('GET', '/v1/approvals?limit=0'), 422);
  await refused(as['support-lead']('GET', '/v1/approvals?after=not*a*cursor'), 422);
  await refused(as['support-lead']('GET', '/v1/approvals?after=bm90LWEtY3Vyc29y'), 422);
  await ok(as['support-lead']('GET', `/v1/approvals/${waiting.approvalId}`));
  await ok(as.agent('GET', `/v1/approvals/${waiting.approvalId}`));
  await refused(as.analyst('GET', `/v1/approvals/${waiting.approvalId}`), 403);
  await refused(as['support-lead']('POST', `/v1/approvals/${waiting.approvalId}/decision`, { decision: 'maybe' }), 422);
  await ok(
    as['support-lead']<ApprovalView>('POST', `/v1/approvals/${waiting.approvalId}/decision`, {
      decision: 'conditional',
      permittedAction: refund,
      conditions: [{ id: 'c1', title: 'refund capped at 50' }],
    }),
  );
  await refused(
    as['support-lead']('POST', `/v1/approvals/${waiting.approvalId}/conditions/c9/close`, {
      evidence: { kind: 'memo', ref: 'm' },
    }),
    404,
  );
  await ok(
    as['support-lead']<ApprovalView>('POST', `/v1/approvals/${waiting.approvalId}/conditions/c1/close`, {
      evidence: { kind: 'memo', ref: 'm' },
    }),
  );

  // Steps, a blocked step's exception, remediations, resolution.
  await ok(as.agent('POST', `/v1/work-orders/${id}/steps/inspect-case/complete`, { evidence: [] }));
  await refused(as.agent('POST', `/v1/work-orders/${id}/steps/no-such-step/complete`, { evidence: [] }), 404);
  const blocked = await ok(
    as.agent<StepAnswer>('POST', `/v1/work-orders/${id}/steps/confirm-customer/block`, {
      code: 'CUSTOMER_UNREACHABLE',
      rationale: 'no answer',
    }),
    201,
  );
  await refused(
    as.agent('POST', `/v1/work-orders/${id}/steps/confirm-customer/block`, { code: 'NOT_A_CODE', rationale: 'x' }),
    422,
  );
  const exceptionId = defined(blocked.exception, 'exception of the blocked step').exceptionId;
  await ok(as.agent('GET', `/v1/exceptions/${exceptionId}`));
  await refused(as.agent('GET', `/v1/exceptions/${unknownId}`), 404);
  const withTask = await ok(
    as.agent<ExceptionView>('POST', `/v1/exceptions/${exceptionId}/remediations`, {
      title: 'call twice a day',
      owner: 'agent',
      due: 'P2D',
    }),
    201,
  );
  await refused(
    as.agent('POST', `/v1/exceptions/${exceptionId}/remediations`, { title: 'x', owner: 'agent', due: 'soon' }),
    422,
  );
  const taskId: string = withTask.remediations[0].taskId;
  await ok(
    as.agent<ExceptionView>('POST', `/v1/exceptions/${exceptionId}/remediations/${taskId}/close`, {
      evidence: { kind: 'call-log', ref: 'l' },
    }),
  );
  await refused(
    as.agent('POST', `/v1/exceptions/${exceptionId}/remediations/${taskId}/close`, {
      evidence: { kind: 'call-log', ref: 'l' },
    }),
    409,
  );
  await ok(as.agent('GET', '/v1/exceptions?owner=lead'));
  await ok(as.agent('GET', '/v1/exceptions?escalatedTo=lead'));
  await refused(as.agent('GET', '/v1/exceptions?status=closed'), 422);
  await ok(as.agent('POST', `/v1/exceptions/${exceptionId}/resolve`, { resolution: 'reached by email' }));
  await refused(as.agent('POST', `/v1/exceptions/${exceptionId}/resolve`, { resolution: 'again' }), 409);

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
  for (const view of [
    'closures',
    'exception-codes/top',
    'exception-trends',
    'stall-rates',
    'post-reviews',
    'first-time-fix',
    'approvals',
    'evidence-completeness',
    'steps',
    'step-exceptions',
    'gates',
    'rules',
    'exception-codes',
    'exceptions',
  ]) {
    await ok(as.analyst('GET', `/v1/views/${view}?groupBy=version`));
    await ok(as.analyst('GET', `/v1/views/${view}`, undefined, { Accept: 'text/csv' }));
    await refused(as.analyst('GET', `/v1/views/${view}?from=yesterday`), 422);
  }
  await ok(as.analyst('GET', '/v1/views/exceptions?escalated=true&status=open'));
  await refused(as.analyst('GET', '/v1/views/exceptions?escalated=yes'), 422);

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
  await ok(as.admin('GET', `/v1/webhooks/${webhook.id}`));
  await refused(as.admin('GET', `/v1/webhooks/${unknownId}`), 404);
  const deliveries = await eventually(
    async () => {
      const list = await ok(as.lead<WebhookDelivery[]>('GET', `/v1/webhooks/${webhook.id}/deliveries`));
      return list.length > 0 ? list : undefined;
    },
    10_000,
    'a webhook delivery',
  );
  await refused(as.lead('GET', `/v1/webhooks/${unknownId}/deliveries`), 404);
  await ok(as.admin('POST', `/v1/webhooks/${webhook.id}/deliveries/${deliveries[0].deliveryId}/retry`), 202);
  await refused(as.admin('POST', `/v1/webhooks/${webhook.id}/deliveries/${unknownId}/retry`), 404);
  await ok(as.admin('DELETE', `/v1/webhooks/${webhook.id}`));
  await refused(as.admin('DELETE', `/v1/webhooks/${webhook.id}`), 404);
  expect(t.url).toBeTruthy();
}
