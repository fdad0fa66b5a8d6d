import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, connect, ErrorCode, NatsConnection, NatsError } from 'nats';
import { SERVICES, ServiceName, Streams, Subjects } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { waitFor } from '../../cli/infra';
import { freshDatabase, TestDatabase } from '../support/database';
import { freePort } from '../support/nats-server';
import { client, clientsFor, writePrincipals } from '../support/principals';
import { eventually, ServiceProcess, spawnBuilt } from '../support/processes';

export const ROOT = join(__dirname, '..', '..');
export const CONF = join(ROOT, 'deploy', 'nats.conf');
export const COMPOSE_OVERRIDE = join(ROOT, 'deploy', 'docker-compose.nats-auth.yml');

export type User = ServiceName | 'integrator';
export const USERS: User[] = [...SERVICES, 'integrator'];
export const passwordVar = (user: User) => `WORKGATE_NATS_${user.toUpperCase()}_PASSWORD`;
/** The services in start order: the ledger creates the streams, the others only look at them. */
const AFTER_LEDGER: ServiceName[] = ['exceptions', 'policy', 'approvals', 'intake', 'gateway'];

export const enc = new TextEncoder();
/** A reply subject a request names to make a service publish where it may not. */
export const DEPUTY_REPLY = '$JS.API.STREAM.DELETE.LEDGER';

/** The consumers earlier versions started approvals and exceptions with, or settled changes from, and this one retires: user, durable and subject. */
export const RETIRED = [
  ['approvals', 'approvals-waits', 'ledger.workorder.ActionDecided'],
  ['exceptions', 'exceptions-prerequisites', 'ledger.workorder.WorkOrderOpened'],
  ['policy', 'policy-change-ApprovalGranted', 'ledger.approval.ApprovalGranted'],
  ['policy', 'policy-change-ApprovalRejected', 'ledger.approval.ApprovalRejected'],
  ['policy', 'policy-change-ApprovalExpired', 'ledger.approval.ApprovalExpired'],
  ['policy', 'policy-change-ApprovalWithdrawn', 'ledger.approval.ApprovalWithdrawn'],
] as const;

/**
 * The consumers earlier versions started approvals, post-reviews and exceptions with, which this
 * version keeps: each owning service starts its streams from them when intake's ask did not (docs/ledger.md).
 */
export const KEPT = [
  ['approvals', 'approvals-gates', 'ledger.workorder.GateRequested'],
  ['approvals', 'approvals-break-glass', 'ledger.workorder.BreakGlassUsed'],
  ['exceptions', 'exceptions-blocked-steps', 'ledger.workorder.StepBlocked'],
  ['exceptions', 'exceptions-work-order-raised', 'ledger.workorder.WorkOrderExceptionRaised'],
  ['exceptions', 'exceptions-break-glass', 'ledger.workorder.BreakGlassUsed'],
] as const;

