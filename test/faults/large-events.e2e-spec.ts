import { headers } from 'nats';
import { eventually } from '../support/processes';
import { client, writePrincipals } from '../support/principals';
import { startTestWorkgate, TestWorkgate } from '../support/workgate';
import type { VerifyResult, WorkOrderListItem } from '@workgate/contracts';
import type { ErrorBody, IngestAnswer } from '../support/answers';

/**
 * Large events with every request between services over NATS (local routes off), where a
 * request may not exceed the server's payload limit (1 MiB by default): concurrent commits are
 * batched by bytes, never past the limit, and what cannot fit is refused with a 4xx.
 */
describe('large events over NATS', () => {
  const principals = writePrincipals({ helpdesk: ['integrator'], lead: ['ops-lead'] });
  let t: TestWorkgate;
  let as: ReturnType<typeof client>;

  beforeAll(async () => {
    t = await startTestWorkgate({
      env: {
        WORKGATE_PRINCIPALS: principals.path,
        WORKGATE_LOCAL_ROUTES: 'off',
        WORKGATE_RATE_LIMIT_PER_MINUTE: '100000',
      },
    });
    as = client(t.url, principals.keys.helpdesk);
  });
  afterAll(() => t?.close());

  const open = (id: string, noteBytes: number) => ({
    specversion: '1.0',
    id,
    source: 'large',
    type: 'workgate.workorder.open',
    subject: id,
    data: {
      jobType: 'support-recovery',
      inputs: { caseId: id, orderId: '1', orderPaid: true, note: 'n'.repeat(noteBytes) },
    },
  });

  it('commits concurrent batches of large events whose sum is many times the payload limit, and lists every one', async () => {
    const batches = Array.from({ length: 6 }, (_, b) => [open(`L-${b}-a`, 300_000), open(`L-${b}-b`, 300_000)]);
    const answers = await Promise.all(
      batches.map((events) =>
        as<IngestAnswer | ErrorBody>('POST', '/v1/events', JSON.stringify(events), {
          'Content-Type': 'application/cloudevents-batch+json',
        }),
      ),
    );
    expect(answers.map((a) => [a.status, 'accepted' in a.body ? a.body.accepted : a.body.error])).toEqual(
      Array(6).fill([202, 2]),
    );
    const listed = await as<WorkOrderListItem[]>('GET', '/v1/work-orders?source=large&limit=100');
    expect(listed.body.map((w: { externalRef: string }) => w.externalRef).sort()).toEqual(
      batches
        .flat()
        .map((e) => e.id)
        .sort(),
    );
  });

  it('commits large events that arrive together on WORK_EVENTS, the sum of their commits many times the payload limit', async () => {
    const js = t.nc.jetstream();
    const events = Array.from({ length: 12 }, (_, i) => open(`J-${i}`, 300_000));
    await Promise.all(
      events.map((event) => {
        const h = headers();
        h.set('Content-Type', 'application/cloudevents+json');
        h.set('Nats-Msg-Id', `large:${event.id}`);
        return js.publish('workgate.events.large', Buffer.from(JSON.stringify(event)), { headers: h });
      }),
    );
    await eventually(
      async () =>
        (await as<WorkOrderListItem[]>('GET', '/v1/work-orders?source=large&limit=100')).body.filter(
          (w: { externalRef: string }) => w.externalRef.startsWith('J-'),
        ).length === 12,
      20_000,
      'the 12 work orders',
    );
  });

  it('carries an event as large as a body may be through intake, the ledger, the views and the relay to LEDGER', async () => {
    const huge = JSON.stringify(open('L-huge', 1_040_000));
    expect(Buffer.byteLength(huge)).toBeGreaterThan(1_040_000);
    const res = await as<IngestAnswer>('POST', '/v1/events', huge, { 'Content-Type': 'application/cloudevents+json' });
    expect([res.status, res.body.accepted]).toEqual([202, 1]);
    expect((await as<WorkOrderListItem[]>('GET', '/v1/work-orders?source=large&externalRef=L-huge')).body).toHaveLength(
      1,
    );
    // The relay goes on past it: LEDGER holds every position the ledger has.
    const after = await as('POST', '/v1/events', JSON.stringify(open('L-after', 10)), {
      'Content-Type': 'application/cloudevents+json',
    });
    expect(after.status).toBe(202);
    const head = (await client(t.url, principals.keys.lead)<VerifyResult>('GET', '/v1/ledger/verify')).body
      .headPosition;
    const jsm = await t.nc.jetstreamManager();
    await eventually(
      async () => (await jsm.streams.info('LEDGER')).state.last_seq === head,
      10_000,
      `LEDGER at position ${head}`,
    );
  });
});
