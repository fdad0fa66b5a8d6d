import { LedgerHead } from '@workgate/contracts';
import { treeFrontier } from '@workgate/event-store';
import { ev, ledgerUnderTest } from '../../libs/event-store/spec-support';
import { historyProblem } from './checkpoint-history';

/**
 * Before a checkpoint is signed, no row may stand past what the writer wrote. A group commit is
 * visible in Postgres a moment before its writer moves its head: under load the check used to
 * read that row first and refuse to sign checkpoints for good.
 */
describe('the history check before a checkpoint is signed (real Postgres)', () => {
  const ledger = ledgerUnderTest();

  /** The writer as the check sees it: its head is `head` until its commit in flight settles at `settlesAt`. */
  const writerAt = (head: number, settlesAt: number, refusesWhenSettled?: string) => {
    let position = head;
    const writer: { refusing: string | undefined; currentHead: () => LedgerHead; settled: () => Promise<void> } = {
      refusing: undefined,
      currentHead: (): LedgerHead => ({ position, hash: '' }),
      settled: async () => {
        position = settlesAt;
        writer.refusing = refusesWhenSettled;
      },
    };
    return writer;
  };

  beforeAll(async () => {
    for (let i = 0; i < 5; i++)
      await ledger.writer.append({ streamId: `history-${i}`, expectedVersion: 'no_stream', events: [ev()] });
  });

  it('takes a row of the commit in flight as the writer’s own once that commit settles', async () => {
    const root = (await treeFrontier(ledger.owner, 4)).root();
    expect(await historyProblem({ pool: ledger.owner, writer: writerAt(4, 5) }, undefined, 4, root)).toBeUndefined();
  });

  it('names a row still past the writer’s head once its commits have settled', async () => {
    const root = (await treeFrontier(ledger.owner, 4)).root();
    expect(await historyProblem({ pool: ledger.owner, writer: writerAt(4, 4) }, undefined, 4, root)).toBe(
      'the ledger holds position 5, which the writer did not write',
    );
  });

  it('answers the writer’s refusal when the commit it waited for met a row written around it', async () => {
    const root = (await treeFrontier(ledger.owner, 4)).root();
    const refusal = 'the ledger holds position 5, past this writer’s head 4: rows were written around the writer';
    expect(await historyProblem({ pool: ledger.owner, writer: writerAt(4, 5, refusal) }, undefined, 4, root)).toBe(
      refusal,
    );
  });
});
