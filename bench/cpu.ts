import { execSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { median } from './stats';

/** Who spends the machine's CPU in a benchmark run. */
export interface CpuShares {
  workgate: number;
  natsServer: number;
  postgres: number;
  /** This benchmark process: the publishers and the polling. */
  bench: number;
}

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of one process (every thread), in seconds; 0 when it is gone. */
export function processSeconds(pid: string | number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * Resident memory of one process (every thread), in bytes, read from /proc without starting a
 * process (a `ps` per reading cost the machine more CPU than the pipeline could spare); 0 when it
 * is gone or elsewhere than Linux.
 */
export function residentBytes(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Number(kb[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function commandName(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** CPU seconds used so far, per process, by whom: one reading of the machine. */
export type CpuReading = Map<number, { share: keyof CpuShares; seconds: number }>;

/**
 * CPU seconds used so far by workgate's processes (`pids`), every nats-server and Postgres process
 * on the machine, and this process, each process on its own (so that one ending between two
 * readings takes away only what it used meanwhile, never its whole past). Linux only (/proc);
 * elsewhere it reads nothing and every share is 0.
 */
export function cpuSeconds(workgatePids: number[]): CpuReading {
  const reading: CpuReading = new Map([[process.pid, { share: 'bench', seconds: processSeconds(process.pid) }]]);
  for (const pid of workgatePids) reading.set(pid, { share: 'workgate', seconds: processSeconds(pid) });
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return reading;
  }
  for (const pid of entries) {
    const name = commandName(pid);
    if (name === 'nats-server') reading.set(Number(pid), { share: 'natsServer', seconds: processSeconds(pid) });
    else if (name === 'postgres') reading.set(Number(pid), { share: 'postgres', seconds: processSeconds(pid) });
  }
  return reading;
}

export type CpuPerEvent = CpuShares & { total: number };

/** The median of each share over several runs. */
export function medianCpu(runs: CpuPerEvent[]): CpuPerEvent {
  const med = (k: keyof CpuPerEvent) => median(runs.map((r) => r[k]));
  return {
    total: med('total'),
    workgate: med('workgate'),
    natsServer: med('natsServer'),
    postgres: med('postgres'),
    bench: med('bench'),
  };
}

/**
 * CPU microseconds per event spent between two readings, by whom: per process, what it used
 * between them (all of it for one that started in between; nothing for one that ended, whose
 * last moments are lost with it).
 */
const SHARES = ['workgate', 'natsServer', 'postgres', 'bench'] as const satisfies ReadonlyArray<keyof CpuShares>;

export function cpuPerEvent(before: CpuReading, after: CpuReading, events: number): CpuPerEvent {
  const shares: CpuShares = { workgate: 0, natsServer: 0, postgres: 0, bench: 0 };
  for (const [pid, now] of after) shares[now.share] += Math.max(0, now.seconds - (before.get(pid)?.seconds ?? 0));
  for (const k of SHARES) shares[k] = (shares[k] * 1e6) / events;
  return { ...shares, total: shares.workgate + shares.natsServer + shares.postgres + shares.bench };
}
