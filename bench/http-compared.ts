import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { parseJsonAs } from '@workgate/contracts';
import { freePort } from '../cli/infra';
import { isSummaryRow, median } from './stats';

/** What `npm run bench:http` compares the HTTP API with: the framework alone, and the same commands over NATS intake. */

/** The peer's GET and POST rates at 50 connections (medians of `reps` runs of `seconds`), with workgate stopped. */
export async function frameworkPeer(reps: number, seconds: number): Promise<{ get: number; post: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(__dirname, 'peers', 'nest-fastify.peer.js'), String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`the framework peer exited (${code})`)));
    });
    const rates: Record<'get' | 'post', number[]> = { get: [], post: [] };
    const url = `http://127.0.0.1:${port}/v1/work-orders/00000000-0000-4000-8000-000000000000`;
    for (let rep = 1; rep <= reps; rep++) {
      for (const method of ['get', 'post'] as const) {
        const r = await autocannon({
          url: method === 'get' ? url : `${url}/actions`,
          method: method.toUpperCase(),
          connections: 50,
          duration: seconds,
          headers: { 'content-type': 'application/json', authorization: 'Bearer peer' },
          ...(method === 'post'
            ? { body: JSON.stringify({ system: 'shop', operation: 'order.read', kind: 'read' }) }
            : {}),
        });
        if (r.non2xx + r.errors > 0)
          throw new Error(`the framework peer answered ${r.non2xx} non-2xx and ${r.errors} errors`);
        rates[method].push(r.requests.total / ((r.finish.getTime() - r.start.getTime()) / 1000));
        process.stderr.write(
          `run ${rep}/${reps}: the framework alone, ${method.toUpperCase()}, 50 connections: ${Math.round(rates[method][rep - 1])} req/s\n`,
        );
      }
    }
    return { get: Math.round(median(rates.get)), post: Math.round(median(rates.post)) };
  } finally {
    child.kill();
  }
}

/** The sustained rate of `npm run bench:intake` (one process, one repetition), run now: the same commands over NATS. */
export function natsIntakeRate(): number | undefined {
  const file = join(tmpdir(), `workgate-bench-http-intake-${process.pid}.jsonl`);
  process.stderr.write('the same commands over NATS intake (bench:intake, one repetition)\n');
  const run = spawnSync(process.execPath, [join(__dirname, 'intake.bench.js')], {
    env: {
      ...process.env,
      BENCH_TOPOLOGY: 'one',
      BENCH_REPS: '1',
      BENCH_EVENTS: '20000',
      BENCH_WARMUP: '5000',
      BENCH_SECONDS: '5',
      BENCH_RATES: '1000',
      BENCH_SUMMARY: file,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    if (run.status !== 0) return undefined;
    const rows = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => parseJsonAs(l, isSummaryRow, 'a summary row'));
    const sustained = rows.find((r) => r.measure.startsWith('sustained events/s'));
    return typeof sustained?.value === 'number' ? sustained.value : undefined;
  } catch {
    return undefined;
  } finally {
    rmSync(file, { force: true });
  }
}
