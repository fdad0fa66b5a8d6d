import { randomUUID } from 'node:crypto';
import { NatsConnection } from 'nats';
import { AppendResult, ReadAllResult, ReadStreamResult, Subjects, VerifyResult } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { RunningWorkgate } from '../cli/workgate';
import { startTestWorkgate, TestWorkgate } from './support/workgate';

/** Every service in one process (as `npm start` runs them), against real NATS and Postgres. */
describe('workgate in one process', () => {
  let t: TestWorkgate;
  let workgate: RunningWorkgate;
  let nc: NatsConnection;
  let rpc: RpcClient;

  beforeAll(async () => {
    // As `npm start` runs it: the ledger on its own thread.
    t = await startTestWorkgate({ ledgerThread: true });
    ({ workgate, nc, rpc } = t);
  });
  afterAll(() => t?.close());

  it('reports NATS, Postgres and every service on GET /health', async () => {
    let body: { status: string; info: Record<string, { status: string }> } | undefined;
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${workgate.url}/health`);
      body = (await res.json()) as typeof body;
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
    const appended = await rpc.request<AppendResult>(Subjects.ledger.append, {
      streamId: 'workorder-1',
      expectedVersion: 'no_stream',
      events: [{ eventId, type: 'WorkOrderOpened', data: { jobType: 'support-recovery' }, metadata: { actor: 'test' } }],
    });
    expect(appended).toEqual({ positions: [expect.any(Number)], nextVersion: 1 });
    await expect(
      rpc.request(Subjects.ledger.append, {
        streamId: 'workorder-1',
        expectedVersion: 'no_stream',
        events: [{ eventId: randomUUID(), type: 'WorkOrderOpened', data: {} }],
      }),
    ).rejects.toMatchObject({ code: 'version_conflict' });
    await expect(rpc.request(Subjects.ledger.append, { streamId: 'x', events: [] })).rejects.toMatchObject({ code: 'invalid_event' });

    const stream = await rpc.request<ReadStreamResult>(Subjects.ledger.readStream, { streamId: 'workorder-1' });
    expect(stream.version).toBe(1);
    expect(stream.events[0]).toMatchObject({ eventId, type: 'WorkOrderOpened', metadata: { actor: 'test' } });
    const all = await rpc.request<ReadAllResult>(Subjects.ledger.readAll, { after: 0 });
    expect(all.events.map((e) => e.eventId)).toContain(eventId);
    const verdict = await rpc.request<VerifyResult>(Subjects.ledger.verify, {});
    expect(verdict).toMatchObject({ ok: true, checked: all.events.length });
  });

  it('answers a request that is not JSON with validation_failed', async () => {
    const reply = await nc.request(Subjects.ledger.readAll, new TextEncoder().encode('{nope'), { timeout: 2000 });
    expect(JSON.parse(new TextDecoder().decode(reply.data))).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    const append = await nc.request(Subjects.ledger.append, new TextEncoder().encode('{nope'), { timeout: 2000 });
    expect(JSON.parse(new TextDecoder().decode(append.data))).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });
});
