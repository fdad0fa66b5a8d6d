import { cpuPerEvent, CpuReading } from '../bench/cpu';

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
    expect(cpuPerEvent(before, after, 10_000)).toEqual({ bench: 50, workgate: 100, postgres: 50, natsServer: 50, total: 250 });
  });
});
