import { refuse } from '@workgate/contracts';
import { MAX_ATTEMPTS, retryOnConflict } from './command-retry';

/** An attempt that meets `conflicts` version conflicts, then answers `done`; counts its runs. */
function conflicting(conflicts: number) {
  const runs = { n: 0 };
  const attempt = async () => {
    runs.n++;
    if (runs.n <= conflicts) throw refuse('version_conflict', 'the stream moved on');
    return 'done';
  };
  return { runs, attempt };
}

describe('the retry of every command handler', () => {
  it('decides again after each version conflict, 4 attempts in all', async () => {
    expect(MAX_ATTEMPTS).toBe(4);
    for (const conflicts of [0, 1, 2, 3]) {
      const { runs, attempt } = conflicting(conflicts);
      const retried: string[] = [];
      await expect(retryOnConflict(attempt, (c) => void retried.push(c.code))).resolves.toBe('done');
      expect(runs.n).toBe(conflicts + 1);
      expect(retried).toEqual(Array(conflicts).fill('version_conflict'));
    }
  });

  it('gives the conflict up after the 4th attempt', async () => {
    const { runs, attempt } = conflicting(10);
    await expect(retryOnConflict(attempt)).rejects.toMatchObject({ code: 'version_conflict' });
    expect(runs.n).toBe(4);
  });

  it('throws any other error at once, and a conflict the caller says deciding again cannot help', async () => {
    let runs = 0;
    const unavailable = async () => {
      runs++;
      throw refuse('unavailable', 'the ledger is away');
    };
    await expect(retryOnConflict(unavailable)).rejects.toMatchObject({ code: 'unavailable' });
    expect(runs).toBe(1);
    const { runs: stopped, attempt } = conflicting(3);
    await expect(
      retryOnConflict(attempt, (c) => {
        throw c;
      }),
    ).rejects.toMatchObject({ code: 'version_conflict' });
    expect(stopped.n).toBe(1);
  });

  it('knows a conflict by its code, whatever its class (an answer from a thread)', async () => {
    const { runs, attempt } = conflicting(0);
    let first = true;
    const plain = async () => {
      if (first) {
        first = false;
        throw Object.assign(new Error('the stream moved on'), { code: 'version_conflict' });
      }
      return attempt();
    };
    await expect(retryOnConflict(plain)).resolves.toBe('done');
    expect(runs.n).toBe(1);
  });
});
