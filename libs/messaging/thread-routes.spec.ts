import { MessageChannel } from 'node:worker_threads';
import { WorkgateError } from '@workgate/contracts';
import { eventually } from '../../test/support/processes';
import { RouteRegistry } from './local-routes';
import { offerLocalRoutes, useOfferedRoutes } from './thread-routes';
import { checked, shaped } from '../../test/support/guards';

/** The callback a route's payload carries across (`{ callback: 'decided' }`). */
const isCallback = (value: unknown): value is (answer: unknown) => void => typeof value === 'function';

const open: Array<() => void> = [];
afterEach(() => open.splice(0).forEach((close) => close()));

let markers = 0;

/**
 * Resolves once `to` has heard every route `from` announced or withdrew before: announcements
 * travel in order, so a marker route's arrival and then its removal say every earlier one arrived.
 */
async function announced(from: RouteRegistry, to: RouteRegistry): Promise<void> {
  const marker = `announced.${++markers}`;
  from.register(marker, async () => undefined);
  await eventually(async () => to.get(marker) !== undefined, 5_000, `${marker} to arrive`);
  from.unregister(marker);
  await eventually(async () => to.get(marker) === undefined, 5_000, `${marker} to be withdrawn`);
}

/** Two registries joined by a message port, as the ledger thread and the main thread are. */
function joined() {
  const thread = new RouteRegistry();
  const main = new RouteRegistry();
  const { port1, port2 } = new MessageChannel();
  const using = useOfferedRoutes(port1, main);
  const stopOffering = offerLocalRoutes(port2, thread);
  const settle = () => announced(thread, main);
  open.push(() => {
    using.close();
    stopOffering();
    port2.close();
  });
  return { thread, main, using, stopOffering, port1, port2, settle };
}

