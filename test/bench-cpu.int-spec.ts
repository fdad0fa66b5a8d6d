import { spawn } from 'node:child_process';
import { cpuPerEvent, CpuReading, residentBytes } from '../bench/cpu';

/** The benchmarks' CPU accounting: what each process used between two readings of the machine. */
describe('CPU per event between two readings', () => {
  const reading = (entries: Array<[number, 'workgate' | 'natsServer' | 'postgres' | 'bench', number]>): CpuReading =>
    new Map(entries.map(([pid, share, seconds]) => [pid, { share, seconds }]));

  it('takes from a process that ended only nothing, never its whole past, and counts one that started in between', () => {
    const before = reading([
      [1, 'bench', 10],
      [2, 'workgate', 100],
      [3, 'postgres', 500], // a connection that closes during the run
      [4, 'postgres', 1],
      [5, 'natsServer', 50],
    ]);
    const after = reading([
      [1, 'bench', 10.5],
      [2, 'workgate', 101],
      [4, 'postgres', 1.25],
      [6, 'postgres', 0.25], // a connection opened during the run
      [5, 'natsServer', 50.5],
    ]);
    expect(cpuPerEvent(before, after, 10_000)).toEqual({
      bench: 50,
      workgate: 100,
      postgres: 50,
      natsServer: 50,
      total: 250,
    });
  });
});

describe('resident memory read from /proc', () => {
  it('reads a live process as `ps` would, and a finished one as 0', async () => {
    const own = residentBytes(process.pid);
    const rss = process.memoryUsage().rss;
    expect(own).toBeGreaterThan(rss * 0.8);
    expect(own).toBeLessThan(rss * 1.25);
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.once('exit', resolve));
    expect(residentBytes(child.pid!)).toBe(0);
  });
});
