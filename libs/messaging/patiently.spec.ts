import { WorkgateError } from '@workgate/contracts';
import { patiently } from './patiently';

const noAnswer = () => new WorkgateError('unavailable', 'no service answers on workgate.ledger.append');

/** Work that fails with each of `errors` in turn, then answers 'done'; with the number of tries made. */
function failing(...errors: Error[]) {
  const work = Object.assign(
    () => {
      work.tries++;
      const error = errors.shift();
      return error ? Promise.reject(error) : Promise.resolve('done');
    },
    { tries: 0 },
  );
  return work;
}

describe('patiently', () => {
  it('waits out a service that does not answer yet, saying what it waits for', async () => {
    const work = failing(noAnswer(), new WorkgateError('timeout', 'workgate.ledger.append timed out'));
    const said: string[] = [];
    await expect(patiently('seed the catalog', work, { firstPauseMs: 1, log: (m) => said.push(m) })).resolves.toBe(
      'done',
    );
    expect(work.tries).toBe(3);
    expect(said).toEqual([
      expect.stringMatching(
        /^waiting to seed the catalog: no service answers on workgate\.ledger\.append; trying again in /,
      ),
      expect.stringMatching(/^waiting to seed the catalog: workgate\.ledger\.append timed out; /),
    ]);
  });

  it('throws at once an error that is not an outage, unless told to wait it out too', async () => {
    const refused = () => new WorkgateError('invalid_definition', 'unknown exception code');
    const once = failing(refused());
    await expect(patiently('publish a.yaml', once, { firstPauseMs: 1 })).rejects.toMatchObject({
      code: 'invalid_definition',
    });
    expect(once.tries).toBe(1);
    const waited = failing(refused());
    const alsoWaitFor = (e: WorkgateError) => e.code === 'invalid_definition';
    await expect(patiently('publish a.yaml', waited, { firstPauseMs: 1, alsoWaitFor })).resolves.toBe('done');
    expect(waited.tries).toBe(2);
  });

  it('gives up with the outage once its patience is spent', async () => {
    const work = failing(noAnswer(), noAnswer());
    await expect(patiently('seed the catalog', work, { patienceMs: 0 })).rejects.toMatchObject({
      code: 'unavailable',
      message: 'no service answers on workgate.ledger.append',
    });
    expect(work.tries).toBe(1);
  });
});
