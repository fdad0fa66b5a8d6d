import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Guard, isNumber, isString, objectOf, optional } from '@workgate/contracts';

/** Small statistics helpers shared by the benchmarks. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs `writers` concurrent loops of `op` for warm-up + measured seconds; returns rate and latency of the measured part. */
export async function closedLoop(
  writers: number,
  warmupMs: number,
  measureMs: number,
  op: (writer: number, n: number) => Promise<void>,
): Promise<{ events: number; seconds: number; rate: number; p50: number; p99: number; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let stop = false;
  const loop = async (w: number) => {
    let n = 0;
    while (!stop) {
      const t0 = process.hrtime.bigint();
      try {
        await op(w, n++);
        if (measuring) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch {
        errors++;
      }
    }
  };
  const loops = Array.from({ length: writers }, (_, w) => loop(w));
  await new Promise((r) => setTimeout(r, warmupMs));
  measuring = true;
  const measureStart = Date.now();
  await new Promise((r) => setTimeout(r, measureMs));
  measuring = false;
  const seconds = (Date.now() - measureStart) / 1000;
  stop = true;
  await Promise.all(loops);
  latencies.sort((a, b) => a - b);
  return {
    events: latencies.length,
    seconds,
    rate: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
  };
}

export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  const line = (r: Array<string | number>) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(cells[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join(
    '\n',
  );
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(1);
}

/** One line of the `npm run bench` table. */
export interface SummaryRow {
  stage: string;
  measure: string;
  value: number | string;
  target?: string;
}

/** The machine a run was measured on, for every table and results file. */
export function machineLine(): string {
  return `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/**
 * Writes a benchmark's results as JSON under bench/results/ (git-ignored) and, when `npm run bench`
 * runs it (BENCH_SUMMARY names a file), appends its summary rows there for the one table.
 */
export function saveResults(name: string, data: object, summary: SummaryRow[]): string {
  const dir = join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify({ name, machine: machineLine(), at: new Date().toISOString(), summary, ...data }, null, 2),
  );
  if (process.env.BENCH_SUMMARY)
    appendFileSync(process.env.BENCH_SUMMARY, summary.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

/** Polls `done` every `everyMs` until it holds; throws "`what` did not happen in N s" after `timeoutMs`. */
export async function waitUntil(
  what: string,
  timeoutMs: number,
  done: () => Promise<boolean> | boolean,
  everyMs = 100,
): Promise<void> {
  for (const until = Date.now() + timeoutMs; !(await done());) {
    if (Date.now() > until) throw new Error(`${what} did not happen in ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The number after `--<name>` on the command line, or `fallback`. */
export function numberArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

/** Whether a line of the summary file is a summary row. */
export const isSummaryRow: Guard<SummaryRow> = objectOf({
  stage: isString,
  measure: isString,
  value: (value): value is number | string => isNumber(value) || isString(value),
  target: optional(isString),
});

/** What a benchmark that failed prints: the error's stack, or the thrown value. */
export function failure(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
