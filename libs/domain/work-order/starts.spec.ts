import { deterministicUuid } from '../ids';
import { ownersOf, startAppend, startAppendsOwnedBy, startedBy, STREAM_OWNERS } from './starts';
import { NOW, open, openWith, orderNote, refund, stateAfter, work, workflow } from './work-order.fixtures';
import { WorkOrderEvent } from './work-order.state';

/** The first events of the streams a command starts: the event ids earlier versions' consumers recorded them under. */
describe('streams a work-order event starts', () => {
  const metadata = { commandId: 'c-1', actor: 'op-1', channel: 'http' };
  const appendsOf = (events: WorkOrderEvent[]) =>
    events.flatMap((e) => startedBy(e, workflow)).map((s) => startAppend(s, metadata, NOW));

  it('an approval for a gate request, under the id the approvals service gave its first event', () => {
    const events = work
      .given(...work.history(open))
      .when(refund)
      .result();
    const gate = events.find((e) => e.type === 'GateRequested');
    if (gate?.type !== 'GateRequested') throw new Error('a gate request');
    const [append] = appendsOf(events);
    expect(append).toEqual({
      streamId: `approval-${gate.data.approvalId}`,
      expectedVersion: 'no_stream',
      events: [
        {
          eventId: deterministicUuid('approval', gate.data.approvalId, '1', 'ApprovalRequested'),
          type: 'ApprovalRequested',
          data: expect.objectContaining({ approvalId: gate.data.approvalId }),
          metadata: { ...metadata, producer: 'approvals' },
          occurredAt: NOW,
        },
      ],
    });
  });

  it('an exception for a failed prerequisite, under the id the exceptions service gave it, asked for by the event recorded beside the opening', () => {
    const opened = work.history(openWith({ orderId: '1' }));
    const [exception] = stateAfter(opened).exceptions.values();
    expect(opened.map((e) => e.type)).toEqual(['WorkOrderOpened', 'WorkOrderExceptionRaised']);
    const start = [
      `exception-${exception.exceptionId}`,
      [deterministicUuid('exception', exception.exceptionId, 'raised')],
    ];
    // The opening lists the exception (an earlier version's opening is read for it) and its
    // companion starts the very same stream; intake asks for the companion alone.
    expect(opened.map((e) => appendsOf([e]).map((a) => [a.streamId, a.events.map((x) => x.eventId)]))).toEqual([
      [start],
      [start],
    ]);
    expect(appendsOf([opened[0]])).toEqual(appendsOf([opened[1]]));
    expect(opened.map((e) => ownersOf(e))).toEqual([[], ['exceptions']]);
  });

  it('names the owner of every started stream as its producer, and intake asks exactly those owners', () => {
    const histories = [
      work
        .given(...work.history(open))
        .when(refund)
        .result(),
      work.history(openWith({ orderId: '1' })),
      work.history(open, orderNote),
    ];
    for (const e of histories.flat()) {
      const started = startedBy(e, workflow);
      if (e.type === 'WorkOrderOpened') {
        // Its exceptions are asked for by the events recorded beside it, which start the same streams.
        expect(ownersOf(e)).toEqual([]);
        const history = histories.find((h) => h.includes(e)) ?? [];
        const besides = history.filter((x) => x.type === 'WorkOrderExceptionRaised');
        expect(started.map((x) => x.id)).toEqual(besides.flatMap((x) => startedBy(x, workflow)).map((x) => x.id));
        continue;
      }
      expect(new Set(ownersOf(e))).toEqual(new Set(started.map((s) => STREAM_OWNERS[s.stream])));
      for (const owner of ownersOf(e))
        for (const append of startAppendsOwnedBy(owner, e, workflow))
          expect(append.events.map((x) => x.metadata)).toEqual(
            append.events.map(() => ({ ...e.metadata, producer: owner })),
          );
    }
  });

  it('nothing for events that start no stream', () => expect(appendsOf(work.history(open, orderNote))).toEqual([]));
});
