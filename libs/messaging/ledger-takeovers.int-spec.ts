import { connect, Msg, NatsConnection } from 'nats';
import { Notices, rpc, WorkgateError } from '@workgate/contracts';
import { startNatsServer, TestNatsServer } from '../../test/support/nats-server';
import { LedgerTakeovers } from './ledger-takeovers';
import { NoticeBus } from './notice-bus';
import { RpcClient } from './rpc-client';
import { encodeJson, replyError } from './wire';

/**
 * A ledger writer killed with requests in flight never answers them. Once another instance says it
 * took over (workgate.notice.ledger-writer-active), each process sends its ledger requests in flight
 * again, and they are answered by the new writer long before their time-out (here 10 minutes: a
 * request that is not sent again fails the test by the test's own time-out).
 */
describe('LedgerTakeovers: ledger requests in flight are sent again when a writer takes over (real NATS)', () => {
  const NEVER_MS = 600_000;
  let nats: TestNatsServer;
  let client: NatsConnection;
  let dead: NatsConnection;
  let writer: NatsConnection;
  let takeovers: LedgerTakeovers;
  let rpcClient: RpcClient;

  beforeAll(async () => {
    nats = await startNatsServer();
    [client, dead, writer] = await Promise.all([1, 2, 3].map(() => connect({ servers: nats.url })));
    rpcClient = new RpcClient(client, NEVER_MS);
    takeovers = new LedgerTakeovers(new NoticeBus(client), rpcClient);
    await client.flush();
  });

  afterAll(async () => {
    takeovers.onApplicationShutdown();
    await Promise.all([client, dead, writer].map((nc) => nc.close()));
    await nats.stop();
  });

  /** Subscribes on `nc`; each request received is handed to `onRequest` (which may answer or not). */
  const serve = async (nc: NatsConnection, subject: string, onRequest: (msg: Msg) => void) => {
    const sub = nc.subscribe(subject, { callback: (_err, msg) => onRequest(msg) });
    await nc.flush();
    return sub;
  };
  /** A request on `subject` to a server that holds what it receives (answered by the test, or never). */
  const askHeld = async (subject: string, n: number, timeoutMs?: number) => {
    const held: Msg[] = [];
    const sub = await serve(writer, subject, (msg) => held.push(msg));
    const asked = rpcClient.request(rpc<{ n: number }, string>(subject), { n }, timeoutMs ? { timeoutMs } : {});
    await eventuallyTrue(() => held.length === 1);
    return { held, sub, asked };
  };
  const answer = (msg: Msg, data: unknown) => msg.respond(encodeJson({ ok: true, data }));
  const announce = async (instance: string) => {
    new NoticeBus(writer).publish(Notices.ledgerWriterActive, { instance, position: 7 });
    await writer.flush();
  };

  it('sends a ledger request again on the notice, and the new writer answers it', async () => {
    const subject = 'workgate.ledger.takeover-read';
    const swallowed: Msg[] = [];
    const gone = await serve(dead, subject, (msg) => swallowed.push(msg));
    const asked = rpcClient.request(rpc<{ n: number }, string>(subject), { n: 1 });
    await eventuallyTrue(() => swallowed.length === 1);
    gone.unsubscribe(); // the writer dies with the request
    await dead.flush();
    const received: unknown[] = [];
    await serve(writer, subject, (msg) => {
      received.push(JSON.parse(new TextDecoder().decode(msg.data)));
      answer(msg, 'from the new writer');
    });
    await announce('ledger-2');
    await expect(asked).resolves.toBe('from the new writer');
    expect(received).toEqual([{ n: 1 }]);
  });

  it('keeps the first answer when the first attempt answers after all', async () => {
    const subject = 'workgate.ledger.takeover-slow';
    const { held, sub, asked } = await askHeld(subject, 2);
    await announce('ledger-1');
    await eventuallyTrue(() => held.length === 2);
    answer(held[0], 'first attempt');
    await expect(asked).resolves.toBe('first attempt');
    answer(held[1], 'second attempt'); // arrives after the request settled: dropped
    sub.unsubscribe();
  });

  it('waits for the latest attempt when an earlier one times out', async () => {
    const subject = 'workgate.ledger.takeover-late';
    const timeoutMs = 2000;
    const { held, sub, asked } = await askHeld(subject, 3, timeoutMs);
    const sent = Date.now(); // the first attempt was sent before this
    const until = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
    // The second attempt goes half a time-out after the first: the first times out while the second still waits.
    await until(sent + timeoutMs / 2);
    await announce('ledger-3');
    await eventuallyTrue(() => held.length === 2);
    await until(sent + timeoutMs + 100);
    answer(held[1], 'second attempt');
    await expect(asked).resolves.toBe('second attempt');
    sub.unsubscribe();
  });

  it("answers a refusal as the request's answer, and fails when its latest attempt times out", async () => {
    const subject = 'workgate.ledger.takeover-refused';
    const { held, sub, asked: refused } = await askHeld(subject, 4);
    held[0].respond(encodeJson(replyError(new WorkgateError('version_conflict', 'refused by the writer'))));
    await expect(refused).rejects.toEqual(new WorkgateError('version_conflict', 'refused by the writer'));
    const unanswered = rpcClient.request(rpc<{ n: number }, string>(subject), { n: 5 }, { timeoutMs: 200 });
    await expect(unanswered).rejects.toEqual(new WorkgateError('timeout', `no answer on ${subject} within 200 ms`));
    sub.unsubscribe();
  });

  it('never sends again a request to another service', async () => {
    const subject = 'workgate.policy.takeover-other';
    const { held, sub, asked } = await askHeld(subject, 6);
    await announce('ledger-4');
    await client.flush();
    await writer.flush();
    expect(held).toHaveLength(1);
    answer(held[0], 'policy');
    await expect(asked).resolves.toBe('policy');
    sub.unsubscribe();
  });
});

/** Polls a condition the NATS round trips will make true (no clock in the assertion). */
async function eventuallyTrue(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}
