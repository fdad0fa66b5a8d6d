import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, NatsConnection } from 'nats';
import { eventually } from '../support/processes';
import { NatsCluster } from './fleet/nats-cluster';
import { expectEveryEventOnce, killPoints, publishOpens, Rig, startRig, stuckReport } from './support';
import { errorMessage } from '@workgate/messaging';

/**
 * A 3-node nats-server cluster on loopback ports with every stream at 3 replicas
 * (`WORKGATE_STREAM_REPLICAS=3`): the WORK_EVENTS stream leader is killed (SIGKILL) five times
 * during ingest and restarted 3 s later each time. A publish JetStream acknowledged is on a quorum,
 * so nothing acknowledged is lost; the outage per kill is how long publishing stalled.
 */
describe('faults: kill the stream leader of a 3-node NATS cluster during ingest', () => {
  let rig: Rig;
  let cluster: NatsCluster;
  const root = mkdtempSync(join(tmpdir(), 'wg-nats-cluster-'));
  const N = 6000;
  const RUN = 'cluster';
  const RESTART_AFTER_MS = 3000;

  beforeAll(async () => {
    cluster = await NatsCluster.start(root);
    rig = await startRig({ natsUrl: cluster.urls().join(','), env: { WORKGATE_STREAM_REPLICAS: '3' } });
  });
  const publishers: NatsConnection[] = [];
  afterAll(async () => {
    for (const c of publishers) await c.close().catch(() => undefined);
    await rig?.close();
    await cluster?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('loses nothing acknowledged across five leader kills', async () => {
    const jsm = await rig.nc.jetstreamManager();
    expect((await jsm.streams.info('WORK_EVENTS')).config.num_replicas).toBe(3);
    // A publisher whose acknowledgements stop arriving (nats-server 2.9 can lose a connection's reply
    // interest while routes churn; the publish itself is stored) reconnects, as a careful integrator does.
    const publisher = async () => {
      const c = await connect({ servers: rig.natsUrl.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 200 });
      publishers.push(c);
      return c.jetstream();
    };
    const publishing = publishOpens(await publisher(), RUN, N, 250, 16, publisher);
    const outages: Array<{ leader: string; seconds: number }> = [];
    for (const point of killPoints(5, 300, N - 800, 21)) {
      await eventually(async () => publishing.acked.size >= point, 60_000, `publishing to reach ${point}`).catch(
        async (error) => {
          const info = await jsm.streams.info('WORK_EVENTS').catch((e) => ({ error: errorMessage(e) }));
          const logs = cluster.nodes
            .map(
              (n) =>
                `--- ${n.name}\n${readFileSync(join(root, `${n.name}.log`), 'utf8')
                  .split('\n')
                  .slice(-12)
                  .join('\n')}`,
            )
            .join('\n');
          throw new Error(
            `${errorMessage(error)} (last publish error: ${publishing.lastError}; stream ${JSON.stringify(('error' in info ? undefined : info.cluster) ?? info)})\n${logs}`,
          );
        },
      );
      const leader = (await jsm.streams.info('WORK_EVENTS')).cluster?.leader;
      const i = cluster.nodes.findIndex((n) => n.name === leader);
      expect(i).toBeGreaterThanOrEqual(0);
      const down = Date.now();
      await cluster.nodes[i].server!.kill('SIGKILL');
      const before = publishing.acked.size;
      // The killed node comes back after a few seconds, as under any supervisor; publishing may
      // resume before that (the two survivors elect a leader) or only after it.
      const restarted = new Promise((r) => setTimeout(r, RESTART_AFTER_MS)).then(() =>
        cluster.startNode(cluster.nodes[i]),
      );
      await eventually(
        async () => publishing.acked.size > before,
        120_000,
        'publishing to resume on a new leader',
      ).catch((error) => {
        const logs = cluster.nodes
          .map(
            (n) =>
              `--- ${n.name}\n${readFileSync(join(root, `${n.name}.log`), 'utf8')
                .split('\n')
                .slice(-15)
                .join('\n')}`,
          )
          .join('\n');
        throw new Error(`${errorMessage(error)} (last publish error: ${publishing.lastError})\n${logs}`);
      });
      outages.push({ leader: leader!, seconds: (Date.now() - down) / 1000 });
      await restarted;
      // The restarted node catches up before the next kill, so a quorum always holds the data.
      await eventually(
        async () => {
          const { cluster } = await jsm.streams.info('WORK_EVENTS');
          return (
            Boolean(cluster?.leader) &&
            cluster?.replicas?.length === 2 &&
            cluster.replicas.every((r) => r.current && !r.offline)
          );
        },
        60_000,
        'the replicas to be current',
      );
    }
    await publishing.done;

    // The guarantee: every acknowledged event is in the ledger exactly once, and the chain verifies.
    const audit = await expectEveryEventOnce(rig.db, RUN, N, publishing.acked, () => stuckReport(rig));
    // Reported, not asserted: nats-server 2.9 can come out of leader kills holding fewer stream
    // messages than it acknowledged (seen: 5,993 of 6,000), after intake had already recorded them.
    // Postgres, not the stream, is the evidence; docs/reliability.md says which server to run.
    const inStream = (await jsm.streams.info('WORK_EVENTS')).state.messages;
    console.log(
      `faults: NATS cluster R3, ${N} events, ${inStream} still in the stream, ${publishing.renewals ?? 0} publisher reconnections, ` +
        `leader kills ${outages.map((o) => `${o.leader} ${o.seconds.toFixed(1)} s`).join(', ')}; ${JSON.stringify(audit)}`,
    );
  });
});
