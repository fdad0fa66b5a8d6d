import { randomUUID } from 'node:crypto';
import { AppendRequest, refuse, streamId, WorkgateError } from '@workgate/contracts';
import { versionedEventId } from '@workgate/domain';
import { LedgerReader } from '../event-store/ledger-reader';
import { ledgerUnderTest } from '../event-store/spec-support';
import { CommandStream, foldStream, handle, HandleOptions } from './command-handler';
import { MAX_ATTEMPTS } from './command-retry';

/** A counter: each `Counted` names the count it makes (what the decider saw, plus one). */
interface Counter {
  n: number;
}
interface Counted {
  type: 'Counted';
  eventId?: string;
  data: { to: number };
}
const counters: CommandStream<Counter, Counted>['def'] = {
  stream: 'drift',
  initial: () => ({ n: 0 }),
  evolve: (s) => ({ n: s.n + 1 }),
  eventId: versionedEventId('command-handler-spec'),
};
const count = (state: Counter): Counted[] => [{ type: 'Counted', data: { to: state.n + 1 } }];
const BY: HandleOptions<Counter, Counted> = { actor: 'ann' };

describe('the command handler (read, decide, append at the version read, decide again on a conflict), on a real ledger', () => {
  const ledger = ledgerUnderTest();
  let reader: LedgerReader;
  beforeAll(() => {
    reader = new LedgerReader(ledger.app);
  });

  /** A counter stream over the ledger under test, counting its reads and keeping the commits it was asked for. */
  function counterStream(producer?: string) {
    const seen: { loads: number; commits: AppendRequest[][] } = { loads: 0, commits: [] };
    const stream: CommandStream<Counter, Counted> = {
      def: counters,
      ...(producer ? { producer } : {}),
      load: (id) => {
        seen.loads++;
        return foldStream(
          (r) => reader.readStream(r.streamId, r.fromVersion, r.limit),
          streamId('drift', id),
          counters.initial(),
          (s) => ({ n: s.n + 1 }),
        );
      },
      commit: async (appends) => {
        seen.commits.push(appends);
        return (await ledger.writer.commit({ appends })).position;
      },
    };
    return { stream, seen };
  }

  /** Another writer's event on the counter `id`, recorded whatever the stream's version. */
  const meanwhile = (id: string) =>
    ledger.writer.append({
      streamId: streamId('drift', id),
      expectedVersion: 'any',
      events: [{ eventId: randomUUID(), type: 'Counted', data: { to: 0, by: 'another writer' } }],
    });

  const recorded = async (id: string) => (await reader.readStream(streamId('drift', id))).events;

  it("decides again on what another writer recorded meanwhile, and appends after it at the stream's version", async () => {
    const id = randomUUID();
    const { stream, seen } = counterStream();
    await handle(stream, id, count, BY);
    const decidedOn: number[] = [];
    const handled = await handle(
      stream,
      id,
      async (state) => {
        decidedOn.push(state.n);
        if (decidedOn.length === 1) await meanwhile(id);
        return count(state);
      },
      BY,
    );
    expect(decidedOn).toEqual([1, 2]);
    const events = await recorded(id);
    expect(events.map((e) => e.data)).toEqual([{ to: 1 }, { to: 0, by: 'another writer' }, { to: 3 }]);
    expect(handled).toMatchObject({ state: { n: 3 }, version: 3, position: events[2].position });
    // The first attempt was appended at version 1 (refused), the second at version 2.
    expect(seen.commits.slice(1).map(([a]) => a.expectedVersion)).toEqual([1, 2]);
  });

  it(`gives the conflict up after ${MAX_ATTEMPTS} attempts, having appended nothing`, async () => {
    const id = randomUUID();
    const { stream, seen } = counterStream();
    let decided = 0;
    const always = async (state: Counter) => {
      decided++;
      await meanwhile(id);
      return count(state);
    };
    await expect(handle(stream, id, always, BY)).rejects.toMatchObject({ code: 'version_conflict' });
    expect(decided).toBe(4);
    expect(seen.loads).toBe(4);
    expect((await recorded(id)).map((e) => e.data)).toEqual(Array(4).fill({ to: 0, by: 'another writer' }));
  });

  it('hands the first conflict to the caller when asked not to retry, and lets beforeRetry stop retrying', async () => {
    const id = randomUUID();
    const { stream } = counterStream();
    let decided = 0;
    const conflicting = async (state: Counter) => {
      decided++;
      await meanwhile(id);
      return count(state);
    };
    await expect(handle(stream, id, conflicting, { ...BY, retry: false })).rejects.toMatchObject({
      code: 'version_conflict',
    });
    expect(decided).toBe(1);
    const forgotten: string[] = [];
    const stop = (conflict: WorkgateError) => {
      forgotten.push(conflict.code);
      throw conflict;
    };
    await expect(handle(stream, id, conflicting, { ...BY, beforeRetry: stop })).rejects.toMatchObject({
      code: 'version_conflict',
    });
    expect([decided, forgotten]).toEqual([2, ['version_conflict']]);
  });

  it('throws a refusal as it is, at once, appending nothing', async () => {
    const id = randomUUID();
    const { stream, seen } = counterStream();
    await handle(stream, id, count, BY);
    let decided = 0;
    const refusing = () => {
      decided++;
      throw refuse('approval_decided', 'already decided');
    };
    await expect(handle(stream, id, refusing, BY)).rejects.toMatchObject({ code: 'approval_decided' });
    expect(decided).toBe(1);
    expect(seen.commits).toHaveLength(1);
    expect(await recorded(id)).toHaveLength(1);
  });

  it("appends nothing when the command decides nothing, and answers the stream's state, version and last position", async () => {
    const id = randomUUID();
    const { stream, seen } = counterStream();
    const first = await handle(stream, id, count, BY);
    const again = await handle(stream, id, () => [], BY);
    expect(seen.commits).toHaveLength(1);
    expect(again).toEqual({ state: { n: 1 }, events: [], version: 1, position: first.position });
    const none = await handle(stream, randomUUID(), () => [], BY);
    expect([none, seen.commits.length]).toEqual([{ state: { n: 0 }, events: [], version: 0, position: 0 }, 1]);
  });

  it("records the actor, their sign-in and the stream's producer in the metadata, at the command's time, under versioned ids", async () => {
    const id = randomUUID();
    const { stream } = counterStream('exceptions');
    const now = '2026-01-02T03:04:05.000Z';
    const signedIn = { issuer: 'https://issuer.test', subject: 'ann-1' };
    await handle(stream, id, (s) => [...count(s), { type: 'Counted', data: { to: s.n + 2 } }], {
      actor: 'ann',
      now,
      signedIn,
    });
    const events = await recorded(id);
    expect(events.map((e) => [e.eventId, e.metadata, e.occurredAt])).toEqual(
      [1, 2].map((v) => [
        counters.eventId(id, v, 'Counted'),
        { actor: 'ann', issuer: signedIn.issuer, subject: signedIn.subject, producer: 'exceptions' },
        now,
      ]),
    );
    // An event that brings its own id, metadata and time (a work order's) keeps them.
    const own = { eventId: randomUUID(), metadata: { actor: 'bob', commandId: 'c-1' }, occurredAt: now };
    await handle(stream, id, (s) => [{ ...count(s)[0], ...own }], BY);
    expect((await recorded(id))[2]).toMatchObject(own);
  });

  it('opens a stream without reading it, and reads and decides again when it was there after all', async () => {
    const { stream, seen } = counterStream();
    const fresh = randomUUID();
    const opening: HandleOptions<Counter, Counted> = { ...BY, opens: true };
    await handle(stream, fresh, count, opening);
    expect([seen.loads, seen.commits[0][0].expectedVersion]).toEqual([0, 'no_stream']);
    // Another writer's stream: the opening meets a conflict, reads it and decides again.
    const taken = randomUUID();
    await meanwhile(taken);
    const decidedOn: number[] = [];
    const onceOnly = (s: Counter) => {
      decidedOn.push(s.n);
      return s.n === 0 ? count(s) : [];
    };
    const again = await handle(stream, taken, onceOnly, opening);
    expect([decidedOn, seen.loads, again]).toEqual([
      [0, 1],
      1,
      { state: { n: 1 }, events: [], version: 1, position: expect.any(Number) },
    ]);
    expect(await recorded(taken)).toHaveLength(1);
  });

  it("commits other streams' appends in the same commit (even when the command records nothing), telling the outcome before it", async () => {
    const id = randomUUID();
    const { stream, seen } = counterStream();
    const other = (events: Counted[]): AppendRequest[] => [
      {
        streamId: streamId('drift', `${id}-other`),
        expectedVersion: 'any',
        events: [{ eventId: randomUUID(), type: 'Started', data: { after: events.length } }],
      },
    ];
    const told: Array<[Counter, number]> = [];
    const handled = await handle(stream, id, count, {
      ...BY,
      with: other,
      told: (after, events) => {
        told.push([after, events.length]);
        throw new Error("the caller's own failure");
      },
    });
    expect(told).toEqual([[{ n: 1 }, 1]]);
    expect(seen.commits[0].map((a) => a.streamId)).toEqual([streamId('drift', id), streamId('drift', `${id}-other`)]);
    const started = (await reader.readStream(streamId('drift', `${id}-other`))).events;
    expect(handled.position).toBe(started[0].position);
    const alone = await handle(stream, id, () => [], { ...BY, with: other });
    expect(seen.commits[1].map((a) => a.streamId)).toEqual([streamId('drift', `${id}-other`)]);
    expect(alone).toMatchObject({ version: 1, events: [] });
    expect(alone.position).toBeGreaterThan(handled.position);
  });
});
