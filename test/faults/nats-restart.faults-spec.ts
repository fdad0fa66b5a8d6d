import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, NatsServerProcess, spawnNatsServer } from '../../cli/infra';
import { eventually } from '../support/processes';
import { expectEveryEventOnce, killPoints, publishOpens, Rig, startRig } from './support';
import { errorMessage } from '@workgate/messaging';

/**
 * nats-server killed (SIGKILL) and restarted on the same store three times while events are
 * published: the publisher retries each unacknowledged event with the same message id, every
 * service reconnects by itself, and every acknowledged event is recorded once.
 */
describe('faults: kill and restart nats-server during publishing', () => {
  let rig: Rig;
  let nats: NatsServerProcess;
  let port: number;
  const store = mkdtempSync(join(tmpdir(), 'wg-nats-restart-'));
  const log = join(store, 'nats.log');
  const N = 6000;
  const RUN = 'natsdown';
  const startNats = async () => {
    nats = await spawnNatsServer('127.0.0.1', port, join(store, 'js'), { logFile: log });
  };

  beforeAll(async () => {
    port = await freePort();
    await startNats();
    rig = await startRig({ natsUrl: nats.url });
  });
  afterAll(async () => {
    await rig?.close();
    await nats?.kill();
    rmSync(store, { recursive: true, force: true });
  });

  it('records every acknowledged event once', async () => {
    const publishing = publishOpens(rig.js, RUN, N, 300);
    const outages: number[] = [];
    for (const point of killPoints(3, 500, N - 1500, 4)) {
      await eventually(async () => publishing.acked.size >= point, 120_000, `publishing to reach ${point}`);
      const down = Date.now();
      await nats.kill('SIGKILL');
      await startNats();
      const before = publishing.acked.size;
      await eventually(async () => publishing.acked.size > before, 60_000, 'publishing to resume').catch((error) => {
        throw new Error(`${errorMessage(error)}: ${publishing.lastError}\n${readFileSync(log, 'utf8').slice(-3000)}`);
      });
      outages.push(Date.now() - down);
    }
    await publishing.done;

    expect(publishing.retries).toBeGreaterThan(0); // the outages were felt by the publisher
    const audit = await expectEveryEventOnce(rig.db, RUN, N, publishing.acked);
    // The ledger relay re-published what the crashed server lost: the LEDGER stream is the ledger, gap-free.
    const jsm = await rig.nc.jetstreamManager();
    await eventually(
      async () => {
        const { state } = await jsm.streams.info('LEDGER');
        return state.messages === audit.checked && state.last_seq === audit.checked;
      },
      60_000,
      'the LEDGER stream to hold every ledger event once',
    );
    console.log(
      `faults: nats-server restarts, ${N} events, ${publishing.retries} publish retries, outages ${outages.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}; ${JSON.stringify(audit)}`,
    );
  });
});
