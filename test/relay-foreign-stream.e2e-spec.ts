import { JetStreamManager } from 'nats';
import { Subjects } from '@workgate/contracts';
import { ledgerStreamTail } from '@workgate/messaging';
import { client, writePrincipals } from './support/principals';
import { eventually } from './support/processes';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import type { HealthRefusal } from './support/answers';

/**
 * A deployment started on a NATS whose `LEDGER` stream holds another ledger's events (a second
 * deployment on one account, a restored database). Both fresh deployments write the same shipped
 * catalog and workflows first, with the same event ids at the same positions, so the stream's
 * last message even names an event id this ledger has at that position: only the chain hash tells
 * the ledgers apart. The relay must publish nothing there, and `/health` must say so.
 */
describe('relay on a LEDGER stream of another ledger', () => {
  const principals = writePrincipals({ lead: ['ops-lead'] });
  let first: TestWorkgate;
  let second: TestWorkgate;
  let jsm: JetStreamManager;
  let foreign: Awaited<ReturnType<typeof ledgerStreamTail>>;

  beforeAll(async () => {
    first = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    // The first deployment's relay has published everything it wrote at start.
    await eventually(
      async () => {
        const head = await first.rpc.request(Subjects.ledger.head, {});
        return (
          head.position > 0 && (await ledgerStreamTail(await first.nc.jetstreamManager())).position === head.position
        );
      },
      30_000,
      'the first ledger relayed to its head',
    );
    await first.workgate.close();
    second = await startTestWorkgate({ env: { NATS_URL: first.nats.url, WORKGATE_PRINCIPALS: principals.path } });
    jsm = await first.nc.jetstreamManager();
    foreign = await ledgerStreamTail(jsm);
  }, 120_000);

  afterAll(async () => {
    await second?.close();
    await first?.nc.close();
    await first?.db.drop();
    await first?.nats.stop();
  });

  it("has the same event id as the stream's last message at that position, and another chain hash", async () => {
    const at = 'SELECT event_id, hash FROM ledger_events WHERE position = $1';
    const theirs = (await first.db.ownerPool().query<{ event_id: string; hash: string }>(at, [foreign.position])).rows;
    const mine = (await second.db.ownerPool().query<{ event_id: string; hash: string }>(at, [foreign.position])).rows;
    expect(theirs).toEqual([{ event_id: foreign.eventId, hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(mine).toEqual([{ event_id: foreign.eventId, hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(mine[0].hash).not.toBe(theirs[0].hash);
  });

  it('publishes none of its events to that stream, even once its head is where the stream ends', async () => {
    // The second deployment's services answer on the first one's NATS (first.rpc), where they run.
    const head = await first.rpc.request(Subjects.ledger.head, {});
    expect(head.position).toBeGreaterThanOrEqual(foreign.position);
    second.exemptWriters(
      'workorder-relay-foreign',
      'an event appended to the ledger alone, to see where the relay publishes it',
    );
    await first.rpc.request(Subjects.ledger.append, {
      streamId: 'workorder-relay-foreign',
      expectedVersion: 'no_stream',
      events: [
        {
          eventId: '6f1c2a52-8d0e-4d55-9b7e-1f0cfa3d1a01',
          type: 'WorkOrderOpened',
          data: { jobType: 'support-recovery' },
          metadata: { actor: 'test' },
        },
      ],
    });
    // The relay tries again every second: give it a few tries.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await ledgerStreamTail(jsm)).toEqual(foreign);
  });

  it('answers /health 503: anonymously only the ledger down, with an ops-lead key the relay paused and why', async () => {
    const lead = client(second.url, principals.keys.lead);
    const detailed = await eventually(
      async () => {
        const res = await lead<HealthRefusal>('GET', '/health');
        return res.status === 503 && res.body?.details?.[0]?.details?.ledger?.relayPaused
          ? res.body.details[0].details.ledger
          : undefined;
      },
      15_000,
      'the paused relay on /health',
    );
    expect(detailed.status).toBe('down');
    expect(detailed.relayPaused?.reason).toContain(
      'the LEDGER stream does not belong to this ledger (its last message, position',
    );
    expect(detailed.problems).toContainEqual(
      expect.stringMatching(
        /^the relay to LEDGER is paused since .*: the LEDGER stream does not belong to this ledger/,
      ),
    );

    const anonymous = await client(second.url)<HealthRefusal>('GET', '/health');
    expect(anonymous.status).toBe(503);
    expect(anonymous.body.details[0].error.ledger).toEqual({ status: 'down' });
    expect(anonymous.text).not.toContain('relay');

    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    expect(metrics).toMatch(/^workgate_relay_paused 1$/m);
  });
});
