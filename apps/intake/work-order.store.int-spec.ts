import { ReadStreamResult, RpcContract, Subjects, WorkgateError, workOrderStream } from '@workgate/contracts';
import {
  act,
  BatchReadsRefused,
  serviceOverLedger,
  idOf,
  note,
  open,
  read,
  workOrdersOver,
} from './work-orders.fixtures';

const isPage = (x: unknown): x is ReadStreamResult =>
  typeof x === 'object' && x !== null && 'events' in x && Array.isArray(x.events);

/**
 * The work-order store against the real ledger over NATS: a concurrent change decided again, the
 * work orders it does not hold read together, a long one page by page, a ledger of an earlier release.
 */
describe('WorkOrderStore (real Postgres and NATS)', () => {
  const rig = serviceOverLedger();

  it('decides again on a concurrent change: two instances act on one work order, both recorded in order', async () => {
    const ref = 'WOS-8';
    await rig.service.execute(open(ref));
    const other = workOrdersOver(rig.rpc, rig.workflows);
    await other.store.load(idOf(ref));
    const [a, b] = await Promise.all([rig.service.execute(act(ref, note)), other.service.execute(act(ref, read))]);
    expect([a.answer, b.answer]).toEqual([
      expect.objectContaining({ decision: 'run' }),
      expect.objectContaining({ decision: 'run' }),
    ]);
    expect(await rig.types(ref)).toEqual(['WorkOrderOpened', 'ActionDecided', 'ActionDecided']);
  });

  it('reads the work orders it does not hold together, one request for a burst, and a long one page by page to its end', async () => {
    const refs = ['WOS-9a', 'WOS-9b', 'WOS-9c', 'WOS-9d'];
    for (const ref of refs) await rig.service.execute(open(ref));
    // More events than a first page holds (100): the rest is read on until the stream's version.
    const long = refs[0];
    const { error } = await rig.service.executeInOrder(
      idOf(long),
      Array.from({ length: 150 }, () => act(long, read)),
    );
    expect(error).toBeUndefined();
    expect(await rig.types(long)).toHaveLength(151);

    const fresh = workOrdersOver(rig.rpc, rig.workflows);
    rig.rpc.readBatches.splice(0);
    const replies = await Promise.all(refs.map((ref) => fresh.service.execute(act(ref, note))));
    expect(replies.map((r) => r.answer)).toEqual(refs.map(() => expect.objectContaining({ decision: 'run' })));
    expect(rig.rpc.readBatches).toEqual([
      refs.map((ref) => ({ streamId: workOrderStream(idOf(ref)), fromVersion: 1, limit: 100 })),
    ]);
    const longTypes = await rig.types(long);
    expect(longTypes).toHaveLength(152);
    expect(longTypes[151]).toBe('ActionDecided');
    expect(await fresh.store.load(idOf(long))).toMatchObject({ version: 152 });
  });

  it.each(['payload_too_large', 'unavailable'] as const)(
    'reads a work order alone when the reads together are refused as %s',
    async (code) => {
      const ref = `WOS-10-${code}`;
      await rig.service.execute(open(ref));
      const fresh = workOrdersOver(new BatchReadsRefused(rig.t.nc, new WorkgateError(code, 'refused')), rig.workflows);
      expect((await fresh.service.execute(act(ref, read))).answer).toMatchObject({ decision: 'run' });
      expect(await rig.types(ref)).toEqual(['WorkOrderOpened', 'ActionDecided']);
    },
  );

  it('reads a long work order to its end from a ledger of an earlier release (no batch subject; version of the last event returned)', async () => {
    const ref = 'WOS-LONG-EARLIER';
    await rig.service.execute(open(ref));
    expect(
      (
        await rig.service.executeInOrder(
          idOf(ref),
          Array.from({ length: 120 }, () => act(ref, read)),
        )
      ).error,
    ).toBeUndefined();
    const noBatches = new WorkgateError(
      'unavailable',
      `no service answers on ${Subjects.ledger.readStreamBatch.subject}`,
    );
    class EarlierLedger extends BatchReadsRefused {
      override request<Req, Res>(
        contract: RpcContract<Req, Res>,
        payload: Req,
        options?: { timeoutMs?: number },
      ): Promise<Res> {
        if (contract.subject !== Subjects.ledger.readStream.subject) return super.request(contract, payload, options);
        return super.request(contract, payload, options).then((page) => {
          if (!isPage(page) || page.events.length === 0) return page;
          return Object.assign(page, { version: page.events[page.events.length - 1].streamVersion });
        });
      }
    }
    const fresh = workOrdersOver(new EarlierLedger(rig.t.nc, noBatches), rig.workflows);
    expect(await fresh.store.load(idOf(ref))).toMatchObject({ version: 121 });
    expect((await fresh.service.execute(act(ref, read))).answer).toMatchObject({ decision: 'run' });
    expect(await rig.types(ref)).toHaveLength(122);
  });
});
