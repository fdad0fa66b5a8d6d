import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, headers as natsHeaders, NatsConnection, Subscription } from 'nats';
import { workOrderIdFor } from '../../apps/intake/work-orders.service';
import { freshDatabase, TestDatabase } from '../support/database';
import { urgentFix } from '../support/fixtures';
import { freePort, startNatsServer, TestNatsServer } from '../support/nats-server';
import { client, writePrincipals } from '../support/principals';
import { eventually, ServiceProcess, startBuiltWorkgate } from '../support/processes';
import type {
  ActionAnswer,
  ApprovalView,
  ArtifactAnswer,
  BreakGlassAnswer,
  DelegationAnswer,
  DelegationView,
  DeliveryPage,
  ExceptionRef,
  ExceptionView,
  OpenedAnswer,
  PostReviewView,
  PublishWorkflowResult,
  ReadAllResult,
  Receipt,
  RecordedEvent,
  RejectionsPage,
  ScopeChangeAnswer,
  StatusAnswer,
  StepAnswer,
  WorkOrderHandoff,
  WorkOrderListItem,
  WorkflowSummary,
} from '@workgate/contracts';
import type { IngestAnswer } from '../support/answers';
import { defined, openedBy } from '../support/answers';

/**
 * Canary secrets: unique strings, credential-shaped (`password=…`, `Bearer …`, an AWS-like key, a
 * URL with user:password) and plain, sent through every input workgate takes — work-order inputs
 * and facts, evidence refs and notes (private or not), step notes, block and break-glass
 * rationales, closure notes and reopen reasons, exception resolutions, remediation titles,
 * post-review outcomes, approval notes and conditions, stage artifacts, scope-change reasons,
 * delegation prompts and confirmations, CloudEvents over HTTP and over NATS (structured and binary),
 * refused and malformed bodies, headers, query strings, wrong API keys, and the process's own
 * configuration (database password, NATS credentials). Identifiers (ids, codes, step and stage ids,
 * job types, sources, external refs) are names the caller chose and are echoed by design: no
 * canary goes there.
 * Workgate runs as its own process (`node dist/cli/start.js`) at LOG_LEVEL=debug.
 *
 * Surfaces, and where a canary may appear:
 * - logs (everything the process writes), notifications (`workgate.notify.>`), the delivery page
 *   (JSON and HTML) and every 4xx body: never. These are read by people and systems that never
 *   need the secret (log shippers, chat bridges, clients, proxies logging error bodies).
 * - the broad views every principal may read — the state handoff, the work-orders list, exception
 *   and post-review views, the analysts' views: never a credential-shaped canary (masked), and a
 *   plain one only where it is the field the view shows by design (an exception's rationale, a
 *   scope change's reason, an approval condition, a remediation title). Inputs, facts, evidence,
 *   notes and prompts never reach them.
 * - receipts for a principal without ops-lead: the non-private evidence of the receipt (it is the
 *   evidence itself); private evidence never.
 * - approval views for approvers: the conditions the approver wrote; the decision note never.
 * - MAY appear, as the evidence itself: the ledger events of a work order for ops-lead (private
 *   evidence included — asserted present, which also proves every canary got in), and the raw
 *   payload of a refused event for integrators and ops leads (asserted present too).
 */

type Surface = 'logs' | 'notifications' | 'delivery' | 'errors' | 'views' | 'receipts' | 'approvals';

interface Canary {
  label: string;
  /** What is searched for (case-insensitively): the secret part of what was sent. */
  token: string;
  /** What was sent. */
  text: string;
  /** Surfaces where this canary may appear (see above). */
  allowed: Surface[];
  /** Sent in a command the ledger records: must be in the ops lead's ledger events. */
  recorded: boolean;
  /** Sent in a refused event: must be in the raw rejections. */
  rejected: boolean;
}

const canaries: Canary[] = [];
const hex = (n: number) => randomBytes(n).toString('hex');
function canary(
  label: string,
  shape: 'password' | 'bearer' | 'aws' | 'url' | 'plain',
  options: { allowed?: Surface[]; recorded?: boolean; rejected?: boolean } = {},
): string {
  const token =
    shape === 'aws'
      ? `AKIA${randomBytes(10)
          .toString('base64')
          .replace(/[^A-Za-z0-9]/g, '')
          .toUpperCase()
          .padEnd(16, 'Q')
          .slice(0, 16)}`
      : `cy${hex(8)}`;
  const text = {
    password: `password=${token}`,
    bearer: `Bearer ${token}`,
    aws: token,
    url: `https://svc-export:${token}@files.example.com/export.csv`,
    plain: token,
  }[shape];
  canaries.push({
    label,
    token,
    text,
    allowed: options.allowed ?? [],
    recorded: options.recorded ?? true,
    rejected: options.rejected ?? false,
  });
  return text;
}

/** What a surface showed: `where` says which answer or stream it was (for the failure message only). */
interface Shown {
  where: string;
  text: string;
}

/** Canaries found in what `surface` showed where it does not allow them, each with where and around what. */
function leaks(surface: Surface, shown: Shown[]): string[] {
  return shown.flatMap(({ where, text }) => {
    const lower = text.toLowerCase();
    return canaries
      .filter((c) => !c.allowed.includes(surface) && lower.includes(c.token.toLowerCase()))
      .map((c) => {
        const at = lower.indexOf(c.token.toLowerCase());
        return `${surface}: ${c.label} (${where}) …${text.slice(Math.max(0, at - 80), at + c.token.length + 20)}…`;
      });
  });
}