describe('thread routes', () => {
  it('answers a request on the other thread with a clone of the payload, and keeps error codes', async () => {
    const t = joined();
    const seen: unknown[] = [];
    t.thread.register('ledger.append', async (payload) => {
      seen.push(payload);
      if (typeof payload === 'object' && payload !== null && 'bad' in payload && payload.bad)
        throw new WorkgateError('version_conflict', 'stream moved', [{ currentVersion: 3 }]);
      return { positions: [1] };
    });
    await t.settle();
    const route = t.main.get('ledger.append')!;
    expect(route).toBeDefined();
    const payload = { events: [{ data: { a: 1 } }] };
    await expect(route(payload)).resolves.toEqual({ positions: [1] });
    expect(seen[0]).toEqual(payload);
    expect(seen[0]).not.toBe(payload); // a structured clone travelled, not the object
    await expect(route({ bad: true })).rejects.toMatchObject({
      code: 'version_conflict',
      message: 'stream moved',
      details: [{ currentVersion: 3 }],
    });
  });

  it('never offers a route registered for its own thread only (its payload cannot cross); registered again as an ordinary one, it is offered', async () => {
    const t = joined();
    t.thread.register('with-callback', async () => 'here', { thisThreadOnly: true });
    t.thread.register('plain', async () => 'plain');
    await t.settle();
    expect(t.main.subjects()).toEqual(['plain']);
    // Registered again as an ordinary route, it is offered.
    t.thread.register('with-callback', async () => 'here');
    await t.settle();
    expect(t.main.subjects().sort()).toEqual(['plain', 'with-callback']);
  });

  it('hands the requests of one turn to their handlers in one turn, in order; a payload that cannot be cloned fails alone', async () => {
    const t = joined();
    const turns: unknown[][] = [];
    let current: unknown[] = [];
    t.thread.register('cmd', async (payload) => {
      // What arrives before this turn's microtasks run out is one turn.
      if (current.push(payload) === 1)
        queueMicrotask(() => {
          turns.push(current);
          current = [];
        });
      return payload;
    });
    await t.settle();
    const route = t.main.get('cmd')!;
    const sent = [route('a'), route('b'), route({ f: () => 1 }), route('c')];
    await expect(sent[2]).rejects.toThrow();
    await expect(Promise.all([sent[0], sent[1], sent[3]])).resolves.toEqual(['a', 'b', 'c']);
    expect(turns).toEqual([['a', 'b', 'c']]);
    await expect(route('d')).resolves.toBe('d'); // a later turn, a message of its own
    expect(turns).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('sends the requests of one pass of the event loop as one port message, and their answers as one', async () => {
    const t = joined();
    t.thread.register('echo', async (payload) => payload);
    await t.settle();
    const crossing = { toThread: 0, back: 0 };
    t.port2.on('message', () => crossing.toThread++);
    t.port1.on('message', () => crossing.back++);
    const route = t.main.get('echo')!;
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => route({ n: i })));
    expect(answers).toEqual(Array.from({ length: 10 }, (_, i) => ({ n: i })));
    expect(crossing).toEqual({ toThread: 1, back: 1 });
  });

  it('fails an answer that cannot be cloned as internal, alone: the answers sent with it arrive', async () => {
    const t = joined();
    t.thread.register('echo', async (payload) => payload);
    t.thread.register('unclonable', async () => ({ f: () => 1 }));
    await t.settle();
    const echo = t.main.get('echo')!;
    const [before, bad, after] = await Promise.allSettled([echo('a'), t.main.get('unclonable')!('x'), echo('b')]);
    expect(before).toEqual({ status: 'fulfilled', value: 'a' });
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'internal' } });
    expect(after).toEqual({ status: 'fulfilled', value: 'b' });
  });

  it("tells a route's callback on the other thread each interim answer, in order and before the reply, the function never crossing", async () => {
    const t = joined();
    const seen: unknown[] = [];
    t.thread.register(
      'decide',
      async (payload) => {
        const { decided, ...rest } = checked(payload, shaped({ decided: isCallback }), 'the payload');
        seen.push(rest);
        decided({ decision: 'run', try: 1 });
        decided({ decision: 'run', try: 2 }); // decided again (a version conflict)
        await new Promise((r) => setTimeout(r, 10)); // the commit
        return { answer: { decision: 'run' }, position: 7 };
      },
      { callback: 'decided' },
    );
    await t.settle();
    const events: unknown[] = [];
    const reply = await t.main.get('decide')!({ n: 1, decided: (answer: unknown) => events.push(['told', answer]) });
    events.push(['reply', reply]);
    expect(seen).toEqual([{ n: 1 }]);
    expect(events).toEqual([
      ['told', { decision: 'run', try: 1 }],
      ['told', { decision: 'run', try: 2 }],
      ['reply', { answer: { decision: 'run' }, position: 7 }],
    ]);
    // Told and answered at once (one batch): still told first.
    t.thread.register(
      'decide-at-once',
      async (payload) => {
        checked(payload, shaped({ decided: isCallback }), 'the payload').decided({ decision: 'run' });
        return 'recorded';
      },
      { callback: 'decided' },
    );
    await t.settle();
    const atOnce: unknown[] = [];
    atOnce.push(await t.main.get('decide-at-once')!({ decided: (answer: unknown) => atOnce.push(answer) }));
    expect(atOnce).toEqual([{ decision: 'run' }, 'recorded']);
    // A caller without a callback is answered all the same.
    await expect(t.main.get('decide')!({ n: 2 })).resolves.toMatchObject({ position: 7 });
    // The main thread does not offer it on.
    expect(t.main.crossingSubjects()).toEqual([]);
  });

  it('follows routes as they come and go, and fails what waits when it closes', async () => {
    const t = joined();
    let release: (() => void) | undefined;
    t.thread.register('slow', () => new Promise((r) => (release = () => r('late'))));
    t.thread.register('gone', async () => 'here');
    await t.settle();
    expect(t.main.subjects().sort()).toEqual(['gone', 'slow']);
    t.thread.unregister('gone');
    await t.settle();
    expect(t.main.get('gone')).toBeUndefined();
    // A route the main thread registered itself is not withdrawn by the other thread.
    t.main.register('mine', async () => 'mine');
    t.thread.register('mine', async () => 'theirs');
    t.thread.unregister('mine');
    await t.settle();
    expect(t.main.subjects()).toContain('mine');

    const waiting = t.main.get('slow')!('x');
    t.using.close();
    await expect(waiting).rejects.toMatchObject({ code: 'unavailable' });
    expect(t.main.get('slow')).toBeUndefined();
    release?.();
  });

  it('answers a request for a route the thread no longer serves as unavailable', async () => {
    const t = joined();
    t.thread.register('flaky', async () => 'ok');
    await t.settle();
    const route = t.main.get('flaky')!;
    t.thread.unregister('flaky'); // the request below crosses the notice of removal
    await expect(route('x')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it("joined both ways, serves each thread the other's routes and never offers a route back to the thread that serves it", async () => {
    const t = joined();
    // The main thread offers its own routes to the other thread through a second port.
    const { port1, port2 } = new MessageChannel();
    const stopOffering = offerLocalRoutes(port1, t.main);
    const using = useOfferedRoutes(port2, t.thread);
    open.push(() => {
      using.close();
      stopOffering();
      port1.close();
    });
    t.thread.register('ledger.append', async () => 'appended');
    t.main.register('policy.get', async () => 'policy');
    await t.settle();
    await announced(t.main, t.thread);
    expect(t.main.subjects().sort()).toEqual(['ledger.append', 'policy.get']);
    expect(t.thread.subjects().sort()).toEqual(['ledger.append', 'policy.get']);
    await expect(t.thread.get('policy.get')!('x')).resolves.toBe('policy');
    await expect(t.main.get('ledger.append')!('x')).resolves.toBe('appended');
    // What the main thread was offered, it does not offer back: the thread's own route stays its own.
    expect(t.main.crossingSubjects()).toEqual(['policy.get']);
    t.thread.unregister('ledger.append');
    await t.settle();
    await announced(t.main, t.thread);
    expect(t.main.subjects()).toEqual(['policy.get']);
    expect(t.thread.subjects()).toEqual(['policy.get']);
  });
});
