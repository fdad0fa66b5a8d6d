import fc from 'fast-check';
import { AckPolicy, connect, headers, NatsConnection } from 'nats';
import { LedgerHeaders, RecordedEvent, Streams } from '@workgate/contracts';
import { startNatsServer, TestNatsServer } from '../../test/support/nats-server';
import { eventually } from '../../test/support/processes';
import { ensureStreams } from './jetstream';
import { DeadLetters, holdsText, LedgerReaction, LedgerReactions } from './ledger-reaction';

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('holdsText (a reaction skipping events that cannot concern it)', () => {
  const wait = holdsText('"decision":"wait"');

  it('finds a member wherever it is nested in compact JSON, and only then', () => {
    const decided = (decision: string) => ({
      type: 'ActionDecided',
      data: { action: { system: 'shop' }, decision: { decision, reason: 'rule', policy: { jobType: 'x' } } },
    });
    expect(wait(bytes(decided('wait')))).toBe(true);
    expect(wait(bytes(decided('run')))).toBe(false);
    expect(wait(bytes(decided('stop')))).toBe(false);
  });

  it('never says false for JSON that holds the member, wherever it is', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (before, after) => {
        expect(wait(bytes({ before, nested: { decision: 'wait' }, after }))).toBe(true);
      }),
    );
    // Inside a string the quotes are escaped, so those are not the member's bytes.
    expect(wait(bytes({ note: 'a "decision":"wait" in a string' }))).toBe(false);
  });

  it('reads only the message bytes of a view into a larger buffer', () => {
    const whole = bytes({ decision: 'wait', filler: 'x' });
    const padded = new Uint8Array(whole.length + 8);
    padded.set(whole, 4);
    expect(wait(padded.subarray(4, 4 + whole.length))).toBe(true);
    expect(wait(padded.subarray(4, 12))).toBe(false);
  });
});

describe("a retired reaction (an earlier version's consumer, over a real NATS server)", () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let position = 0;
  const sink: DeadLetters = { keep: async () => undefined };

  /** A committed event as the relay publishes it: its JSON, its position header. */
  async function relay(type: string): Promise<number> {
    position += 1;
    const h = headers();
    h.set(LedgerHeaders.position, String(position));
    await nc
      .jetstream()
      .publish(`ledger.workorder.${type}`, new TextEncoder().encode(JSON.stringify({ position, type, data: {} })), {
        headers: h,
        msgID: `event-${position}`,
      });
    return position;
  }

  class Reactions extends LedgerReactions {
    readonly seen: number[] = [];
    /** Its log, to see what it warns of. */
    readonly log = this.logger;
    constructor(private readonly reaction: Omit<LedgerReaction, 'react'>) {
      super({ nc, sink }, 'test');
    }
    protected reactions(): LedgerReaction[] {
      return [{ ...this.reaction, react: async (e: RecordedEvent) => (this.seen.push(e.position), { kind: 'ack' }) }];
    }
  }

  const consumerExists = (durable: string) =>
    nc.jetstreamManager().then((jsm) =>
      jsm.consumers.info(Streams.ledger.name, durable).then(
        () => true,
        () => false,
      ),
    );

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    await ensureStreams(nc);
  });
  afterAll(async () => {
    await nc.close();
    await nats.stop();
  });

  it('handles what an earlier version left it, once the relay has published it, then deletes its consumer', async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.add(Streams.ledger.name, {
      durable_name: 'old-decisions',
      ack_policy: AckPolicy.Explicit,
      filter_subject: 'ledger.workorder.ActionDecided',
    });
    const before = [await relay('ActionDecided'), await relay('WorkOrderOpened'), await relay('ActionDecided')];
    // The ledger's head is two events further than LEDGER: the relay has not published them yet.
    const head = position + 2;
    const reactions = new Reactions({
      durable: 'old-decisions',
      subject: 'ledger.workorder.ActionDecided',
      retiredAfter: async () => head,
    });
    await reactions.onApplicationBootstrap();
    try {
      await eventually(async () => reactions.seen.length === 2, 15_000, 'the decisions left before the upgrade');
      expect(reactions.seen).toEqual([before[0], before[2]]);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await consumerExists('old-decisions')).toBe(true);
      const late = [await relay('ActionDecided'), await relay('WorkOrderOpened')];
      await eventually(async () => !(await consumerExists('old-decisions')), 15_000, 'the retired consumer deleted');
      expect(reactions.seen).toEqual([before[0], before[2], late[0]]);
    } finally {
      await reactions.onApplicationShutdown();
    }
  });

  it('is retired once by two instances of its service, which share what is left', async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.add(Streams.ledger.name, {
      durable_name: 'old-shared',
      ack_policy: AckPolicy.Explicit,
      filter_subject: 'ledger.workorder.StepBlocked',
    });
    const left = [await relay('StepBlocked'), await relay('StepBlocked'), await relay('StepBlocked')];
    const instances = [0, 1].map(
      () =>
        new Reactions({
          durable: 'old-shared',
          subject: 'ledger.workorder.StepBlocked',
          retiredAfter: async () => position,
        }),
    );
    const warnings = instances.map((r) => jest.spyOn(r.log, 'warn'));
    for (const r of instances) await r.onApplicationBootstrap();
    try {
      await eventually(async () => !(await consumerExists('old-shared')), 15_000, 'the retired consumer deleted');
      expect([...instances[0].seen, ...instances[1].seen].sort((a, b) => a - b)).toEqual(expect.arrayContaining(left));
      await new Promise((r) => setTimeout(r, 300));
      warnings.forEach((w) => expect(w).not.toHaveBeenCalled());
    } finally {
      for (const r of instances) await r.onApplicationShutdown();
    }
  });

  it('does not create the consumer where no earlier version left one', async () => {
    await relay('ActionDecided');
    const reactions = new Reactions({
      durable: 'never-there',
      subject: 'ledger.workorder.ActionDecided',
      retiredAfter: async () => position,
    });
    await reactions.onApplicationBootstrap();
    await new Promise((r) => setTimeout(r, 500));
    await reactions.onApplicationShutdown();
    expect(reactions.seen).toEqual([]);
    expect(await consumerExists('never-there')).toBe(false);
  });

  it('stops with its service before it is done, leaving its consumer for the next start', async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.add(Streams.ledger.name, {
      durable_name: 'old-openings',
      ack_policy: AckPolicy.Explicit,
      filter_subject: 'ledger.workorder.WorkOrderOpened',
    });
    const reactions = new Reactions({
      durable: 'old-openings',
      subject: 'ledger.workorder.WorkOrderOpened',
      retiredAfter: async () => position + 100,
    });
    await reactions.onApplicationBootstrap();
    await new Promise((r) => setTimeout(r, 300));
    await reactions.onApplicationShutdown();
    expect(await consumerExists('old-openings')).toBe(true);
  });
});
