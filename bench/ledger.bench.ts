import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { machineLine, median, saveResults, SummaryRow, table } from './stats';
import { Guard, isNumber, isString, objectOf, parseJsonAs } from '@workgate/contracts';

/**
 * `npm run bench:ledger`: durable appends/s, one event per append to its own stream with an
 * expected version, from 64 concurrent writers; every store in the same run, each scenario in
 * its own process, repeated; medians reported. The tree's cost is read from the two in-process
 * stores run in a mirrored order in each repetition (with, without, without, with; the next
 * repetition the reverse), so a drift of the machine's speed within a repetition weighs on both
 * alike: the median of each repetition's mean rate with the tree over its mean rate without.
 * Environment: BENCH_REPS (default 3), BENCH_SECONDS (default 5), BENCH_WRITERS (default 64).
 */
const REPS = Number(process.env.BENCH_REPS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 64);
const SCENARIOS: Array<[string, string]> = [
  ['inprocess', 'workgate event-store, in-process'],
  ['inprocess-no-tree', 'workgate event-store, in-process, without the Merkle tree (its cost)'],
  ['nats', 'workgate ledger service over NATS, one request per append'],
  ['nats-batched', 'workgate ledger service over NATS, batching client (as intake)'],
  ['emmett', 'Emmett PostgreSQL event store, in-process'],
  ['raw', 'raw batched INSERT (same rows, no checks)'],
];

interface Result {
  scenario: string;
  events: number;
  seconds: number;
  rate: number;
  p50: number;
  p99: number;
  errors: number;
}

/** The scenarios of repetition `rep`: the two in-process stores mirrored (A B B A, then B A A B), then the rest. */
function inTurn(rep: number): Array<[string, string]> {
  const [a, b] = rep % 2 === 0 ? [SCENARIOS[1], SCENARIOS[0]] : [SCENARIOS[0], SCENARIOS[1]];
  return [a, b, b, a, ...SCENARIOS.slice(2)];
}

function runScenario(scenario: string): Result {
  const out = execFileSync(
    process.execPath,
    [join(__dirname, 'ledger.scenario.js'), scenario, String(SECONDS), String(WRITERS)],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return parseJsonAs(out.trim().split('\n').pop() ?? '', isResult, 'a scenario result');
}

const isResult: Guard<Result> = objectOf({
  scenario: isString,
  events: isNumber,
  seconds: isNumber,
  rate: isNumber,
  p50: isNumber,
  p99: isNumber,
  errors: isNumber,
});

function main(): void {
  const runs: Record<string, Result[]> = {};
  const pairs: number[] = [];
  for (let rep = 1; rep <= REPS; rep++) {
    const inRep: Record<string, number[]> = {};
    for (const [scenario] of inTurn(rep)) {
      process.stderr.write(`run ${rep}/${REPS}: ${scenario} … `);
      const r = runScenario(scenario);
      (runs[scenario] ??= []).push(r);
      (inRep[scenario] ??= []).push(r.rate);
      process.stderr.write(`${Math.round(r.rate).toLocaleString('en-US')} events/s\n`);
    }
    const mean = (rates: number[]) => rates.reduce((a, b) => a + b, 0) / rates.length;
    pairs.push(mean(inRep.inprocess) / mean(inRep['inprocess-no-tree']));
  }
  const med = (s: string, k: Exclude<keyof Result, 'scenario'>) => median(runs[s].map((r) => r[k]));
  const emmettRate = med('emmett', 'rate');
  const rawRate = med('raw', 'rate');
  const rows = SCENARIOS.map(([s, label]) => [
    label,
    med(s, 'rate'),
    med(s, 'p50'),
    med(s, 'p99'),
    `${(med(s, 'rate') / emmettRate).toFixed(1)}x`,
    `${Math.round((100 * med(s, 'rate')) / rawRate)}%`,
    runs[s].reduce((n, r) => n + r.errors, 0),
  ]);
  const header = `ledger append: 1 event per append, own stream, expected version; ${WRITERS} writers; median of ${REPS} runs x ${SECONDS}s (the in-process stores: ${2 * REPS}, mirrored)\n${machineLine()}\n`;
  const treeShare = Math.round(100 * median(pairs));
  const treeCost =
    `the Merkle tree: ${treeShare}% of the rate without it ` +
    `(median of the repetitions, each the mean of two runs with over two without, mirrored: ${pairs.map((p) => `${Math.round(100 * p)}%`).join(' / ')})`;
  const text = `${header}\n${table(['store', 'events/s', 'p50 ms', 'p99 ms', 'vs Emmett', 'vs raw', 'errors'], rows)}\n${treeCost}\n`;
  process.stdout.write(text);
  const targets: Record<string, string> = {
    inprocess: '>= 5x Emmett, >= 25% of raw, >= 90% of without the tree',
    'nats-batched': '>= 10,000',
  };
  const summary: SummaryRow[] = SCENARIOS.map(([s, label]) => ({
    stage: 'ledger append',
    measure:
      `${label}, events/s (p99 ${med(s, 'p99').toFixed(1)} ms; ${(med(s, 'rate') / emmettRate).toFixed(1)}x Emmett, ${Math.round((100 * med(s, 'rate')) / rawRate)}% of raw` +
      `${s === 'inprocess-no-tree' ? `; with the tree ${treeShare}% of this, runs mirrored` : ''})`,
    value: Math.round(med(s, 'rate')),
    target: targets[s] ?? '-',
  }));
  const file = saveResults('ledger', { reps: REPS, seconds: SECONDS, writers: WRITERS, runs }, summary);
  process.stderr.write(`results: ${file}\n`);
}

main();
