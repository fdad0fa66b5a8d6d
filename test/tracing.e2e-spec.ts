import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, headers as natsHeaders, NatsConnection } from 'nats';
import { freshDatabase, TestDatabase } from './support/database';
import { freePort, startNatsServer, TestNatsServer } from './support/nats-server';
import { eventually, ServiceProcess, startBuiltWorkgate } from './support/processes';
import { client, writePrincipals } from './support/principals';
import type { OpenedAnswer, RecordedEvent } from '@workgate/contracts';
import { arrayOf, Guard, isRecord, isString, optional, parsed, portOf, shaped } from './support/guards';

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Record<string, unknown>;
}

/** A span as OTLP/HTTP JSON carries it: each attribute's value is one `{ stringValue | intValue | ... }` entry. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
}

const isOtlpSpan: Guard<OtlpSpan> = shaped({
  traceId: isString,
  spanId: isString,
  parentSpanId: optional(isString),
  name: isString,
  attributes: optional(arrayOf(shaped({ key: isString, value: isRecord }))),
});
/** An OTLP/HTTP JSON export request: spans by resource and scope. */
const isTraces = shaped({
  resourceSpans: arrayOf(shaped({ scopeSpans: arrayOf(shaped({ spans: arrayOf(isOtlpSpan) })) })),
});

/** An OTLP/HTTP receiver (JSON encoding) in this process: every span exported to it. */
async function startReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; server: Server }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const payload = parsed(body, isTraces, 'the exported traces');
        for (const r of payload.resourceSpans) {
          for (const s of r.scopeSpans) {
            for (const span of s.spans) {
              const attributes = Object.fromEntries(
                (span.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]),
              );
              spans.push({
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId || undefined,
                name: span.name,
                attributes,
              });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${portOf(server)}`, spans, server };
}

/**
 * W3C trace context flows from an HTTP request's `traceparent`, and from a CloudEvent's
 * distributed-tracing extension, through NATS headers and batch items into every service and into
 * the ledger metadata; spans are exported over OTLP to the standard endpoint. Workgate runs as
 * its own process here, as `npm start` runs it, with the official OTLP exporter.
 */
describe.each([
  ['in one process (local routes and the ledger thread)', 'on'],
  ['between the services over NATS (headers)', 'off'],
])('traces %s', (_how, localRoutes) => {
  const principals = writePrincipals({ helpdesk: ['integrator', 'operator'], lead: ['ops-lead'] });
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let nats: TestNatsServer;
  let db: TestDatabase;
  let nc: NatsConnection;
  let dataDir: string;
  let workgate: ServiceProcess;
  let url: string;
  let as: ReturnType<typeof client>;

  beforeAll(async () => {
    receiver = await startReceiver();
    [nats, db] = await Promise.all([startNatsServer(), freshDatabase()]);
    nc = await connect({ servers: nats.url });
    dataDir = mkdtempSync(join(tmpdir(), 'wg-traces-'));
    const port = await freePort();
    // As `npm start` runs it (the ledger on its own thread), exporting to the receiver.
    workgate = await startBuiltWorkgate({
      DATABASE_URL: db.url,
      NATS_URL: nats.url,
      PORT: String(port),
      LOG_LEVEL: 'info',
      WORKGATE_DATA_DIR: dataDir,
      WORKGATE_PRINCIPALS: principals.path,
      WORKGATE_WORKFLOWS_DIR: join(__dirname, '..', 'workflows'),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      WORKGATE_LOCAL_ROUTES: localRoutes,
    });
    url = `http://127.0.0.1:${port}`;
    as = client(url, principals.keys.helpdesk);
  });
  afterAll(async () => {
    await workgate?.kill('SIGKILL');
    await nc?.close();
    await db?.drop();
    await nats?.stop();
    receiver?.server.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const traceOf = async (traceId: string, names: string[]) => {
    await eventually(
      async () => {
        const seen = receiver.spans.filter((s) => s.traceId === traceId).map((s) => s.name);
        return names.every((n) => seen.includes(n));
      },
      10_000,
      `spans ${names.join(', ')} in trace ${traceId}`,
    );
    return receiver.spans.filter((s) => s.traceId === traceId);
  };

  it('follows an action request from the gateway through intake to the ledger commit, and keeps its trace in the ledger', async () => {
    const opened = await as<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: 'T-1',
      source: 'traces',
      inputs: { caseId: 'c', orderId: 'o', orderPaid: true },
    });
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const res = await as(
      'POST',
      `/v1/work-orders/${opened.body.id}/actions`,
      { system: 'payments', operation: 'refund', kind: 'write' },
      { traceparent: `00-${traceId}-${callerSpan}-01` },
    );
    expect(res.status).toBe(201);
    const spans = await traceOf(traceId, [
      'POST /v1/work-orders/:id/actions',
      'workgate.intake.command',
      'ledger commit',
    ]);
    const byName = (name: string) => spans.find((s) => s.name === name)!;
    // Parent links: the caller's span -> the gateway -> intake's command -> the ledger commit.
    expect(byName('POST /v1/work-orders/:id/actions')).toMatchObject({
      parentSpanId: callerSpan,
      attributes: { 'workgate.service': 'gateway', 'http.response.status_code': 201 },
    });
    expect(byName('workgate.intake.command').attributes['workgate.service']).toBe('intake');
    const services = new Set(spans.map((s) => s.attributes['workgate.service']).filter(Boolean));
    expect([...services].sort()).toEqual(expect.arrayContaining(['gateway', 'intake', 'ledger']));
    // The decision's ledger event carries the trace it was made in.
    const lead = client(url, principals.keys.lead);
    const events = (await lead<RecordedEvent[]>('GET', `/v1/work-orders/${opened.body.id}/events`)).body;
    expect(events.find((e) => e.type === 'ActionDecided')?.metadata.traceparent).toMatch(
      new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`),
    );
  });

  it('follows a CloudEvent carrying traceparent from JetStream through intake to the ledger commit', async () => {
    const traceId = randomBytes(16).toString('hex');
    const producer = randomBytes(8).toString('hex');
    const event = {
      specversion: '1.0',
      id: 'trace-1',
      source: 'traces',
      type: 'workgate.workorder.open',
      subject: 'T-2',
      traceparent: `00-${traceId}-${producer}-01`,
      data: { jobType: 'support-recovery', inputs: { caseId: 'c', orderId: 'o', orderPaid: true } },
    };
    const h = natsHeaders();
    h.set('Content-Type', 'application/cloudevents+json');
    await nc.jetstream().publish('workgate.events.traces', Buffer.from(JSON.stringify(event)), { headers: h });
    const spans = await traceOf(traceId, ['intake workgate.workorder.open', 'ledger commit']);
    expect(spans.find((s) => s.name === 'intake workgate.workorder.open')).toMatchObject({
      parentSpanId: producer,
      attributes: { 'cloudevents.event_id': 'trace-1' },
    });
  });
});