const showing = (shown: Shown[]) => shown.map((s) => s.text).join('\n');

/** The ids a command's answer may carry: its receipt, the exceptions it raised, the post-review it opened. */
interface AnswerIds {
  receiptId?: string;
  exception?: ExceptionRef;
  exceptions?: ExceptionRef[];
  postReview?: { id: string };
}

describe('faults: canary secrets never leak', () => {
  let nats: TestNatsServer;
  let db: TestDatabase;
  let nc: NatsConnection;
  let proc: ServiceProcess;
  let dataDir: string;
  let url: string;
  let notifySub: Subscription;
  const notifications: string[] = [];
  /** What each surface showed. */
  const seen: Record<Surface, Shown[]> = {
    logs: [],
    notifications: [],
    delivery: [],
    errors: [],
    views: [],
    receipts: [],
    approvals: [],
  };
  const serverErrors: string[] = [];
  const principals = writePrincipals({
    helpdesk: ['integrator'],
    agent: ['operator'],
    'support-lead': ['approver', 'operator'],
    'engagement-lead': ['approver'],
    'security-lead': ['approver'],
    'agent-x': ['operator'],
    lead: ['ops-lead'],
    analyst: ['analyst'],
    admin: ['admin'],
  });
  type Call = <T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<{ request: string; status: number; body: T; text: string }>;
  let as: Record<string, Call>;
  /** Calls as a principal (or with `key`), keeping every 4xx body for the error check and every 5xx as a defect. */
  const caller =
    (key: string | undefined): Call =>
    async <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
      const res = { request: `${method} ${path}`, ...(await client(url, key)<T>(method, path, body, headers)) };
      if (res.status >= 500) serverErrors.push(`${method} ${path} -> ${res.status} ${res.text}`);
      else if (res.status >= 400) seen.errors.push({ where: `${res.request} -> ${res.status}`, text: res.text });
      return res;
    };
  const ok = <T extends { request: string; status: number; text: string }>(res: T, status: number): T => {
    const seenAs = { request: res.request, answer: res.text.slice(0, 500) };
    expect({ ...seenAs, status: res.status }).toEqual({ ...seenAs, status });
    return res;
  };
  const ids: Record<'workOrders' | 'receipts' | 'exceptions' | 'postReviews', string[]> = {
    workOrders: [],
    receipts: [],
    exceptions: [],
    postReviews: [],
  };

  // The process's own configuration carries secrets too: a database password and NATS credentials.
  const dbPassword = canary('DATABASE_URL password', 'plain', { recorded: false });
  const natsPassword = canary('NATS_URL password', 'plain', { recorded: false });

  beforeAll(async () => {
    nats = await startNatsServer();
    db = await freshDatabase();
    nc = await connect({ servers: nats.url });
    notifySub = nc.subscribe('workgate.notify.>', {
      callback: (_e, m) => notifications.push(new TextDecoder().decode(m.data)),
    });
    dataDir = mkdtempSync(join(tmpdir(), 'wg-canary-'));
    const port = await freePort();
    const dbUrl = new URL(db.url);
    dbUrl.password = dbPassword;
    const natsUrl = new URL(nats.url);
    natsUrl.username = 'workgate';
    natsUrl.password = natsPassword;
    proc = await startBuiltWorkgate({
      DATABASE_URL: dbUrl.toString(),
      NATS_URL: natsUrl.toString(),
      PORT: String(port),
      LOG_LEVEL: 'debug',
      WORKGATE_PRINCIPALS: principals.path,
      WORKGATE_DATA_DIR: dataDir,
    });
    url = `http://127.0.0.1:${port}`;
    as = Object.fromEntries(Object.entries(principals.keys).map(([id, key]) => [id, caller(key)]));
  });
  afterAll(async () => {
    notifySub?.unsubscribe();
    await proc?.kill('SIGKILL');
    await nc?.close();
    await db?.drop();
    await nats?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const publish = async (
    source: string,
    id: string,
    body: Uint8Array | string,
    headers: Record<string, string> = {},
  ) => {
    const h = natsHeaders();
    h.set('Nats-Msg-Id', `${source}:${id}`);
    for (const [k, v] of Object.entries(headers)) h.set(k, v);
    await nc
      .jetstream()
      .publish(`workgate.events.${source}`, typeof body === 'string' ? new TextEncoder().encode(body) : body, {
        headers: h,
      });
  };
  const ce = (source: string, id: string, type: string, subject: string, data: unknown) => ({
    specversion: '1.0',
    id,
    source,
    type,
    subject,
    data,
  });
  const events = async (workOrderId: string) =>
    (await as.lead<RecordedEvent[]>('GET', `/v1/work-orders/${workOrderId}/events`)).body;
  /** Keeps the receipt, exception and post-review ids of a command's answer, to read those views later. */
  const remember = <T extends AnswerIds>(answer: T): T => {
    if (typeof answer.receiptId === 'string') ids.receipts.push(answer.receiptId);
    if (answer.exception?.exceptionId) ids.exceptions.push(answer.exception.exceptionId);
    for (const e of answer.exceptions ?? []) if (e.exceptionId) ids.exceptions.push(e.exceptionId);
    if (answer.postReview?.id) ids.postReviews.push(answer.postReview.id);
    return answer;
  };

  it('runs every input with canaries through the process', async () => {
    // --- workflows for break-glass with a post-review that falls due at once
    ok(
      await as.admin<PublishWorkflowResult>('POST', '/v1/workflows', {
        definition: urgentFix('canary-urgent'),
      }),
      201,
    );

    // --- HTTP: a prerequisite that fails on a secret-bearing value
    const prereq = ok(
      await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'support-recovery',
        externalRef: 'CANARY-PREREQ',
        source: 'helpdesk',
        inputs: {
          caseId: 'C-1',
          orderId: '1',
          orderPaid: canary('inputs.orderPaid (a failing prerequisite)', 'password'),
        },
      }),
      201,
    );
    expect(prereq.body).toMatchObject({ status: 'blocked', exceptions: [{ code: 'PREREQ_MISSING' }] });
    ids.workOrders.push(prereq.body.id);
    remember(prereq.body);

    // --- HTTP: open, actions with secret facts, steps with evidence, blocks with rationales
    const opened = ok(
      await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'support-recovery',
        externalRef: 'CANARY-1',
        source: 'helpdesk',
        inputs: {
          caseId: 'C-2',
          orderId: '2',
          orderPaid: true,
          customerEmail: canary('inputs.customerEmail', 'plain'),
          shopToken: canary('inputs.shopToken', 'bearer'),
          exportUrl: canary('inputs.exportUrl', 'url'),
        },
      }),
      201,
    );
    const wo = opened.body.id;
    ids.workOrders.push(wo);
    remember(
      ok(
        await as.agent<ActionAnswer>(
          'POST',
          `/v1/work-orders/${wo}/actions`,
          {
            system: 'shop',
            operation: 'order.note',
            kind: 'write',
            objects: ['order:2'],
            facts: {
              orderFulfilled: false,
              addressValidated: true,
              customerPhone: canary('facts.customerPhone', 'plain'),
              shopPassword: canary('facts.shopPassword', 'password'),
            },
          },
          {
            'Idempotency-Key': canary('Idempotency-Key header', 'plain', { recorded: false }),
            Cookie: `session=${canary('Cookie header', 'plain', { recorded: false })}`,
          },
        ),
        201,
      ).body,
    );
    // An operation name the workflow does not know, credential-shaped: stopped, and shown (masked) on the delivery page.
    remember(
      ok(
        await as.agent<ActionAnswer>('POST', `/v1/work-orders/${wo}/actions`, {
          system: 'shop',
          operation: canary('action operation', 'password'),
          kind: 'write',
        }),
        201,
      ).body,
    );
    const refund = { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:2'] };
    const wait = ok(
      await as.agent<ActionAnswer>('POST', `/v1/work-orders/${wo}/actions`, {
        ...refund,
        facts: { amount: 30, awsKey: canary('facts.awsKey', 'aws') },
      }),
      201,
    );
    expect(wait.body).toMatchObject({ decision: 'wait', approvalId: expect.any(String) });
    remember(wait.body);
    const approvalId = defined(wait.body.approvalId, 'approval id');
    ok(
      await as.agent<StepAnswer>('POST', `/v1/work-orders/${wo}/steps/inspect-case/complete`, {
        evidence: [],
        note: canary('step note', 'plain'),
      }),
      200,
    );
    remember(
      ok(
        await as.agent<StepAnswer>('POST', `/v1/work-orders/${wo}/steps/validate-address/complete`, {
          evidence: [
            {
              kind: 'log',
              ref: canary('private evidence ref', 'url'),
              private: true,
              note: canary('private evidence note', 'plain'),
            },
            {
              kind: 'screenshot',
              ref: canary('public evidence ref', 'plain', { allowed: ['receipts'] }),
              note: canary('public evidence note', 'plain', { allowed: ['receipts'] }),
            },
          ],
        }),
        200,
      ).body,
    );
    remember(
      ok(
        await as.agent<StepAnswer>('POST', `/v1/work-orders/${wo}/steps/confirm-customer/block`, {
          code: 'CUSTOMER_UNREACHABLE',
          rationale: `customer read out ${canary('block rationale (credential)', 'bearer')} on call ${canary('block rationale (plain, open)', 'plain', { allowed: ['views'] })}`,
        }),
        201,
      ).body,
    );
    const warehouseBlock = ok(
      await as.agent<StepAnswer>('POST', `/v1/work-orders/${wo}/steps/notify-warehouse/block`, {
        code: 'ADDRESS_INVALID',
        rationale: `zone ${canary('block rationale (plain)', 'plain', { allowed: ['views'] })} unknown`,
      }),
      201,
    );
    remember(warehouseBlock.body);
    const warehouseException = defined(warehouseBlock.body.exception, 'exception of the blocked step').exceptionId;
    // Refused: step evidence missing, an unknown code, closing with open blockers — each carrying canaries.
    ok(
      await as.agent<StepAnswer>('POST', `/v1/work-orders/${wo}/steps/update-order/complete`, {
        evidence: [{ kind: 'log', ref: canary('refused step evidence ref', 'password', { recorded: false }) }],
        note: canary('refused step note', 'plain', { recorded: false }),
      }),
      422,
    );
    ok(
      await as.agent<StepAnswer>('POST', `/v1/work-orders/${wo}/steps/update-order/block`, {
        code: 'NOT_A_CODE',
        rationale: canary('refused block rationale', 'bearer', { recorded: false }),
      }),
      422,
    );
    ok(
      await as.agent<StatusAnswer>('POST', `/v1/work-orders/${wo}/close`, {
        closureEvidenceId: 'CE-1',
        evidence: [
          {
            kind: 'closure-note',
            ref: canary('refused closure evidence ref', 'url', { recorded: false }),
            note: canary('refused closure note', 'plain', { recorded: false }),
          },
        ],
      }),
      409,
    );
    // Exception work: remediation (its title is what the exception view shows), resolution with evidence.
    await eventually(
      async () => (await as.agent('GET', `/v1/exceptions/${warehouseException}`)).status === 200,
      15_000,
      'the exception to open',
    );
    ok(
      await as.agent<ExceptionView>('POST', `/v1/exceptions/${warehouseException}/remediations`, {
        title: `fix zone table ${canary('remediation title', 'plain', { allowed: ['views'] })}`,
        owner: 'support-lead',
        due: '2030-01-01T00:00:00Z',
      }),
      201,
    );
    ok(
      await as.agent<ExceptionView>('POST', `/v1/exceptions/${warehouseException}/resolve`, {
        resolution: canary('exception resolution', 'password'),
        evidence: [
          {
            kind: 'log',
            ref: canary('resolution evidence ref', 'plain'),
            note: canary('resolution evidence note', 'bearer'),
          },
        ],
      }),
      200,
    );
    ok(
      await as.agent<ExceptionView>('POST', `/v1/exceptions/${warehouseException}/resolve`, {
        resolution: canary('refused resolution', 'plain', { recorded: false }),
        evidence: [],
      }),
      409,
    );

    // --- approvals: refused decisions, then conditional with conditions, a note, and a closed condition
    await eventually(
      async () => (await as['support-lead']('GET', `/v1/approvals/${approvalId}`)).status === 200,
      15_000,
      'the approval to open',
    );
    ok(
      await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
        decision: 'approve',
        permittedAction: { ...refund, operation: 'credit' },
        note: canary('refused approval note', 'password', { recorded: false }),
      }),
      422,
    );
    ok(
      await as['engagement-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
        decision: 'conditional',
        permittedAction: refund,
        conditions: [canary('refused condition', 'plain', { recorded: false })],
        note: canary('not-owner note', 'bearer', { recorded: false }),
      }),
      403,
    );
    const conditional = ok(
      await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
        decision: 'conditional',
        permittedAction: refund,
        conditions: [
          `retention signed ${canary('approval condition (plain)', 'plain', { allowed: ['views', 'approvals'] })}`,
          canary('approval condition (credential)', 'password', { allowed: ['approvals'] }),
          `receipt filed ${canary('approval condition (closed)', 'plain', { allowed: ['approvals'] })}`,
        ],
        note: canary('approval note', 'plain'),
      }),
      200,
    );
    expect(conditional.body).toMatchObject({
      status: 'conditional',
      conditions: [{ conditionId: 'c1' }, { conditionId: 'c2' }, { conditionId: 'c3' }],
    });
    // The work order learns the conditions before one is closed: the two updates reach it one after the other.
    const closedCondition = canaries.find((c) => c.label === 'approval condition (closed)')!.token;
    await eventually(
      async () => (await as.agent('GET', `/v1/work-orders/${wo}`)).text.includes(closedCondition),
      15_000,
      'the work order to learn the conditions',
    );
    ok(
      await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/conditions/c3/close`, {
        evidence: {
          kind: 'signed-policy',
          ref: canary('condition evidence ref', 'aws'),
          note: canary('condition evidence note', 'plain'),
        },
      }),
      200,
    );
    await eventually(
      async () => {
        const handoff = await as.agent('GET', `/v1/work-orders/${wo}`);
        return (
          handoff.status === 200 && handoff.text.includes('conditional (') && !handoff.text.includes(closedCondition)
        );
      },
      15_000,
      'the work order to learn the closed condition',
    );
    for (const path of [`/v1/approvals/${approvalId}`, '/v1/approvals?owner=support-lead'])
      seen.approvals.push({ where: path, text: ok(await as['support-lead']('GET', path), 200).text });

    // --- break-glass with a rationale and facts, a refused one, then the post-review
    const urgent = ok(
      await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'canary-urgent',
        externalRef: 'CANARY-BG',
        source: 'helpdesk',
        inputs: { note: canary('urgent inputs.note', 'plain') },
      }),
      201,
    );
    ids.workOrders.push(urgent.body.id);
    ok(
      await as.agent<BreakGlassAnswer>('POST', `/v1/work-orders/${urgent.body.id}/break-glass`, {
        code: 'SAFETY_HOLD',
        rationale: canary('refused break-glass rationale', 'url', { recorded: false }),
        action: { system: 'payments', operation: 'refund', kind: 'write' },
      }),
      422,
    );
    const bg = ok(
      await as.agent<BreakGlassAnswer>('POST', `/v1/work-orders/${urgent.body.id}/break-glass`, {
        code: 'CUSTOMER_UNREACHABLE',
        rationale: `flight leaves; ${canary('break-glass rationale', 'url')}`,
        action: {
          system: 'payments',
          operation: 'refund',
          kind: 'write',
          facts: { iban: canary('break-glass facts.iban', 'plain') },
        },
      }),
      201,
    );
    remember(bg.body);
    const postReviewId = bg.body.postReview.id;
    await eventually(
      async () =>
        (await as['support-lead']<PostReviewView>('GET', `/v1/post-reviews/${postReviewId}`)).body?.overdueNotified ===
        true,
      20_000,
      'the post-review to be overdue',
    );
    ok(
      await as['support-lead']<PostReviewView>('POST', `/v1/post-reviews/${postReviewId}/complete`, {
        outcome: canary('post-review outcome', 'password'),
        remediation: {
          title: `refund lane ${canary('post-review remediation title', 'plain', { allowed: ['views'] })}`,
          owner: 'support-lead',
          due: '2030-01-01T00:00:00Z',
        },
      }),
      200,
    );

    // --- lifecycle: an artifact reference, a conditional gate, a scope change with a reason
    const engagement = ok(
      await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'engagement-lifecycle',
        externalRef: 'CANARY-ENG',
        source: 'crm',
        inputs: {
          client: 'Northwind',
          sponsor: 'ops-director',
          crmApiKey: canary('engagement inputs.crmApiKey', 'password'),
        },
      }),
      201,
    );
    const eng = engagement.body.id;
    ids.workOrders.push(eng);
    const artifact = ok(
      await as.agent<ArtifactAnswer>('POST', `/v1/work-orders/${eng}/stages/discovery/artifact`, {
        artifact: { kind: 'requirements-brief', ref: `s3://briefs/${canary('stage artifact ref', 'aws')}` },
        evidence: [
          {
            kind: 'interview-notes',
            ref: canary('stage evidence ref', 'plain', { allowed: ['receipts'] }),
            private: false,
          },
        ],
      }),
      201,
    );
    remember(artifact.body);
    const gate = artifact.body.gate as { approvalId: string; owner: string; action: unknown };
    await eventually(
      async () => (await as[gate.owner]('GET', `/v1/approvals/${gate.approvalId}`)).status === 200,
      15_000,
      'the gate approval to open',
    );
    ok(
      await as[gate.owner]<ApprovalView>('POST', `/v1/approvals/${gate.approvalId}/decision`, {
        decision: 'conditional',
        permittedAction: gate.action,
        conditions: [
          canary('gate condition (password)', 'password', { allowed: ['approvals'] }),
          canary('gate condition (bearer)', 'bearer', { allowed: ['approvals'] }),
        ],
        note: canary('gate note', 'url'),
      }),
      200,
    );
    await eventually(
      async () =>
        (await as.agent<WorkOrderHandoff>('GET', `/v1/work-orders/${eng}`)).body?.stages?.[0]?.gate?.status?.startsWith(
          'conditional',
        ),
      15_000,
      'the work order to learn the conditional gate',
    );
    remember(
      ok(
        await as.agent<ScopeChangeAnswer>('POST', `/v1/work-orders/${eng}/scope-changes`, {
          add: [{ system: 'support-desk', operation: 'refund.recommend', kind: 'write' }],
          reason: `client asked; ${canary('scope change reason', 'url')}`,
        }),
        201,
      ).body,
    );

    // --- delegations: refused prompts, a dispatch that times out (reminders, stop), a reopen, a confirmed one
    const delegation = ok(
      await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'agent-delegation',
        externalRef: 'CANARY-DL',
        source: 'helpdesk',
        inputs: { objective: canary('delegation inputs.objective', 'plain'), repository: 'r' },
      }),
      201,
    );
    const dl = delegation.body.id;
    ids.workOrders.push(dl);
    const prompt = {
      objective: canary('prompt objective', 'plain'),
      scope: canary('prompt scope', 'password'),
      artifacts: [{ path: `docs/${canary('prompt artifact path', 'plain')}.md`, access: 'read' }],
      verification: [`curl -H "Authorization: ${canary('prompt verification', 'bearer')}" https://ci.example.com`],
      completion: canary('prompt completion', 'plain'),
    };
    ok(
      await as.agent<DelegationAnswer>('POST', `/v1/work-orders/${dl}/delegations`, {
        recipient: 'agent-x',
        command: 'delegate_task',
        prompt: { objective: canary('refused prompt objective', 'password', { recorded: false }) },
      }),
      422,
    );
    ok(
      await as.agent<DelegationAnswer>('POST', `/v1/work-orders/${dl}/delegations`, {
        recipient: 'agent-x',
        command: 'delegate_task',
        prompt: {
          ...prompt,
          artifacts: [
            {
              path: `brain/${canary('refused private artifact path', 'plain', { recorded: false })}/plan.md`,
              access: 'read',
            },
          ],
        },
      }),
      422,
    );
    const dispatched = ok(
      await as.agent<DelegationAnswer>('POST', `/v1/work-orders/${dl}/delegations`, {
        recipient: 'agent-x',
        command: 'delegate_task',
        prompt,
        timeouts: { initialWait: 'PT1S', reminderEvery: 'PT1S', backoff: 1, hardTimeout: 'PT3S' },
      }),
      201,
    );
    await eventually(
      async () => (await as.agent<WorkOrderHandoff>('GET', `/v1/work-orders/${dl}`)).body?.status === 'stopped',
      20_000,
      'the delegation to time out',
    );
    ok(await as.agent('POST', `/v1/work-orders/${dl}/reopen`, { reason: canary('reopen reason', 'password') }), 200);
    ok(
      await as.agent<DelegationView>('POST', `/v1/delegations/${dispatched.body.dispatchId}/confirm`, {
        note: canary('refused confirm note', 'plain', { recorded: false }),
      }),
      409,
    );
    const second = ok(
      await as.agent<DelegationAnswer>('POST', `/v1/work-orders/${dl}/delegations`, {
        recipient: 'agent-x',
        command: 'delegate_task',
        prompt,
      }),
      201,
    );
    ok(
      await as.agent<DelegationView>('POST', `/v1/delegations/${second.body.dispatchId}/confirm`, {
        note: canary('confirm note', 'bearer'),
      }),
      200,
    );

    // --- CloudEvents over HTTP: a valid batch, a refused batch, a refused single event
    const http = ok(
      await as.helpdesk<IngestAnswer>(
        'POST',
        '/v1/events',
        [
          ce('shopify', 'h-1', 'workgate.workorder.open', 'CANARY-HTTP', {
            jobType: 'support-recovery',
            inputs: {
              caseId: 'C-3',
              orderId: '3',
              orderPaid: true,
              cardHolder: canary('http event inputs.cardHolder', 'plain'),
            },
          }),
          ce('shopify', 'h-2', 'workgate.action.requested', 'CANARY-HTTP', {
            system: 'shop',
            operation: 'customer.reply',
            kind: 'write',
            facts: { smtpPassword: canary('http event facts.smtpPassword', 'password') },
          }),
        ],
        { 'Content-Type': 'application/cloudevents-batch+json' },
      ),
      202,
    );
    ids.workOrders.push(openedBy(http.body.results[0]).id);
    ok(
      await as.helpdesk<IngestAnswer>(
        'POST',
        '/v1/events',
        [
          ce('shopify', 'h-3', 'workgate.no.such.type', 'CANARY-HTTP-2', {
            secret: canary('refused http event (unknown type) data', 'bearer', { recorded: false, rejected: true }),
          }),
          ce('shopify', 'h-4', 'workgate.workorder.open', 'CANARY-HTTP-2', {
            jobType: 'support-recovery',
            inputs: {
              apiKey: canary('http event refused with its batch', 'plain', { recorded: false, rejected: true }),
            },
          }),
        ],
        { 'Content-Type': 'application/cloudevents-batch+json' },
      ),
      422,
    );
    ok(
      await as.helpdesk<IngestAnswer>(
        'POST',
        '/v1/events',
        ce('shopify', 'h-5', 'workgate.step.blocked', 'CANARY-HTTP', {
          stepId: 'inspect-case',
          code: 'CUSTOMER_UNREACHABLE',
          rationale: 'x',
          colour: canary('http event unknown key value', 'url', { recorded: false, rejected: true }),
        }),
        {
          'Content-Type': 'application/cloudevents+json',
        },
      ),
      422,
    );

    // --- CloudEvents over NATS: valid ones, a domain refusal, an unknown key, malformed JSON, binary mode
    const natsRef = 'CANARY-NATS';
    const natsWo = workOrderIdFor('erp', natsRef);
    ids.workOrders.push(natsWo);
    const json = (v: unknown) => JSON.stringify(v);
    await publish(
      'erp',
      'n-1',
      json(
        ce('erp', 'n-1', 'workgate.workorder.open', natsRef, {
          jobType: 'support-recovery',
          inputs: {
            caseId: 'C-4',
            orderId: '4',
            orderPaid: true,
            vaultToken: canary('nats event inputs.vaultToken', 'bearer'),
          },
        }),
      ),
    );
    await publish(
      'erp',
      'n-2',
      json(
        ce('erp', 'n-2', 'workgate.action.requested', natsRef, {
          system: 'warehouse',
          operation: 'notify',
          kind: 'write',
          facts: { dockCode: canary('nats event facts.dockCode', 'plain') },
        }),
      ),
    );
    await publish(
      'erp',
      'n-3',
      json(
        ce('erp', 'n-3', 'workgate.step.completed', natsRef, {
          stepId: 'inspect-case',
          evidence: [{ kind: 'log', ref: canary('nats event private evidence', 'aws'), private: true }],
          note: canary('nats event step note', 'password'),
        }),
      ),
    );
    await publish(
      'erp',
      'n-4',
      json(
        ce('erp', 'n-4', 'workgate.workorder.close', natsRef, {
          closureEvidenceId: '',
          evidence: [
            {
              kind: 'log',
              ref: canary('nats event refused close evidence', 'plain', { recorded: false, rejected: true }),
            },
          ],
        }),
      ),
    );
    await publish(
      'erp',
      'n-5',
      json(
        ce('erp', 'n-5', 'workgate.step.blocked', natsRef, {
          stepId: 'inspect-case',
          code: 'CUSTOMER_UNREACHABLE',
          rationale: 'x',
          extra: canary('nats event unknown key value', 'bearer', { recorded: false, rejected: true }),
        }),
      ),
    );
    const malformed = canary('nats malformed JSON', 'plain', { recorded: false, rejected: true });
    await publish(
      'erp',
      'n-6',
      `{"specversion":"1.0","id":"n-6","source":"erp","type":"workgate.step.completed","subject":"${natsRef}","data":{"note": ${malformed}}}`,
    );
    await publish(
      'erp',
      'n-7',
      json({ stepId: 'validate-address', evidence: [], note: canary('nats binary event data', 'plain') }),
      {
        'ce-specversion': '1.0',
        'ce-id': 'n-7',
        'ce-source': 'erp',
        'ce-type': 'workgate.step.completed',
        'ce-subject': natsRef,
        'ce-authorization': canary('nats binary event header', 'bearer', { recorded: false }),
      },
    );
    await publish(
      'erp',
      'n-8',
      json(
        ce('erp', 'n-8', 'workgate.step.completed', natsRef, {
          stepId: 'no-such-step',
          evidence: [],
          note: canary('nats event refused step note', 'url', { recorded: false, rejected: true }),
        }),
      ),
    );
    // Closed in the source system with a note, then reopened with a reason.
    await publish(
      'erp',
      'n-9',
      json(
        ce('erp', 'n-9', 'workgate.workorder.closure_reported', natsRef, {
          note: canary('nats closure note', 'password'),
        }),
      ),
    );
    await publish(
      'erp',
      'n-10',
      json(ce('erp', 'n-10', 'workgate.workorder.reopen', natsRef, { reason: canary('nats reopen reason', 'plain') })),
    );
    await eventually(
      async () => {
        const rejected =
          (await as.lead<RejectionsPage>('GET', '/v1/intake/rejections?source=erp&limit=50')).body?.rejections
            ?.length ?? 0;
        const types = (await events(natsWo).catch(() => [])).map((e) => e.type);
        return (
          rejected >= 4 &&
          types.filter((t) => t === 'StepCompleted').length >= 2 &&
          types.includes('ActionDecided') &&
          types.includes('WorkOrderReopened')
        );
      },
      20_000,
      'the NATS events to be processed',
    );

    // --- headers, wrong keys, malformed and refused bodies
    const anonymous = caller(undefined);
    ok(await caller(canary('wrong API key', 'plain', { recorded: false }))('GET', '/v1/workflows'), 401);
    ok(
      await anonymous<WorkflowSummary[]>('GET', '/v1/workflows', undefined, {
        Authorization: `Basic ${Buffer.from(`admin:${canary('basic auth password', 'plain', { recorded: false })}`).toString('base64')}`,
      }),
      401,
    );
    ok(
      await anonymous<WorkflowSummary[]>('GET', '/v1/workflows', undefined, {
        Authorization: canary('bearer wrong key', 'bearer', { recorded: false }),
      }),
      401,
    );
    ok(
      await as.analyst<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'support-recovery',
        externalRef: 'X',
        source: 's',
        inputs: { pin: canary('forbidden-role body', 'password', { recorded: false }) },
      }),
      403,
    );
    ok(
      await as.agent(
        'GET',
        `/v1/no-such-route?access_token=${canary('query token on an unknown route', 'plain', { recorded: false })}`,
      ),
      404,
    );
    ok(
      await as.agent<WorkOrderListItem[]>(
        'GET',
        `/v1/work-orders?externalRef=${canary('query on the list', 'plain', { recorded: false })}`,
        undefined,
        {
          'X-Api-Key': canary('X-Api-Key header', 'plain', { recorded: false }),
          'User-Agent': canary('User-Agent header', 'plain', { recorded: false }),
        },
      ),
      200,
    );
    ok(await as.agent('GET', `/v1/work-orders/${canary('path segment', 'plain', { recorded: false })}`), 404);
    ok(
      await as.helpdesk<OpenedAnswer>(
        'POST',
        '/v1/work-orders',
        `{"jobType":"support-recovery","externalRef":"X","source":"s","inputs":{"pin": ${canary('malformed JSON value', 'plain', { recorded: false })}}}`,
      ),
      400,
    );
    ok(await as.helpdesk('POST', '/v1/work-orders', canary('not JSON at all', 'password', { recorded: false })), 400);
    ok(
      await as.helpdesk<OpenedAnswer>(
        'POST',
        '/v1/work-orders',
        `${canary('JSON scalar body', 'plain', { recorded: false })}`,
      ),
      400,
    );
    // Malformed JSON over HTTP is kept as a rejection, as on WORK_EVENTS.
    ok(
      await as.helpdesk<IngestAnswer>(
        'POST',
        '/v1/events',
        `{"specversion":"1.0","data":{"k": ${canary('malformed CloudEvent', 'plain', { recorded: false, rejected: true })}`,
        { 'Content-Type': 'application/cloudevents+json' },
      ),
      422,
    );
    ok(
      await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'support-recovery',
        externalRef: 'X',
        source: 's',
        inputs: {},
        colour: canary('unknown key value', 'bearer', { recorded: false }),
      }),
      422,
    );
    ok(
      await as.helpdesk<OpenedAnswer>(
        'POST',
        '/v1/work-orders',
        `{"jobType":"support-recovery","externalRef":"X","source":"s","inputs":{"__proto__":{"k":"${canary('prototype key body', 'plain', { recorded: false })}"}}}`,
      ),
      422,
    );
    ok(
      await as.agent<ActionAnswer>('POST', `/v1/work-orders/${wo}/actions`, {
        system: 'shop',
        operation: 'order.note',
        kind: canary('wrong enum value', 'plain', { recorded: false }),
      }),
      422,
    );
    ok(
      await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'support-recovery',
        externalRef: 'X',
        source: 's',
        inputs: { blob: `${canary('oversized body', 'password', { recorded: false })} ${'x'.repeat(1_100_000)}` },
      }),
      413,
    );

    expect(serverErrors).toEqual([]);
  }, 180_000);

  it('keeps every canary out of notifications, delivery pages, error bodies and logs, and credentials out of the broad views', async () => {
    // Notifications: the ones this run must have caused arrived (so the surface is not empty).
    await eventually(
      async () =>
        ['approval-requested', 'post-review-overdue', 'delegation-reminder', 'delegation-timed-out'].every((k) =>
          notifications.some((n) => JSON.parse(n).kind === k),
        ),
      10_000,
      'the notifications',
    );
    seen.notifications.push(...notifications.map((text) => ({ where: 'workgate.notify.>', text })));

    for (const id of ids.workOrders) {
      const page = ok(await as.analyst<DeliveryPage>('GET', `/v1/work-orders/${id}/delivery`), 200);
      const html = ok(
        await as.analyst<DeliveryPage>('GET', `/v1/work-orders/${id}/delivery`, undefined, { Accept: 'text/html' }),
        200,
      );
      expect(html.text).toMatch(/^<!doctype html>/);
      seen.delivery.push(
        { where: page.request, text: page.text },
        { where: `${html.request} (HTML)`, text: html.text },
      );
      if (id === ids.workOrders[1]) {
        // Masking keeps the page whole: the credential-shaped operation is redacted, its decision and policy stay.
        expect(
          page.body.decisions.map((d: { action: string; decision: string; policy: string }) => [
            d.action,
            d.decision,
            d.policy,
          ]),
        ).toEqual([
          ['write shop order.note', 'run', 'support-recovery v1'],
          ['write shop [redacted]', 'stop', 'support-recovery v1'],
          ['write payments refund', 'wait', 'support-recovery v1'],
        ]);
      }
    }
    const views = [
      ...ids.workOrders.map((id) => `/v1/work-orders/${id}`),
      '/v1/work-orders?limit=100',
      '/v1/views/exception-codes/top',
      '/v1/views/approvals',
      '/v1/views/post-reviews',
      ...ids.exceptions.map((id) => `/v1/exceptions/${id}`),
    ];
    for (const path of views) seen.views.push({ where: path, text: ok(await as.analyst('GET', path), 200).text });
    for (const id of ids.postReviews)
      seen.views.push({
        where: `/v1/post-reviews/${id}`,
        text: ok(await as['support-lead']<PostReviewView>('GET', `/v1/post-reviews/${id}`), 200).text,
      });
    // The views do show the free text they carry by design (so the credential check on those fields means something), masked where credential-shaped.
    for (const label of ['block rationale (plain, open)', 'approval condition (plain)', 'remediation title']) {
      expect({ label, shown: showing(seen.views).includes(canaries.find((c) => c.label === label)!.token) }).toEqual({
        label,
        shown: true,
      });
    }
    expect({ masked: showing(seen.views).includes('[redacted]') }).toEqual({ masked: true });
    // Receipts exist for decisions, steps and blocks (other answers' receipt ids are ledger positions only).
    for (const id of ids.receipts) {
      const receipt = await as.agent<Receipt>('GET', `/v1/receipts/${id}`);
      if (receipt.status !== 404) seen.receipts.push({ where: receipt.request, text: ok(receipt, 200).text });
    }
    expect(showing(seen.receipts)).toContain(canaries.find((c) => c.label === 'public evidence ref')!.token);

    // The ledger (ops lead) holds every recorded canary: they all got in, so their absence elsewhere means something.
    let ledger = '';
    for (const id of ids.workOrders)
      ledger += ok(await as.lead<RecordedEvent[]>('GET', `/v1/work-orders/${id}/events`), 200).text;
    // Approvals, exceptions, post-reviews and delegations keep theirs in their own streams: the export has them.
    for (let after = 0; ;) {
      const page = ok(await as.lead<ReadAllResult>('GET', `/v1/ledger/events?after=${after}&limit=1000`), 200);
      if (page.body.events.length === 0) break;
      ledger += page.text;
      after = page.body.next;
    }
    expect(
      canaries.filter((c) => c.recorded && !ledger.toLowerCase().includes(c.token.toLowerCase())).map((c) => c.label),
    ).toEqual([]);
    // The raw rejections (integrator) keep the refused payloads as they came.
    const rejections = ok(await as.helpdesk<RejectionsPage>('GET', '/v1/intake/rejections?limit=500'), 200).body
      .rejections as Array<{
      rawBase64: string;
    }>;
    const raw = rejections.map((r) => Buffer.from(r.rawBase64, 'base64').toString('utf8')).join('\n');
    expect(canaries.filter((c) => c.rejected && !raw.includes(c.token)).map((c) => c.label)).toEqual([]);
    // Private evidence is still there for the ops lead's receipts.
    const leadReceipts = await Promise.all(
      ids.receipts.map(async (id) => (await client(url, principals.keys.lead)('GET', `/v1/receipts/${id}`)).text),
    );
    expect(leadReceipts.join('\n')).toContain(canaries.find((c) => c.label === 'private evidence ref')!.token);

    // Logs: everything the process wrote, through a clean shutdown.
    const exit = new Promise<number | null>((resolve) => proc.child.once('exit', (code) => resolve(code)));
    proc.child.kill('SIGTERM');
    expect(await exit).toBe(0);
    const logs = proc.output();
    expect(logs).toMatch(/"message":"ready/);
    expect(logs).toMatch(/Mapped \{\/v1\/work-orders, POST\} route/); // debug lines were captured
    expect(logs).toContain(':***@'); // the database password was there, masked
    seen.logs.push({ where: 'the process output', text: logs });

    expect(seen.errors.length).toBeGreaterThan(20);
    const found = (Object.keys(seen) as Surface[]).flatMap((surface) => leaks(surface, seen[surface]));
    expect([...new Set(found)]).toEqual([]);
  }, 120_000);
});
