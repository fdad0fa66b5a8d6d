import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, headers as natsHeaders, NatsConnection, Subscription } from 'nats';
import type { RecordedEvent } from '@workgate/contracts';
import { freshDatabase, TestDatabase } from '../support/database';
import { freePort, startNatsServer, TestNatsServer } from '../support/nats-server';
import { client, writePrincipals } from '../support/principals';
import { ServiceProcess, startBuiltWorkgate } from '../support/processes';
import { AnswerIds, canary, Shown, Surface } from './canaries';

/** An answer as the canary run keeps it: which request it was, its status, body and text. */
export interface Answer<T> {
  request: string;
  status: number;
  body: T;
  text: string;
}

/** A call as one principal (or with a given key). */
export type Call = <T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<Answer<T>>;

/** Where each command's answer ids go, to read those views later. */
export type AnswerIdLists = Record<'workOrders' | 'receipts' | 'exceptions' | 'postReviews', string[]>;

/**
 * Workgate as its own process (`node dist/cli/start.js`, LOG_LEVEL=debug) on a scratch
 * nats-server and database, whose configuration carries canaries too (the database password, the
 * NATS credentials), with what the canary run reads and keeps.
 */
export interface CanaryRig {
  url: string;
  /** The workgate process (once started). */
  process: () => ServiceProcess;
  principals: ReturnType<typeof writePrincipals>;
  /** A caller per principal. */
  as: Record<string, Call>;
  /** Calls as a principal (or with `key`), keeping every 4xx body for the error check and every 5xx as a defect. */
  caller: (key: string | undefined) => Call;
  /** `res`, expecting `status` (the failure shows the request and the answer). */
  ok: <T extends { request: string; status: number; text: string }>(res: T, status: number) => T;
  /** What each surface showed. */
  seen: Record<Surface, Shown[]>;
  serverErrors: string[];
  notifications: string[];
  ids: AnswerIdLists;
  /** Keeps the receipt, exception and post-review ids of a command's answer, to read those views later. */
  remember: <T extends AnswerIds>(answer: T) => T;
  /** Publishes `body` to WORK_EVENTS as `source`, deduplicated by `id`. */
  publish: (source: string, id: string, body: Uint8Array | string, headers?: Record<string, string>) => Promise<void>;
  /** A structured CloudEvent. */
  ce: (source: string, id: string, type: string, subject: string, data: unknown) => Record<string, unknown>;
  /** A work order's ledger events, as the ops lead reads them. */
  events: (workOrderId: string) => Promise<RecordedEvent[]>;
}

/** Starts the canary run's workgate before the file's tests and stops it after them. */
export function canaryRig(): CanaryRig {
  let nats: TestNatsServer;
  let db: TestDatabase;
  let dataDir: string;
  let notifySub: Subscription;
  let nc: NatsConnection | undefined;
  let proc: ServiceProcess | undefined;
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
  const rig: CanaryRig = {
    url: '',
    process: () => {
      if (!proc) throw new Error('workgate has not started');
      return proc;
    },
    principals,
    as: {},
    caller:
      (key) =>
      async <T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) => {
        const res = { request: `${method} ${path}`, ...(await client(rig.url, key)<T>(method, path, body, headers)) };
        if (res.status >= 500) rig.serverErrors.push(`${method} ${path} -> ${res.status} ${res.text}`);
        else if (res.status >= 400) rig.seen.errors.push({ where: `${res.request} -> ${res.status}`, text: res.text });
        return res;
      },
    ok: (res, status) => {
      const seenAs = { request: res.request, answer: res.text.slice(0, 500) };
      expect({ ...seenAs, status: res.status }).toEqual({ ...seenAs, status });
      return res;
    },
    seen: { logs: [], notifications: [], delivery: [], errors: [], views: [], receipts: [], approvals: [] },
    serverErrors: [],
    notifications: [],
    ids: { workOrders: [], receipts: [], exceptions: [], postReviews: [] },
    remember: (answer) => {
      if (typeof answer.receiptId === 'string') rig.ids.receipts.push(answer.receiptId);
      if (answer.exception?.exceptionId) rig.ids.exceptions.push(answer.exception.exceptionId);
      for (const e of answer.exceptions ?? []) if (e.exceptionId) rig.ids.exceptions.push(e.exceptionId);
      if (answer.postReview?.id) rig.ids.postReviews.push(answer.postReview.id);
      return answer;
    },
    publish: async (source, id, body, headers = {}) => {
      const h = natsHeaders();
      h.set('Nats-Msg-Id', `${source}:${id}`);
      for (const [k, v] of Object.entries(headers)) h.set(k, v);
      if (!nc) throw new Error('not connected to NATS');
      await nc
        .jetstream()
        .publish(`workgate.events.${source}`, typeof body === 'string' ? new TextEncoder().encode(body) : body, {
          headers: h,
        });
    },
    ce: (source, id, type, subject, data) => ({ specversion: '1.0', id, source, type, subject, data }),
    events: async (workOrderId) =>
      (await rig.as.lead<RecordedEvent[]>('GET', `/v1/work-orders/${workOrderId}/events`)).body,
  };

  // The process's own configuration carries secrets too: a database password and NATS credentials.
  const dbPassword = canary('DATABASE_URL password', 'plain', { recorded: false });
  const natsPassword = canary('NATS_URL password', 'plain', { recorded: false });

  beforeAll(async () => {
    nats = await startNatsServer();
    db = await freshDatabase();
    nc = await connect({ servers: nats.url });
    notifySub = nc.subscribe('workgate.notify.>', {
      callback: (_e, m) => rig.notifications.push(new TextDecoder().decode(m.data)),
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
    rig.url = `http://127.0.0.1:${port}`;
    rig.as = Object.fromEntries(Object.entries(principals.keys).map(([id, key]) => [id, rig.caller(key)]));
  });
  afterAll(async () => {
    notifySub?.unsubscribe();
    await proc?.kill('SIGKILL');
    await nc?.close();
    await db?.drop();
    await nats?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  return rig;
}
