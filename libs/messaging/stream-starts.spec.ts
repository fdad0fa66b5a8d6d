import { AppendRequest, RecordedEvent, refuse } from '@workgate/contracts';
import { StartsLedger, StreamStarts } from './stream-starts';

const CAUSE = '0b8e4a52-3f1c-4d7e-9a61-5c2f7d9e8b10';

/** The cause as the ledger recorded it: what it holds does not matter here (`OneStreamStarts` decides alone). */
const recorded = (eventId: string): RecordedEvent => ({
  position: 1,
  streamId: 'wo-1',
  streamVersion: 1,
  eventId,
  type: 'GateRequested',
  data: {},
  metadata: {},
  occurredAt: '2026-11-02T09:00:00.000Z',
  recordedAt: '2026-11-02T09:00:00.000Z',
  prevHash: '0'.repeat(64),
  hash: '1'.repeat(64),
});

/** A ledger of one process: a start on a stream that exists is refused, as the writer refuses it. */
function fakeLedger(failAppends = 0) {
  const streams = new Map<string, number[]>();
  let position = 0;
  let appends = 0;
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  const ledger: StartsLedger = {
    getEvent: async (eventId) => (await turn(), recorded(eventId)),
    firstPositions: async (streamId, limit) => (await turn(), (streams.get(streamId) ?? []).slice(0, limit)),
    append: async ({ streamId, expectedVersion, events }) => {
      await turn();
      appends++;
      if (failAppends-- > 0) throw refuse('unavailable', 'the ledger writer is not active');
      const held = streams.get(streamId) ?? [];
      if (expectedVersion === 'no_stream' && held.length > 0) throw refuse('version_conflict', 'started already');
      const positions = events.map(() => ++position);
      streams.set(streamId, [...held, ...positions]);
      return positions;
    },
  };
  return { ledger, streams, appends: () => appends };
}

/** Starts one stream per cause: the decider is not what this checks. */
class OneStreamStarts extends StreamStarts {
  override appendsOf(e: RecordedEvent): Promise<AppendRequest[]> {
    const start = { eventId: e.eventId, type: 'ApprovalRequested', data: {} };
    return Promise.resolve([{ streamId: `approval-${e.eventId}`, expectedVersion: 'no_stream', events: [start] }]);
  }
}

describe("StreamStarts: intake's ask and the owner's reaction start a cause's streams once", () => {
  const react = (starts: StreamStarts) =>
    starts.reaction('approvals-gates', 'ledger.workorder.GateRequested').react(recorded(CAUSE));

  it('appends once when the ask and the reaction of one cause run together, and both answer where it is', async () => {
    const fake = fakeLedger();
    const starts = new OneStreamStarts(fake.ledger, 'approvals');
    const [asked] = await Promise.all([starts.start({ eventIds: [CAUSE] }), react(starts)]);
    expect(fake.appends()).toBe(1);
    expect(asked).toEqual({ streamIds: [`approval-${CAUSE}`], position: 1 });
    // A later ask for the same cause answers the same start without appending.
    await expect(starts.start({ eventIds: [CAUSE] })).resolves.toEqual(asked);
    expect(fake.appends()).toBe(1);
  });

  it('a start that failed is tried again by the reaction that comes next', async () => {
    const fake = fakeLedger(1);
    const starts = new OneStreamStarts(fake.ledger, 'approvals');
    await expect(starts.start({ eventIds: [CAUSE] })).rejects.toMatchObject({ code: 'unavailable' });
    await react(starts);
    expect(fake.streams.get(`approval-${CAUSE}`)).toEqual([1]);
  });

  it('a reaction in another process finds the stream started and appends nothing', async () => {
    const fake = fakeLedger();
    await new OneStreamStarts(fake.ledger, 'approvals').start({ eventIds: [CAUSE] });
    await react(new OneStreamStarts(fake.ledger, 'approvals'));
    expect(fake.appends()).toBe(1);
  });
});
