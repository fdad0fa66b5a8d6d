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
function processSeconds(pid: string | number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
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

/**
 * CPU seconds used so far by workgate's processes (`pids`), every nats-server and Postgres process
 * on the machine, and this process. Linux only (/proc); elsewhere every share reads 0.
 */
export function cpuSeconds(workgatePids: number[]): CpuShares {
  const shares: CpuShares = { workgate: 0, natsServer: 0, postgres: 0, bench: processSeconds(process.pid) };
  for (const pid of workgatePids) shares.workgate += processSeconds(pid);
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return shares;
  }
  for (const pid of entries) {
    const name = commandName(pid);
    if (name === 'nats-server') shares.natsServer += processSeconds(pid);
    else if (name === 'postgres') shares.postgres += processSeconds(pid);
  }
  return shares;
}

export type CpuPerEvent = CpuShares & { total: number };

/** The median of each share over several runs. */
export function medianCpu(runs: CpuPerEvent[]): CpuPerEvent {
  const med = (k: keyof CpuPerEvent) => median(runs.map((r) => r[k]));
  return { total: med('total'), workgate: med('workgate'), natsServer: med('natsServer'), postgres: med('postgres'), bench: med('bench') };
}

/** CPU microseconds per event spent between two readings, by whom (processes that ended in between are not counted). */
export function cpuPerEvent(before: CpuShares, after: CpuShares, events: number): CpuPerEvent {
  const per = (k: keyof CpuShares) => Math.max(0, ((after[k] - before[k]) * 1e6) / events);
  const shares = { workgate: per('workgate'), natsServer: per('natsServer'), postgres: per('postgres'), bench: per('bench') };
  return { ...shares, total: shares.workgate + shares.natsServer + shares.postgres + shares.bench };
}
