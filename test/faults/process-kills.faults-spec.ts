import { INTAKE_DURABLE } from '../../apps/intake/intake.processor';
import { eventually } from '../support/processes';
import { expectEveryEventOnce, killPoints, openedCount, publishOpens, Rig, startRig, stuckReport } from './support';

/**
 * The ledger and intake killed with SIGKILL at seeded random points of a 10,000-event ingest,
 * alternately, five times each, and restarted each time: every event JetStream acknowledged is
 * recorded exactly once, nothing is rejected, and the hash chain verifies.
 */
describe('faults: SIGKILL the ledger and intake during ingest', () => {
  let rig: Rig;
  const N = 10_000;
  const RUN = 'kill';

  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(() => rig?.close());

  it('loses nothing and doubles nothing across 10 kills', async () => {
    const publishing = publishOpens(rig.js, RUN, N, 700);
    const points = killPoints(10, 300, N - 500, 9);
    const kills: Array<{ who: string; at: number }> = [];
    for (const [k, point] of points.entries()) {
      const who = k % 2 === 0 ? 'ledger' : 'intake';
      await eventually(
        async () => (await openedCount(rig.db, RUN)).n >= point,
        120_000,
        `the ingest to reach ${point}`,
      );
      kills.push({ who, at: (await openedCount(rig.db, RUN)).n });
      if (who === 'ledger') {
        await rig.ledger.kill('SIGKILL');
        await rig.startLedger();
      } else {
        await rig.intakes[0].kill('SIGKILL');
        rig.startIntake(0);
      }
    }
    await publishing.done;

    expect(kills.every((k) => k.at < N)).toBe(true); // every kill landed mid-ingest
    expect(publishing.acked.size).toBe(N);
    const audit = await expectEveryEventOnce(rig.db, RUN, N, publishing.acked, () => stuckReport(rig));
    console.log(
      `faults: ${N} events, kills ${kills.map((k) => `${k.who}@${k.at}`).join(', ')}; ${JSON.stringify(audit)}`,
    );
  });
});

/**
 * One intake frozen (SIGSTOP) longer than its consumer's AckWait (10 s) while a second instance
 * keeps going: JetStream redelivers the frozen instance's messages to the other; when it thaws
 * (SIGCONT) it finishes its stale batch too. Both record through the same command ids, so each
 * event is still recorded once.
 */
describe('faults: SIGSTOP intake past AckWait, then SIGCONT', () => {
  let rig: Rig;
  const N = 3000;
  const RUN = 'stop';

  beforeAll(async () => {
    rig = await startRig({ intakes: 2 });
  });
  afterAll(() => rig?.close());

  it('absorbs the redeliveries: one record per event', async () => {
    const publishing = publishOpens(rig.js, RUN, N, 300);
    await eventually(async () => (await openedCount(rig.db, RUN)).n >= 600, 60_000, 'the ingest to start');
    rig.intakes[0].child.kill('SIGSTOP');
    const frozenAt = (await openedCount(rig.db, RUN)).n;
    await new Promise((r) => setTimeout(r, 13_000));
    const duringFreeze = (await openedCount(rig.db, RUN)).n;
    rig.intakes[0].child.kill('SIGCONT');
    await publishing.done;
    const audit = await expectEveryEventOnce(rig.db, RUN, N, publishing.acked);

    expect(duringFreeze).toBeGreaterThan(frozenAt); // the other instance kept going
    // The consumer delivered some messages more than once: the redeliveries were real.
    const info = await (await rig.nc.jetstreamManager()).consumers.info('WORK_EVENTS', INTAKE_DURABLE);
    const redelivered = info.delivered.consumer_seq - info.delivered.stream_seq;
    expect(redelivered).toBeGreaterThan(0);
    console.log(
      `faults: SIGSTOP ${N} events, frozen at ${frozenAt}, ${duringFreeze} during the freeze, ${redelivered} redeliveries; ${JSON.stringify(audit)}`,
    );
  });
});
