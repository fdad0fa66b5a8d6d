import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, withDatabase } from '@workgate/event-store';
import { parseJsonAs } from '@workgate/contracts';
import { errorMessage } from '@workgate/messaging';
import { failure, isSummaryRow, machineLine, saveResults, SummaryRow, table } from './stats';
import { BASE_URL } from './workgate-process';

/**
 * `npm run bench`: every benchmark, one after the other (each in its own processes, so none
 * shares the two cores with another), then one table of their medians, also written as JSON under
 * bench/results/. BENCH_REPS applies to every benchmark (default 3); BENCH_QUICK=1 is a short
 * smoke run (one repetition, smaller sizes) that checks the harness, not the machine.
 */
const QUICK = process.env.BENCH_QUICK === '1';
const REPS = process.env.BENCH_REPS ?? (QUICK ? '1' : '3');

const STEPS: Array<{ name: string; script: string; args?: string[]; env?: Record<string, string> }> = [
  { name: 'ledger append', script: 'ledger.bench.js', env: { BENCH_SECONDS: QUICK ? '2' : '5' } },
  { name: 'policy decisions', script: 'policy.bench.js', env: { BENCH_SECONDS: QUICK ? '2' : '5' } },
  // What the transport and storage of a CloudEvent cost with workgate's logic taken out: the ceiling under the intake rows.
  { name: 'floor', script: 'floor.bench.js', env: { BENCH_EVENTS: QUICK ? '4000' : '40000' } },
  {
    name: 'intake, one process',
    script: 'intake.bench.js',
    env: {
      BENCH_TOPOLOGY: 'one',
      BENCH_EVENTS: QUICK ? '4000' : '40000',
      BENCH_WARMUP: QUICK ? '2000' : '10000',
      BENCH_SECONDS: QUICK ? '2' : '10',
    },
  },
  // The scale-out check: the same load on six processes, as many repetitions as every other step.
  {
    name: 'intake, split',
    script: 'intake.bench.js',
    env: {
      BENCH_TOPOLOGY: 'split',
      BENCH_EVENTS: QUICK ? '4000' : '40000',
      BENCH_WARMUP: QUICK ? '2000' : '10000',
      BENCH_RATES: '2000',
      BENCH_SECONDS: QUICK ? '2' : '10',
    },
  },
  { name: 'MCP gateway', script: 'mcp.bench.js', env: { BENCH_SECONDS: QUICK ? '2' : '5' } },
  // The HTTP API at 10, 50 and 200 connections; the NATS intake comparison is the intake step above.
  {
    name: 'HTTP API',
    script: 'http.bench.js',
    env: { BENCH_SECONDS: QUICK ? '2' : '5', BENCH_NATS: '0', ...(QUICK ? { BENCH_APPROVALS: '300' } : {}) },
  },
  {
    name: 'projections and views',
    script: 'views.bench.js',
    args: QUICK ? ['--events', '50000', '--runs', '1', '--queries', '10'] : [],
  },
];

/**
 * Before each benchmark: a Postgres CHECKPOINT, so the dirty pages the previous one left are
 * written now and not while the next one is measured, then the kernel's own dirty pages (the
 * previous benchmark's WAL, JetStream files and tables) written out with `sync`, so that they do
 * not slow the next one's commits (each waits for its fsync). The CHECKPOINT needs a superuser;
 * without one the benchmarks run anyway and say so.
 */
async function checkpoint(): Promise<void> {
  const admin = createClient(withDatabase(BASE_URL, 'postgres'));
  try {
    await admin.connect();
    await admin.query('CHECKPOINT');
  } catch (error) {
    process.stderr.write(`(no CHECKPOINT before this benchmark: ${errorMessage(error)})\n`);
  } finally {
    await admin.end().catch(() => undefined);
  }
  const synced = spawnSync('sync', { stdio: 'ignore' });
  if (synced.status !== 0)
    process.stderr.write(`(no sync before this benchmark: ${synced.error?.message ?? `exit ${synced.status}`})\n`);
}

async function main(): Promise<void> {
  const summaryFile = join(tmpdir(), `workgate-bench-${process.pid}.jsonl`);
  const failed: string[] = [];
  const started = Date.now();
  for (const [i, step] of STEPS.entries()) {
    process.stderr.write(`\n== ${i + 1}/${STEPS.length} ${step.name}\n`);
    await checkpoint();
    const t0 = Date.now();
    const run = spawnSync(process.execPath, [join(__dirname, step.script), ...(step.args ?? [])], {
      env: { ...process.env, BENCH_REPS: REPS, ...step.env, BENCH_SUMMARY: summaryFile },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (run.status !== 0) failed.push(`${step.name} (exit ${run.status ?? run.signal})`);
    process.stderr.write(`== ${step.name}: ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  }
  let rows: SummaryRow[] = [];
  try {
    rows = readFileSync(summaryFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => parseJsonAs(l, isSummaryRow, 'a summary row'));
  } catch {
    // No step finished: the table is empty and the failures say why.
  }
  rmSync(summaryFile, { force: true });
  process.stdout.write(
    `\nworkgate benchmarks, medians of ${REPS} runs${QUICK ? ' (quick smoke run: sizes too small to quote)' : ''}; ${((Date.now() - started) / 60_000).toFixed(1)} min\n${machineLine()}\n\n`,
  );
  process.stdout.write(
    `${table(
      ['stage', 'measure', 'value', 'target'],
      rows.map((r) => [r.stage, r.measure, r.value, r.target ?? '-']),
    )}\n`,
  );
  const file = saveResults('bench', { quick: QUICK, reps: Number(REPS), failed }, rows);
  process.stdout.write(`\nresults: ${file}\n`);
  if (failed.length) {
    process.stderr.write(`failed: ${failed.join(', ')}\n`);
    process.exit(1);
  }
}

main().catch((error) => {
  process.stderr.write(`${failure(error)}\n`);
  process.exit(1);
});
