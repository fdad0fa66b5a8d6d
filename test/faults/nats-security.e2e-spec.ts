import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AckPolicy,
  connect,
  ConnectionOptions,
  ErrorCode,
  headers as natsHeaders,
  NatsConnection,
  NatsError,
} from 'nats';
import { parse } from 'yaml';
import { LedgerHeaders, SERVICES, ServiceName, Streams, Subjects } from '@workgate/contracts';
import { natsServers, redactNatsUrl, RpcClient } from '@workgate/messaging';
import { waitFor } from '../../cli/infra';
import { freshDatabase, TestDatabase } from '../support/database';
import { freePort } from '../support/nats-server';
import { client, clientsFor, writePrincipals } from '../support/principals';
import { eventually, ServiceProcess, spawnBuilt } from '../support/processes';
import type {
  ActionAnswer,
  ApprovalView,
  WorkflowChangeRequested,
  WorkflowDraft,
  WorkflowVersion,
  DelegationAnswer,
  ExceptionView,
  InboxMessage,
  OpenedAnswer,
  RejectionsPage,
  SignedCheckpoint,
  StatusAnswer,
  StepAnswer,
  WorkOrderHandoff,
  WorkOrderListItem,
} from '@workgate/contracts';
import { defined } from '../support/answers';

const ROOT = join(__dirname, '..', '..');
const CONF = join(ROOT, 'deploy', 'nats.conf');
const COMPOSE_OVERRIDE = join(ROOT, 'deploy', 'docker-compose.nats-auth.yml');

type User = ServiceName | 'integrator';
const USERS: User[] = [...SERVICES, 'integrator'];
const passwordVar = (user: User) => `WORKGATE_NATS_${user.toUpperCase()}_PASSWORD`;
/** The services in start order: the ledger creates the streams, the others only look at them. */
const AFTER_LEDGER: ServiceName[] = ['exceptions', 'policy', 'approvals', 'intake', 'gateway'];

const enc = new TextEncoder();
/** A reply subject a request names to make a service publish where it may not. */
const DEPUTY_REPLY = '$JS.API.STREAM.DELETE.LEDGER';

/** The promise is refused by nats-server for lack of permission (not a time-out, not "no responders"). */
async function expectRefused(
  work: Promise<unknown>,
  operation: 'publish' | 'subscription',
  subject: string,
): Promise<void> {
  const outcome = await work.then(
    (value) => ({ accepted: value }),
    (error: NatsError) => ({
      code: error.code,
      operation: error.permissionContext?.operation,
      subject: error.permissionContext?.subject,
    }),
  );
  expect(outcome).toEqual({ code: ErrorCode.PermissionsViolation, operation, subject });
}

/** Subscribes and waits for the server's verdict (a refusal arrives before the PONG of the next flush). */
async function subscribeVerdict(nc: NatsConnection, subject: string): Promise<string | undefined> {
  let refused: NatsError | undefined;
  const sub = nc.subscribe(subject, { callback: (error) => (refused ??= error ?? undefined) });
  await nc.flush();
  if (!sub.isClosed()) sub.unsubscribe();
  return refused
    ? `${refused.code} ${refused.permissionContext?.operation} ${refused.permissionContext?.subject}`
    : undefined;
}

/**
 * deploy/nats.conf exactly as shipped, on a scratch nats-server: every service runs as its own
 * process under its own NATS user, a work order goes through end to end with no permission
 * violation, and each user is refused what it does not use — above all, nobody can rewrite or
 * destroy the evidence streams.
 */
