import { randomUUID } from 'node:crypto';
import { NatsConnection } from 'nats';
import { InProcessSubjects, Subjects } from '@workgate/contracts';
import { ledgerStreamTail, RpcClient } from '@workgate/messaging';
import { loadConfig } from '@workgate/config';
import { LedgerWriter, prepareCommit } from '@workgate/event-store';
import { startMicroservice } from '@workgate/messaging';
import { LedgerModule } from '../apps/ledger/ledger.module';
import { LedgerRelay } from '../apps/ledger/ledger-relay';
import { RunningWorkgate } from '../cli/workgate';
import { freshDatabase } from './support/database';
import { eventually } from './support/processes';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import { checked, isString, jsonOf, recordOf, shaped } from './support/guards';
import { defined } from './support/answers';

/** Every service in one process (as `npm start` runs them), against real NATS and Postgres. */
describe('workgate in one process', () => {
  let t: TestWorkgate;
  let workgate: RunningWorkgate;
  let nc: NatsConnection;
  let rpc: RpcClient;

  beforeAll(async () => {
    // As `npm start` runs it: the ledger on its own thread.
    t = await startTestWorkgate({ ledgerThread: true, sources: true });
    ({ workgate, nc, rpc } = t);
  });
  afterAll(() => t?.close());

  it('reports NATS, Postgres and every service on GET /health', async () => {
    let body: { status: string; info: Record<string, { status: string }> } | undefined;
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${workgate.url}/health`);
      body = checked(
        await jsonOf(res),
        shaped({ status: isString, info: recordOf(shaped({ status: isString })) }),
        'the health report',
      );
      if (res.status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(body!.status).toBe('ok');
    for (const key of ['nats', 'postgres', 'gateway', 'intake', 'policy', 'approvals', 'ledger', 'exceptions']) {
      expect(body!.info[key]?.status).toBe('up');
    }
  });

  it('serves Prometheus metrics on GET /metrics', async () => {
    const res = await fetch(`${workgate.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^workgate_process_cpu_user_seconds_total/m);
    expect(text).toMatch(/workgate_http_requests_total\{method="GET",route="\/health",status="200"\}/);
  });

  it('appends, reads and verifies over NATS, with refusals carrying their code', async () => {
    const eventId = randomUUID();
    t.exemptWriters('workorder-1', "the ledger's own append and refusals, around the services");
    const appended = await rpc.request(Subjects.ledger.append, {
      streamId: 'workorder-1',
      expectedVersion: 'no_stream',
      events: [
        { eventId, type: 'WorkOrderOpened', data: { jobType: 'support-recovery' }, metadata: { actor: 'test' } },
      ],
    });
    expect(appended).toEqual({ positions: [expect.any(Number)], nextVersion: 1 });
    await expect(
      rpc.request(Subjects.ledger.append, {
        streamId: 'workorder-1',
        expectedVersion: 'no_stream',
        events: [{ eventId: randomUUID(), type: 'WorkOrderOpened', data: {} }],
      }),
    ).rejects.toMatchObject({ code: 'version_conflict' });
    await expect(
      // No expected version: a request the contract's type cannot say, so sent as its JSON.
      rpc.requestEncoded(Subjects.ledger.append, Buffer.from(JSON.stringify({ streamId: 'x', events: [] }))),
    ).rejects.toMatchObject({ code: 'invalid_event' });

    const stream = await rpc.request(Subjects.ledger.readStream, { streamId: 'workorder-1' });
    expect(stream.version).toBe(1);
    expect(stream.events[0]).toMatchObject({ eventId, type: 'WorkOrderOpened', metadata: { actor: 'test' } });
    const all = await rpc.request(Subjects.ledger.readAll, { after: 0 });
    expect(all.events.map((e) => e.eventId)).toContain(eventId);
    const verdict = await rpc.request(Subjects.ledger.verify, {});
    expect(verdict).toMatchObject({ ok: true, checked: all.events.length });
  });

  it("takes prepared commits (canonical JSON made by the caller) from this process only: through the thread's port, never over NATS", async () => {
    const local = new RpcClient(nc, 5000);
    expect(local.answersInProcess(InProcessSubjects.ledgerCommitPreparedBatch.subject)).toBe(true);
    await expect(
      nc.request(InProcessSubjects.ledgerCommitPreparedBatch.subject, new TextEncoder().encode('{"items":[]}'), {
        timeout: 2000,
      }),
    ).rejects.toMatchObject({ code: '503' });

    const eventId = randomUUID();
    const data = { z: 1, a: { y: 'é', b: [true, null] } };
    t.exemptWriters('workorder-prepared', "a commit prepared as intake's thread would, around the services");
    const prepared = prepareCommit({
      appends: [
        {
          streamId: 'workorder-prepared',
          expectedVersion: 'no_stream',
          events: [{ eventId, type: 'WorkOrderOpened', data, metadata: { actor: 'test' } }],
        },
      ],
    });
    const reply = await local.request(InProcessSubjects.ledgerCommitPreparedBatch, { items: [prepared] });
    expect(reply.results).toEqual([
      {
        ok: true,
        data: { results: [{ positions: [expect.any(Number)], nextVersion: 1 }], position: expect.any(Number) },
      },
    ]);
    const stream = await rpc.request(Subjects.ledger.readStream, { streamId: 'workorder-prepared' });
    expect(stream.events).toEqual([expect.objectContaining({ eventId, data, metadata: { actor: 'test' } })]);
    // The chain is verified from the stored rows: the caller's canonical text is what was hashed.
    expect(await rpc.request(Subjects.ledger.verify, {})).toMatchObject({ ok: true });
  });

  it('answers a request that is not JSON with validation_failed', async () => {
    const reply = await nc.request(Subjects.ledger.readAll.subject, new TextEncoder().encode('{nope'), {
      timeout: 2000,
    });
    expect(JSON.parse(new TextDecoder().decode(reply.data))).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
    const append = await nc.request(Subjects.ledger.append.subject, new TextEncoder().encode('{nope'), {
      timeout: 2000,
    });
    expect(JSON.parse(new TextDecoder().decode(append.data))).toMatchObject({
      ok: false,
      error: { code: 'validation_failed' },
    });
  });

  it('refuses to relay into a LEDGER stream that belongs to another ledger', async () => {
    const jsm = await nc.jetstreamManager();
    // LEDGER holds this ledger's events and nothing else: exactly one message per position up to
    // its head, the last one that head's event (the running workgate may still commit meanwhile).
    const onlyThisLedger = async () => {
      const head = (
        await t.db.ownerPool().query<{ p: number | null }>('SELECT max(position)::int AS p FROM ledger_events')
      ).rows[0].p;
      const tail = await ledgerStreamTail(jsm);
      return head !== null && tail.seq === head && tail.position === head;
    };
    await eventually(onlyThisLedger, 10_000, 'the relay publishing every event of this ledger');
    // Another database with events of its own, and a ledger service on it sharing this NATS.
    const other = await freshDatabase();
    const writer = new LedgerWriter(other.url, { role: 'workgate_ledger' });
    await writer.start();
    // More events than this ledger has: without the check, the ones past its head would be relayed.
    const { head } = { head: (await rpc.request(Subjects.ledger.head, {})).position };
    for (let i = 0; i <= head + 5; i++) {
      await writer.append({
        streamId: `workorder-other-${i}`,
        expectedVersion: 'no_stream',
        events: [{ eventId: randomUUID(), type: 'WorkOrderOpened', data: {} }],
      });
    }
    await writer.stop();
    const config = loadConfig({ DATABASE_URL: other.url, NATS_URL: t.nats.url, LOG_LEVEL: 'silent' });
    const ledger = await startMicroservice((ctx) => LedgerModule.register(ctx), {
      service: 'ledger',
      instance: randomUUID(),
      config,
      nc: t.nc,
    });
    try {
      // The other ledger's relay has looked at LEDGER: it refused it (paused), or it published up to its own head.
      const relay = ledger.get(LedgerRelay);
      const otherHead = defined(
        (await other.ownerPool().query<{ p: number | null }>('SELECT max(position)::int AS p FROM ledger_events'))
          .rows[0].p,
        "the other ledger's head",
      );
      await eventually(
        async () => relay.paused !== undefined || relay.publishedPosition >= otherHead,
        10_000,
        "the other ledger's relay to look at LEDGER",
      );
      expect(relay.paused?.reason).toMatch(/^the LEDGER stream does not belong to this ledger/);
      expect(await onlyThisLedger()).toBe(true);
    } finally {
      await ledger.close();
      await other.drop();
    }
  });
});
