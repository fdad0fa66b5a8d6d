import { ThrottledFetch } from './throttled-fetch';

describe('ThrottledFetch', () => {
  let now = 0;
  let fetches = 0;
  let answer: () => Promise<string>;
  const throttled = new ThrottledFetch(
    () => {
      fetches++;
      return answer();
    },
    10_000,
    () => now,
  );

  it('answers a failure again, without fetching, until the period has passed', async () => {
    answer = () => Promise.reject(new Error('down'));
    const all = await Promise.allSettled([throttled.get(), throttled.get(), throttled.get()]);
    expect(all.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    now = 9_999;
    await expect(throttled.get()).rejects.toThrow('down');
    expect(fetches).toBe(1);
    answer = () => Promise.resolve('keys-1');
    now = 10_000;
    await expect(throttled.get()).resolves.toBe('keys-1');
    expect(fetches).toBe(2);
  });

  it('refreshes at most once per period, keeping the value held', async () => {
    answer = () => Promise.resolve('keys-2');
    now = 15_000;
    await expect(throttled.refresh()).resolves.toBe('keys-1');
    expect(fetches).toBe(2);
    now = 20_000;
    await expect(throttled.refresh()).resolves.toBe('keys-2');
    expect(fetches).toBe(3);
  });

  it('keeps the value held when a fetch past its age fails', async () => {
    answer = () => Promise.reject(new Error('down'));
    now = 40_000;
    await expect(throttled.get(5_000)).resolves.toBe('keys-2');
    expect(fetches).toBe(4);
    await expect(throttled.get(5_000)).resolves.toBe('keys-2');
    expect(fetches).toBe(4);
  });
});