describe('NATS security: deploy/nats.conf', () => {
  let dir: string;
  let port: number;
  let server: ChildProcess;
  let serverErr = '';
  let logFile: string;
  let db: TestDatabase;
  /** The consumers earlier versions started approvals, post-reviews and exceptions with: their user, durable and subject. */
  const RETIRED = [
    ['approvals', 'approvals-waits', 'ledger.workorder.ActionDecided'],
    ['approvals', 'approvals-gates', 'ledger.workorder.GateRequested'],
    ['approvals', 'approvals-break-glass', 'ledger.workorder.BreakGlassUsed'],
    ['exceptions', 'exceptions-prerequisites', 'ledger.workorder.WorkOrderOpened'],
    ['exceptions', 'exceptions-blocked-steps', 'ledger.workorder.StepBlocked'],
    ['exceptions', 'exceptions-work-order-raised', 'ledger.workorder.WorkOrderExceptionRaised'],
    ['exceptions', 'exceptions-break-glass', 'ledger.workorder.BreakGlassUsed'],
  ] as const;
  const passwords = Object.fromEntries(USERS.map((u) => [u, `wg${randomBytes(24).toString('hex')}`])) as Record<
    User,
    string
  >;
  const services = new Map<ServiceName, ServiceProcess>();
  const probes = new Map<string, NatsConnection>();
  const principals = writePrincipals({
    helpdesk: ['integrator'],
    agent: ['operator'],
    'support-lead': ['approver', 'operator'],
    lead: ['ops-lead', 'analyst', 'admin'],
    'agent-x': ['operator'],
  });
  let as: Record<string, ReturnType<typeof client>>;
  let baseUrl: string;

  const natsUrl = (user: User) => `nats://${user}:${passwords[user]}@127.0.0.1:${port}`;
  const serverLog = () => readFileSync(logFile, 'utf8');
  const violations = () =>
    serverLog()
      .split('\n')
      .filter((l) => /Violation/.test(l));
  const outputs = () =>
    [...services]
      .map(([s, p]) => `--- ${s}${p.child.exitCode === null ? '' : ` (exited ${p.child.exitCode})`}\n${p.output()}`)
      .join('\n');
  /** `eventually`, and on failure what the services said by then. */
  const until = <T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> =>
    eventually(probe, timeoutMs, what).catch((error: Error) => {
      throw new Error(`${error.message}\n${outputs()}`);
    });

  /** A connection of the test's own as `user` (named probe-<user>, so the server log tells it from the services). */
  async function as_(user: User): Promise<NatsConnection> {
    let nc = probes.get(user);
    if (!nc) {
      nc = await connect({
        servers: `127.0.0.1:${port}`,
        user,
        pass: passwords[user],
        name: `probe-${user}`,
      });
      probes.set(user, nc);
    }
    return nc;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wg-nats-sec-'));
    logFile = join(dir, 'nats-server.log');
    port = await freePort();
    // The file as shipped; only the listen address comes from the command line (flags win over the file).
    server = spawn('nats-server', ['-c', CONF, '-a', '127.0.0.1', '-p', String(port), '-l', logFile], {
      env: {
        ...process.env,
        WORKGATE_NATS_STORE_DIR: join(dir, 'store'),
        ...Object.fromEntries(USERS.map((u) => [passwordVar(u), passwords[u]])),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    server.stderr!.on('data', (d) => (serverErr += d));
    await waitFor('127.0.0.1', port, 'nats-server -c deploy/nats.conf', 10_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${serverErr}`);
    });
    db = await freshDatabase();
    const httpPort = await freePort();
    baseUrl = `http://127.0.0.1:${httpPort}`;
    const env = (service: ServiceName) => ({
      DATABASE_URL: db.url,
      NATS_URL: natsUrl(service),
      WORKGATE_DATA_DIR: join(dir, 'data'),
      WORKGATE_PRINCIPALS: principals.path,
      PORT: String(httpPort),
      HOST: '127.0.0.1',
      // info: the start-up line names the NATS URL (it must come out without the password)
      LOG_LEVEL: 'info',
    });
    const start = (service: ServiceName) => services.set(service, spawnBuilt(`apps/${service}/main.js`, env(service)));

    start('ledger');
    const rpc = new RpcClient(await as_('gateway'), 1000, false);
    await until(
      async () => (await rpc.request(Subjects.health('ledger'), {})).details?.writer === 'active',
      60_000,
      'the ledger to become the writer',
    );
    // What earlier versions left: the consumers they started streams with, created under the
    // users of the services that ran them.
    for (const [user, durable, subject] of RETIRED) {
      await (
        await (await as_(user)).jetstreamManager()
      ).consumers.add(Streams.ledger.name, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        filter_subject: subject,
      });
    }
    AFTER_LEDGER.forEach(start);
    await until(
      async () => (await fetch(`${baseUrl}/health`)).status === 200,
      120_000,
      'every service to answer /health',
    );
    as = clientsFor(baseUrl, principals.keys);
  }, 200_000);

  afterAll(async () => {
    for (const nc of probes.values()) await nc.close().catch(() => undefined);
    for (const p of [...services.values()].reverse()) await p.kill();
    await db?.drop();
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('runs every service under its own user: work orders open, decisions, approvals and exceptions come back, with no violation', async () => {
    const steps = ['inspect-case', 'validate-address', 'update-order', 'notify-warehouse', 'confirm-customer'];
    const refund = { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1001'] };

    const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: 'SEC-1',
      source: 'helpdesk',
      inputs: { caseId: 'C-1', orderId: '1001', orderPaid: true },
    });
    expect(opened).toMatchObject({ status: 201, body: { status: 'open' } });
    const id = opened.body.id;

    const run = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      system: 'shop',
      operation: 'order.note',
      kind: 'write',
      objects: ['order:1001', 'customer:77', 'address:1001'],
      facts: { orderFulfilled: false, addressValidated: true },
    });
    expect(run).toMatchObject({ status: 201, body: { decision: 'run', receiptId: expect.any(String) } });
    expect(await as.agent('GET', `/v1/receipts/${run.body.receiptId}`)).toMatchObject({
      status: 200,
      body: { decision: 'run' },
    });
    const stop = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      system: 'crm',
      operation: 'contact.update',
      kind: 'write',
    });
    expect(stop).toMatchObject({ status: 201, body: { decision: 'stop', reason: 'system_not_named' } });

    // An exception: raised by the exceptions service from the ledger, resolved through the gateway.
    const blocked = await as.agent<StepAnswer>('POST', `/v1/work-orders/${id}/steps/confirm-customer/block`, {
      code: 'CUSTOMER_UNREACHABLE',
      rationale: 'no answer',
    });
    const exceptionId = defined(blocked.body?.exception?.exceptionId, 'exception id');
    expect(exceptionId).toEqual(expect.any(String));
    await until(
      async () => (await as.agent('GET', `/v1/exceptions/${exceptionId}`)).status === 200,
      20_000,
      'the exception to be raised',
    );
    expect(
      await as.agent<ExceptionView>('POST', `/v1/exceptions/${exceptionId}/resolve`, {
        resolution: 'reached by email',
        evidence: [{ kind: 'email', ref: 'm-1' }],
      }),
    ).toMatchObject({
      status: 200,
      body: { status: 'resolved' },
    });
    // Committed with its effect on the work order, through intake: the resolver's next read has it.
    expect((await as.agent<WorkOrderHandoff>('GET', `/v1/work-orders/${id}`)).body.openExceptions).toEqual([]);

    // A wait: the approvals service opens it from the ledger; the owner's approval reaches intake.
    for (const step of steps)
      expect(
        (
          await as.agent<StepAnswer>('POST', `/v1/work-orders/${id}/steps/${step}/complete`, {
            evidence: [{ kind: 'receipt', ref: step }],
          })
        ).status,
      ).toBe(200);
    const wait = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      ...refund,
      facts: { amount: 40 },
    });
    expect(wait).toMatchObject({
      status: 201,
      body: { decision: 'wait', decisionOwner: 'support-lead', approvalId: expect.any(String) },
    });
    const approvalId = defined(wait.body.approvalId, 'approval id');
    await until(
      async () => (await as['support-lead']('GET', `/v1/approvals/${approvalId}`)).status === 200,
      20_000,
      'the approval to open',
    );
    expect(
      await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, {
        decision: 'approve',
        permittedAction: refund,
      }),
    ).toMatchObject({
      status: 200,
      body: { status: 'approved' },
    });
    const closed = await until(
      async () => {
        const r = await as.agent<StatusAnswer>('POST', `/v1/work-orders/${id}/close`, {
          closureEvidenceId: 'CE-1',
          evidence: [{ kind: 'closure-note', ref: 'n' }],
        });
        return r.status === 200 ? r : undefined;
      },
      20_000,
      'closure once intake learned the approval and the resolution',
    );
    expect(closed.body).toMatchObject({ id, status: 'closed' });

    // An integrator's CloudEvent over JetStream: acked, then opened by intake.
    const h = natsHeaders();
    h.set('Content-Type', 'application/cloudevents+json');
    const event = {
      specversion: '1.0',
      id: 'sec-e1',
      source: 'crm',
      type: 'workgate.workorder.open',
      subject: 'SEC-JS-1',
      data: { jobType: 'support-recovery', inputs: { caseId: 'C-2', orderId: '2', orderPaid: true } },
    };
    const ack = await (
      await as_('integrator')
    )
      .jetstream()
      .publish('workgate.events.crm', enc.encode(JSON.stringify(event)), { msgID: 'crm:sec-e1', headers: h });
    expect(ack).toMatchObject({ stream: 'WORK_EVENTS', duplicate: false });
    const listed = await until(
      async () => {
        const r = await as.lead<WorkOrderListItem[]>('GET', '/v1/work-orders?externalRef=SEC-JS-1');
        return r.body?.length ? r : undefined;
      },
      20_000,
      'intake to open the published work order',
    );
    expect(listed.body[0]).toMatchObject({ source: 'crm', externalRef: 'SEC-JS-1', status: 'open' });

    // A delegation: approvals writes the delegate's INBOX stream and reads it back.
    const delegated = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'agent-delegation',
      externalRef: 'SEC-DL-1',
      source: 'helpdesk',
      inputs: { objective: 'x', repository: 'r' },
    });
    expect(delegated.status).toBe(201);
    const prompt = {
      objective: 'Fix the flaky test',
      scope: 'libs/messaging only',
      artifacts: [{ path: 'notes/retry.md', access: 'read' }],
      verification: ['npm test'],
      completion: 'stop and wait',
    };
    const dispatched = await as.agent<DelegationAnswer>('POST', `/v1/work-orders/${delegated.body.id}/delegations`, {
      recipient: 'agent-x',
      command: 'delegate_task',
      prompt,
    });
    expect(dispatched).toMatchObject({ status: 201, body: { dispatchId: expect.any(String) } });
    const inbox = await until(
      async () => {
        const r = await as.agent<InboxMessage[]>('GET', '/v1/inbox/agent-x?box=inbox&filter=delegate_task');
        return r.body?.length ? r : undefined;
      },
      20_000,
      'the inbox delivery',
    );
    expect(inbox.body[0]).toMatchObject({ dispatchId: dispatched.body.dispatchId, command: 'delegate_task' });

    const dispatchId = dispatched.body.dispatchId;
    expect(await as.agent('GET', `/v1/delegations/${dispatchId}`)).toMatchObject({ status: 200, body: { dispatchId } });
    expect(await as.agent('POST', `/v1/delegations/${dispatchId}/confirm`, { note: 'verified' })).toMatchObject({
      status: 200,
      body: { status: 'confirmed' },
    });

    // The gateway's reads, one per service subject it calls.
    for (const path of [
      `/v1/work-orders/${id}`,
      `/v1/work-orders/${id}/events`,
      `/v1/work-orders/${id}/delivery`,
      '/v1/intake/rejections',
      '/v1/workflows',
      '/v1/workflows/support-recovery',
      '/v1/exception-codes',
      `/v1/approvals/${approvalId}`,
      '/v1/approvals?owner=support-lead',
      `/v1/exceptions/${exceptionId}`,
      '/v1/ledger/events',
      '/v1/ledger/verify',
      '/v1/views/closures',
    ]) {
      expect({ path, status: (await as.lead('GET', path)).status }).toEqual({ path, status: 200 });
    }
    const checkpoint = await as.lead<SignedCheckpoint>('GET', '/v1/ledger/checkpoint');
    expect(checkpoint.status).toBe(200);
    expect(await as.lead('POST', '/v1/ledger/verify', { checkpoint: checkpoint.body })).toMatchObject({
      status: 200,
      body: { ok: true },
    });

    expect((await fetch(`${baseUrl}/health`)).status).toBe(200);
    expect(violations()).toEqual([]);
    expect(outputs()).not.toMatch(/Permissions Violation|Authorization Violation/i);
  });

  it("changes a workflow under the services' own users: a draft, a widening proposal, the owner's approval", async () => {
    const v1 = {
      jobType: 'sec-change',
      version: 1,
      title: 'Security change',
      owner: 'support-lead',
      systems: [{ name: 'shop', read: true, write: [] }],
    };
    expect((await as.lead('POST', '/v1/workflows', v1)).status).toBe(201);
    const draft = await as.lead<WorkflowDraft>('POST', '/v1/workflows/sec-change/drafts', {
      ...v1,
      version: 2,
      systems: [{ name: 'shop', read: true, write: ['order.note'] }],
    });
    expect(draft).toMatchObject({ status: 201, body: { problems: [], diff: { widens: true } } });
    const proposed = await as.lead<WorkflowChangeRequested>(
      'POST',
      `/v1/workflows/sec-change/drafts/${draft.body.draftId}/propose`,
    );
    expect(proposed).toMatchObject({ status: 202, body: { owner: 'support-lead', status: 'requested' } });
    expect(
      await as['support-lead']('POST', `/v1/approvals/${proposed.body.approvalId}/decision`, { decision: 'approve' }),
    ).toMatchObject({ status: 200, body: { status: 'approved' } });
    expect((await as.lead<WorkflowVersion>('GET', '/v1/workflows/sec-change')).body.version).toBe(2);
    expect(violations()).toEqual([]);
  });

  it('retires the consumers an earlier version left under its own permissions: they run until drained, then are deleted', async () => {
    for (const [user, durable] of RETIRED) {
      const jsm = await (await as_(user)).jetstreamManager();
      await until(
        async () =>
          !(await jsm.consumers.info(Streams.ledger.name, durable).then(
            () => true,
            () => false,
          )),
        20_000,
        `${durable} to be retired`,
      );
    }
    expect(violations()).toEqual([]);
  });

  it('a service may call only what it uses: other subjects are refused while their service serves them', async () => {
    // [refused user, subject, a user allowed to call it (proves the subject is being served)]
    const cases: Array<[User, string, User]> = [
      ['gateway', Subjects.ledger.append.subject, 'intake'],
      ['gateway', Subjects.ledger.appendBatch.subject, 'intake'],
      ['gateway', Subjects.ledger.readStreamBatch.subject, 'intake'],
      ['intake', Subjects.approvals.decide.subject, 'gateway'],
      ['policy', Subjects.intake.command.subject, 'gateway'],
      ['gateway', Subjects.intake.commitWithOutcome.subject, 'approvals'],
      ['policy', Subjects.intake.commitWithOutcome.subject, 'exceptions'],
      ['approvals', Subjects.exceptions.resolve.subject, 'gateway'],
      ['exceptions', Subjects.policy.publish.subject, 'gateway'],
      ['ledger', Subjects.policy.get.subject, 'intake'],
      ['integrator', Subjects.intake.command.subject, 'gateway'],
      ['integrator', Subjects.ledger.append.subject, 'policy'],
      // A governed change: only the policy service asks for its approval, the approvals service never
      // calls the policy service back, and the policy service writes its own stream alone.
      ['gateway', Subjects.approvals.openChange.subject, 'policy'],
      ['approvals', Subjects.policy.applyChange.subject, 'gateway'],
      ['policy', Subjects.ledger.appendBatch.subject, 'intake'],
    ];
    for (const [refused, subject, allowed] of cases) {
      // An empty body: the service refuses it itself (validation), but it does answer.
      const answer = await (await as_(allowed)).request(subject, enc.encode('{}'), { timeout: 5000 });
      expect(JSON.parse(new TextDecoder().decode(answer.data))).toHaveProperty('ok');
      await expectRefused(
        (await as_(refused)).request(subject, enc.encode('{}'), { timeout: 5000 }),
        'publish',
        subject,
      );
    }
  });

  it("no service may serve or overhear another service's subjects", async () => {
    expect(await subscribeVerdict(await as_('intake'), Subjects.ledger.append.subject)).toBe(
      `${ErrorCode.PermissionsViolation} subscription ${Subjects.ledger.append.subject}`,
    );
    expect(await subscribeVerdict(await as_('gateway'), 'workgate.approvals.*')).toBe(
      `${ErrorCode.PermissionsViolation} subscription workgate.approvals.*`,
    );
    expect(await subscribeVerdict(await as_('approvals'), 'workgate.>')).toBe(
      `${ErrorCode.PermissionsViolation} subscription workgate.>`,
    );
    expect(await subscribeVerdict(await as_('exceptions'), 'ledger.>')).toBe(
      `${ErrorCode.PermissionsViolation} subscription ledger.>`,
    );
    expect(await subscribeVerdict(await as_('gateway'), 'workgate.events.>')).toBe(
      `${ErrorCode.PermissionsViolation} subscription workgate.events.>`,
    );
    // What a service does use is granted (the same check answers "allowed").
    expect(await subscribeVerdict(await as_('intake'), 'ledger.workflow.WorkflowPublished')).toBeUndefined();
    expect(await subscribeVerdict(await as_('ledger'), Subjects.ledger.append.subject)).toBeUndefined();
  });

  it('only the ledger publishes to LEDGER; only integrators publish work events', async () => {
    const forged = enc.encode(JSON.stringify({ eventId: 'forged', type: 'WorkOrderOpened', data: {} }));
    for (const user of USERS.filter((u) => u !== 'ledger')) {
      const subject = `ledger.forged.${user}`;
      await expectRefused(
        (await as_(user)).jetstream().publish(subject, forged, { msgID: `forged-${user}`, timeout: 5000 }),
        'publish',
        subject,
      );
      await expectRefused(
        (await as_(user))
          .jetstream()
          .publish('ledger.workorder.WorkOrderOpened', forged, { msgID: `forged-wo-${user}`, timeout: 5000 }),
        'publish',
        'ledger.workorder.WorkOrderOpened',
      );
    }
    for (const user of SERVICES) {
      await expectRefused(
        (await as_(user))
          .jetstream()
          .publish('workgate.events.crm', forged, { msgID: `not-an-integrator-${user}`, timeout: 5000 }),
        'publish',
        'workgate.events.crm',
      );
    }
    // JetStream sends its ack to the reply subject a publish names. An integrator naming a LEDGER
    // subject must not get the ack stored there (it could never be deleted, and the relay would stop).
    const h = natsHeaders();
    h.set('Content-Type', 'application/cloudevents+json');
    h.set('Nats-Msg-Id', 'crm:sec-deputy');
    const event = {
      specversion: '1.0',
      id: 'sec-deputy',
      source: 'crm',
      type: 'workgate.workorder.open',
      subject: 'SEC-DEPUTY',
      data: { jobType: 'support-recovery', inputs: { caseId: 'C-3', orderId: '3', orderPaid: true } },
    };
    const integrator = await as_('integrator');
    integrator.publish('workgate.events.crm', enc.encode(JSON.stringify(event)), {
      reply: 'ledger.forged.deputy',
      headers: h,
    });
    await integrator.flush();
    // Intake opens it, so the ledger relays a WorkOrderOpened after the place that ack would take in LEDGER.
    await until(
      async () => {
        const { rows } = await db
          .appPool()
          .query(`SELECT 1 FROM ledger_events WHERE type = 'WorkOrderOpened' AND data->>'externalRef' = 'SEC-DEPUTY'`);
        return rows.length === 1;
      },
      20_000,
      'intake to open SEC-DEPUTY',
    );
    const jsm = await (await as_('gateway')).jetstreamManager();
    // The ledger does publish: LEDGER holds exactly the ledger's events, one message per position
    // (a foreign message would also stop the relay, which expects each previous sequence).
    const relay = await (await as_('ledger')).jetstreamManager();
    await until(
      async () => {
        const { rows } = await db.appPool().query(`SELECT count(*)::int AS n FROM ledger_events`);
        const info = await jsm.streams.info('LEDGER');
        if (rows[0].n === 0 || info.state.messages !== rows[0].n || info.state.last_seq !== rows[0].n) return false;
        const last = await relay.streams.getMessage('LEDGER', { seq: info.state.last_seq });
        return last.header.get(LedgerHeaders.position) === String(rows[0].n);
      },
      20_000,
      'LEDGER to hold every ledger event and nothing else',
    );
    const subjects = async (filter: string) =>
      Object.keys((await jsm.streams.info('LEDGER', { subjects_filter: filter })).state.subjects ?? {});
    expect(await subjects('ledger.forged.>')).toEqual([]);
    expect(await subjects('ledger.workorder.>')).toContain('ledger.workorder.WorkOrderOpened');
  });

  it('nobody deletes or purges the evidence streams or deletes a message, not even the ledger; only the ledger changes a stream', async () => {
    const before = await (await as_('gateway')).jetstreamManager();
    const state = async (stream: string) => {
      const info = await before.streams.info(stream);
      return { first: info.state.first_seq, denyDelete: info.config.deny_delete, denyPurge: info.config.deny_purge };
    };
    const initial = { LEDGER: await state('LEDGER'), WORK_EVENTS: await state('WORK_EVENTS') };
    for (const user of USERS) {
      const jsm = await (await as_(user)).jetstreamManager({ checkAPI: false });
      for (const stream of ['LEDGER', 'WORK_EVENTS']) {
        await expectRefused(jsm.streams.purge(stream), 'publish', `$JS.API.STREAM.PURGE.${stream}`);
        await expectRefused(jsm.streams.deleteMessage(stream, 1), 'publish', `$JS.API.STREAM.MSG.DELETE.${stream}`);
        await expectRefused(
          jsm.streams.deleteMessage(stream, 1, false),
          'publish',
          `$JS.API.STREAM.MSG.DELETE.${stream}`,
        );
        await expectRefused(jsm.streams.delete(stream), 'publish', `$JS.API.STREAM.DELETE.${stream}`);
      }
    }
    for (const user of SERVICES.filter((s) => s !== 'ledger')) {
      const jsm = await (await as_(user)).jetstreamManager();
      await expectRefused(jsm.streams.update('LEDGER', { max_msgs: 1 }), 'publish', '$JS.API.STREAM.UPDATE.LEDGER');
      await expectRefused(
        jsm.streams.add({ name: 'LEDGER_COPY', subjects: ['ledger.copy.>'] }),
        'publish',
        '$JS.API.STREAM.CREATE.LEDGER_COPY',
      );
    }
    expect({ LEDGER: await state('LEDGER'), WORK_EVENTS: await state('WORK_EVENTS') }).toEqual(initial);
    expect(initial.LEDGER).toEqual({ first: 1, denyDelete: true, denyPurge: true });
  });

  it('the integrator publishes work events and reads its acks, nothing else', async () => {
    const integrator = await as_('integrator');
    const ack = await integrator
      .jetstream()
      .publish('workgate.events.crm', enc.encode('{"not":"a cloudevent"}'), { msgID: 'crm:sec-e2' });
    expect(ack).toMatchObject({ stream: 'WORK_EVENTS', seq: expect.any(Number) });
    // intake rejects it: recorded in the ledger and announced on workgate.rejected.* (intake may publish there)
    await until(
      async () => (await as.lead<RejectionsPage>('GET', '/v1/intake/rejections')).body?.rejections?.length > 0,
      20_000,
      'the rejection',
    );
    await expectRefused(
      integrator.jetstream().publish('workgate.intake.command', enc.encode('{}'), { timeout: 5000 }),
      'publish',
      'workgate.intake.command',
    );
    await expectRefused(integrator.jetstreamManager(), 'publish', '$JS.API.INFO');
    await expectRefused(
      (await integrator.jetstreamManager({ checkAPI: false })).streams.info('WORK_EVENTS'),
      'publish',
      '$JS.API.STREAM.INFO.WORK_EVENTS',
    );
    expect(await subscribeVerdict(integrator, 'workgate.events.>')).toBe(
      `${ErrorCode.PermissionsViolation} subscription workgate.events.>`,
    );
    expect(await subscribeVerdict(integrator, 'ledger.>')).toBe(
      `${ErrorCode.PermissionsViolation} subscription ledger.>`,
    );
    expect(await subscribeVerdict(integrator, '_INBOX.>')).toBeUndefined(); // its own account's inboxes only
  });

  it('a connection needs its own user and password; the services log their NATS URL without it', async () => {
    const refusal = (options: ConnectionOptions) =>
      connect({ servers: `127.0.0.1:${port}`, reconnect: false, timeout: 5000, ...options }).then(
        async (nc) => {
          await nc.close();
          return 'connected';
        },
        (error: NatsError) => error.code,
      );
    expect(await refusal({})).toBe(ErrorCode.AuthorizationViolation);
    expect(await refusal({ user: 'ledger', pass: passwords.intake })).toBe(ErrorCode.AuthorizationViolation);
    expect(await refusal({ user: 'ledger', pass: passwords.ledger })).toBe('connected');
    // NATS_URL carries the credentials (nats://user:password@host:port); they never reach a log line.
    expect(natsServers(natsUrl('ledger'))).toEqual({
      servers: [`nats://127.0.0.1:${port}`],
      user: 'ledger',
      pass: passwords.ledger,
    });
    expect(natsServers('nats://a%40b:p%3Aw%2C@n1:4222,nats://a%40b:p%3Aw%2C@n2:4222')).toEqual({
      servers: ['nats://n1:4222', 'nats://n2:4222'],
      user: 'a@b',
      pass: 'p:w,',
    });
    expect(natsServers('nats://n1:4222,nats://n2:4222')).toEqual({ servers: ['nats://n1:4222', 'nats://n2:4222'] });
    expect(redactNatsUrl('nats://u:p@n1:4222,nats://u:p@n2:4222')).toBe('nats://n1:4222,nats://n2:4222');
    for (const service of SERVICES.filter((s) => s !== 'gateway')) {
      const out = services.get(service)!.output();
      expect(out).toContain(`${service} listening on nats://127.0.0.1:${port}`);
      expect(out).not.toContain(passwords[service]);
    }
  });

  it('a service cannot be made to answer where it may not publish: it answers only on inboxes', async () => {
    // A request may name any reply subject; the ledger serves it but answers only on `_INBOX.` subjects,
    // so nothing is published to this one (no violation either: it does not even try).
    const gateway = await as_('gateway');
    gateway.publish(Subjects.ledger.listWorkOrders.subject, enc.encode('{}'), { reply: DEPUTY_REPLY });
    await gateway.flush();
    // The same request with an inbox reply is answered: the ledger was there to serve the first one.
    const answered = await gateway.request(Subjects.ledger.listWorkOrders.subject, enc.encode('{}'), { timeout: 5000 });
    expect(JSON.parse(new TextDecoder().decode(answered.data)).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(
      violations().filter((l) => l.includes(':workgate-ledger"') && l.includes(`Subject "${DEPUTY_REPLY}"`)),
    ).toEqual([]);
  });

  it("the server log shows the refusals above, every one from the test's probes, none from a service", () => {
    const lines = violations();
    // The log does record violations, with the user and the subject...
    expect(
      lines.some((l) => l.includes('Publish Violation - User "intake", Subject "workgate.approvals.decide"')),
    ).toBe(true);
    expect(
      lines.some((l) => l.includes('Publish Violation - User "ledger", Subject "$JS.API.STREAM.DELETE.LEDGER"')),
    ).toBe(true);
    expect(
      lines.some((l) => l.includes('Subscription Violation - User "intake", Subject "workgate.ledger.append"')),
    ).toBe(true);
    // ...and every one of them came from a connection of this test, none from the running services.
    expect(lines.filter((l) => !/"[^"]*:probe-[a-z-]+"/.test(l) && !l.includes(`Subject "${DEPUTY_REPLY}"`))).toEqual(
      [],
    );
    expect(outputs()).not.toMatch(/Permissions Violation/i);
  });

  it("the gateway's allow-list is exactly the service subjects its routes call", () => {
    const conf = readFileSync(CONF, 'utf8');
    const block = /\nGATEWAY_PERMISSIONS = \{[\s\S]*?allow = \[([\s\S]*?)\]/.exec(conf)?.[1] ?? '';
    const allowed = [...block.matchAll(/"(workgate\.[^"]+)"/g)]
      .map((m) => m[1])
      .filter((subject) => subject !== 'workgate.*.health');
    const called = new Set<string>();
    const walk = (path: string): void => {
      for (const entry of readdirSync(path, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(path, entry.name));
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) {
          for (const [, service, verb] of readFileSync(join(path, entry.name), 'utf8').matchAll(
            /Subjects\.(\w+)\.(\w+)/g,
          )) {
            called.add(
              (Subjects as unknown as Record<string, Record<string, { subject: string }>>)[service][verb].subject,
            );
          }
        }
      }
    };
    walk(join(ROOT, 'apps', 'gateway'));
    expect(called.size).toBeGreaterThan(20);
    expect(allowed.sort()).toEqual([...called].sort());
  });

  it('deploy/docker-compose.nats-auth.yml gives each service its own user and the server every password deploy/nats.conf reads', () => {
    const compose = parse(readFileSync(COMPOSE_OVERRIDE, 'utf8'), { merge: true }) as {
      services: Record<string, { environment?: Record<string, string>; command?: string[]; volumes?: string[] }>;
    };
    const conf = readFileSync(CONF, 'utf8');
    const read = [...new Set([...conf.matchAll(/^[^#"\n]*?\$(WORKGATE_[A-Z_]+)/gm)].map((m) => m[1]))].sort();
    expect(read).toEqual(['WORKGATE_NATS_STORE_DIR', ...USERS.map(passwordVar)].sort());
    const nats = compose.services.nats;
    expect(Object.keys(nats.environment ?? {}).sort()).toEqual(read);
    expect(nats.volumes).toContain('./deploy/nats.conf:/etc/workgate/nats.conf:ro');
    expect(nats.command?.slice(0, 2)).toEqual(['-c', '/etc/workgate/nats.conf']);
    for (const user of USERS)
      expect(nats.environment?.[passwordVar(user)]).toMatch(new RegExp(`^\\$\\{${passwordVar(user)}:\\?[^}]+\\}$`));
    for (const service of SERVICES) {
      expect(compose.services[service]?.environment?.NATS_URL).toMatch(
        new RegExp(`^nats://${service}:\\$\\{${passwordVar(service)}:\\?[^}]+\\}@nats:4222$`),
      );
    }
  });
});