/** The promise is refused by nats-server for lack of permission (not a time-out, not "no responders"). */
export async function expectRefused(
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
export async function subscribeVerdict(nc: NatsConnection, subject: string): Promise<string | undefined> {
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
 * process under its own NATS user (the earlier versions' consumers left on the ledger stream).
 */
export interface NatsSecurityRig {
  /** The nats-server's port (once it listens). */
  port: number;
  baseUrl: string;
  passwords: Record<string, string>;
  services: Map<ServiceName, ServiceProcess>;
  /** A caller per principal. */
  as: Record<string, ReturnType<typeof client>>;
  database: () => TestDatabase;
  natsUrl: (user: User) => string;
  /** The server log's violation lines. */
  violations: () => string[];
  /** What each service wrote. */
  outputs: () => string;
  /** `eventually`, and on failure what the services said by then. */
  until: <T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string) => Promise<T>;
  /** A connection of the test's own as `user` (named probe-<user>, so the server log tells it from the services). */
  probe: (user: User) => Promise<NatsConnection>;
  /** Stops the ledger and starts it again under its user; resolves once it is the writer again. */
  restartLedger: () => Promise<void>;
}

/** Starts the nats-server and the services before the file's tests, and stops them after. */
export function natsSecurityRig(): NatsSecurityRig {
  let dir: string;
  let server: ChildProcess;
  let serverErr = '';
  let logFile: string;
  let db: TestDatabase | undefined;
  const probes = new Map<string, NatsConnection>();
  const principals = writePrincipals({
    helpdesk: ['integrator'],
    agent: ['operator'],
    'support-lead': ['approver', 'operator'],
    lead: ['ops-lead', 'analyst', 'admin'],
    'agent-x': ['operator'],
  });
  const rig: NatsSecurityRig = {
    port: 0,
    baseUrl: '',
    passwords: Object.fromEntries(USERS.map((u) => [u, `wg${randomBytes(24).toString('hex')}`])),
    services: new Map(),
    as: {},
    database: () => {
      if (!db) throw new Error('no database yet');
      return db;
    },
    natsUrl: (user) => `nats://${user}:${rig.passwords[user]}@127.0.0.1:${rig.port}`,
    violations: () =>
      readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((l) => /Violation/.test(l)),
    outputs: () =>
      [...rig.services]
        .map(([s, p]) => `--- ${s}${p.child.exitCode === null ? '' : ` (exited ${p.child.exitCode})`}\n${p.output()}`)
        .join('\n'),
    until: (probe, timeoutMs, what) =>
      eventually(probe, timeoutMs, what).catch((error: Error) => {
        throw new Error(`${error.message}\n${rig.outputs()}`);
      }),
    probe: async (user) => {
      let nc = probes.get(user);
      if (!nc) {
        nc = await connect({
          servers: `127.0.0.1:${rig.port}`,
          user,
          pass: rig.passwords[user],
          name: `probe-${user}`,
        });
        probes.set(user, nc);
      }
      return nc;
    },
    restartLedger: async () => {
      await rig.services.get('ledger')?.kill();
      start('ledger');
      await ledgerWriting();
    },
  };
  let start: (service: ServiceName) => void = () => undefined;
  const ledgerWriting = async () => {
    const rpc = new RpcClient(await rig.probe('gateway'), 1000, false);
    await rig.until(
      async () => (await rpc.request(Subjects.health('ledger'), {})).details?.writer === 'active',
      60_000,
      'the ledger to become the writer',
    );
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wg-nats-sec-'));
    logFile = join(dir, 'nats-server.log');
    rig.port = await freePort();
    // The file as shipped; only the listen address comes from the command line (flags win over the file).
    server = spawn('nats-server', ['-c', CONF, '-a', '127.0.0.1', '-p', String(rig.port), '-l', logFile], {
      env: {
        ...process.env,
        WORKGATE_NATS_STORE_DIR: join(dir, 'store'),
        ...Object.fromEntries(USERS.map((u) => [passwordVar(u), rig.passwords[u]])),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    server.stderr?.on('data', (d) => (serverErr += d));
    await waitFor('127.0.0.1', rig.port, 'nats-server -c deploy/nats.conf', 10_000).catch((error: Error) => {
      throw new Error(`${error.message}: ${serverErr}`);
    });
    const database = await freshDatabase();
    db = database;
    const httpPort = await freePort();
    rig.baseUrl = `http://127.0.0.1:${httpPort}`;
    const env = (service: ServiceName) => ({
      DATABASE_URL: database.url,
      NATS_URL: rig.natsUrl(service),
      WORKGATE_DATA_DIR: join(dir, 'data'),
      WORKGATE_PRINCIPALS: principals.path,
      PORT: String(httpPort),
      HOST: '127.0.0.1',
      // info: the start-up line names the NATS URL (it must come out without the password)
      LOG_LEVEL: 'info',
    });
    start = (service) => void rig.services.set(service, spawnBuilt(`apps/${service}/main.js`, env(service)));

    start('ledger');
    await ledgerWriting();
    // What earlier versions left: the consumers they started streams with, created under the
    // users of the services that ran them.
    for (const [user, durable, subject] of [...RETIRED, ...KEPT]) {
      await (
        await (await rig.probe(user)).jetstreamManager()
      ).consumers.add(Streams.ledger.name, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        filter_subject: subject,
      });
    }
    AFTER_LEDGER.forEach(start);
    await rig.until(
      async () => (await fetch(`${rig.baseUrl}/health`)).status === 200,
      120_000,
      'every service to answer /health',
    );
    rig.as = clientsFor(rig.baseUrl, principals.keys);
  }, 200_000);

  afterAll(async () => {
    for (const nc of probes.values()) await nc.close().catch(() => undefined);
    for (const p of [...rig.services.values()].reverse()) await p.kill();
    await db?.drop();
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);
  return rig;
}
