import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { closedLoop, failure, machineLine, median, saveResults, SummaryRow, table } from './stats';
import { ROOT, startWorkgateProcess } from './workgate-process';
import { expectShape, isRecord, isString, objectOf } from '@workgate/contracts';

/**
 * `npm run bench:mcp`: read calls (read_text_file) to the official filesystem MCP server, made
 * directly and through workgate's MCP gateway (each decided, forwarded, its result recorded in the
 * ledger), in the same run; one caller (latency) and 8 concurrent callers (throughput). Every
 * path first runs unmeasured for BENCH_WARMUP_SECONDS (JIT, caches, the downstream server started),
 * so the runs measure the steady state. BENCH_REPS (default 3), BENCH_SECONDS (default 5),
 * BENCH_WARMUP_SECONDS (default 3).
 */
const REPS = Number(process.env.BENCH_REPS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const FS_SERVER = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'dist', 'index.js');

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wg-bench-mcp-'));
  writeFileSync(join(dir, 'file.txt'), 'x'.repeat(1000));
  const key = randomBytes(24).toString('hex');
  const principals = join(dir, 'principals.yaml');
  writeFileSync(
    principals,
    `principals:\n  - id: agent\n    roles: [integrator, operator]\n    apiKeySha256: ${createHash('sha256').update(key).digest('hex')}\n`,
  );
  const workgate = await startWorkgateProcess('mcp', 'one', {
    WORKGATE_PRINCIPALS: principals,
    WORKGATE_MCP_FILES_DIR: dir,
    WORKGATE_RATE_LIMIT_PER_MINUTE: '10000000',
  });
  const headers = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };
  const opened = expectShape(
    await (
      await fetch(`${workgate.url}/v1/work-orders`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          jobType: 'agent-files',
          externalRef: 'bench',
          source: 'bench',
          inputs: { task: 'read' },
        }),
      })
    ).json(),
    objectOf({ id: isString }),
    'a work order',
  );

  const direct = new Client({ name: 'bench-direct', version: '1' });
  await direct.connect(
    new StdioClientTransport({ command: process.execPath, args: [FS_SERVER, dir], stderr: 'ignore' }),
  );
  const gateway = new Client({ name: 'bench-gateway', version: '1' });
  // The SDK gives every POST the transport's one abort signal; fetch keeps a listener on it per
  // request until collected, which piles up over thousands of calls: the bench's calls go without it.
  const unsignalled: typeof fetch = (url, init) => fetch(url, { ...init, signal: undefined });
  await gateway.connect(
    new StreamableHTTPClientTransport(new URL(`${workgate.url}/mcp/work-orders/${opened.id}`), {
      requestInit: { headers: { Authorization: `Bearer ${key}` } },
      fetch: unsignalled,
    }),
  );
  const path = join(dir, 'file.txt');
  const scenarios: Array<[string, string, (n: number) => Promise<unknown>]> = [
    [
      'direct',
      'the filesystem MCP server, called directly (stdio)',
      () => direct.callTool({ name: 'read_text_file', arguments: { path } }),
    ],
    [
      'decision',
      'the decision alone (POST /v1/work-orders/:id/actions, no call forwarded)',
      async () => {
        const res = await fetch(`${workgate.url}/v1/work-orders/${opened.id}/actions`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ system: 'files', operation: 'read_text_file', kind: 'read' }),
        });
        if (res.status !== 201) throw new Error(`status ${res.status}`);
        const answer: unknown = await res.json();
        return answer;
      },
    ],
    [
      'gateway',
      "through workgate's MCP gateway (decided, forwarded, result recorded)",
      (n) => gateway.callTool({ name: 'files__read_text_file', arguments: { path, head: 1 + (n % 1000) } }),
    ],
  ];
  /** A call that counts as an error when the tool answers one. */
  const checked = (op: (n: number) => Promise<unknown>) => async (_worker: number, n: number) => {
    const answer = await op(n);
    if (isRecord(answer) && answer.isError) throw new Error('tool error');
  };
  type Result = Awaited<ReturnType<typeof closedLoop>>;
  const runs: Record<string, Result[]> = {};
  try {
    for (const [name, , op] of WARMUP_SECONDS > 0 ? scenarios : []) {
      const warm = await closedLoop(1, 1000, WARMUP_SECONDS * 1000, checked(op));
      process.stderr.write(`warm-up: ${name}, ${Math.round(warm.rate)} calls/s, errors ${warm.errors}\n`);
    }
    for (let rep = 1; rep <= REPS; rep++) {
      for (const callers of [1, 8]) {
        for (const [name, , op] of scenarios) {
          const r = await closedLoop(callers, 1000, SECONDS * 1000, checked(op));
          (runs[`${name}@${callers}`] ??= []).push(r);
          process.stderr.write(
            `run ${rep}/${REPS}: ${name}, ${callers} caller(s): ${Math.round(r.rate)} calls/s, p50 ${r.p50.toFixed(2)} ms, errors ${r.errors}\n`,
          );
        }
      }
    }
  } finally {
    await direct.close();
    await gateway.close();
    await workgate.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const med = (k: string, f: 'rate' | 'p50' | 'p99') => median(runs[k].map((r) => r[f]));
  const rows = scenarios.flatMap(([name, label]) =>
    [1, 8].map((callers) => [
      `${label}, ${callers} caller${callers > 1 ? 's' : ''}`,
      Math.round(med(`${name}@${callers}`, 'rate')),
      med(`${name}@${callers}`, 'p50').toFixed(2),
      med(`${name}@${callers}`, 'p99').toFixed(2),
    ]),
  );
  const added = med('gateway@1', 'p50') - med('direct@1', 'p50');
  process.stdout.write(
    `mcp: read_text_file calls; median of ${REPS} runs x ${SECONDS}s\n${machineLine()}\n\n${table(['path', 'calls/s', 'p50 ms', 'p99 ms'], rows)}\nthe gateway adds ${added.toFixed(2)} ms p50 per call (one caller)\n`,
  );
  const summary: SummaryRow[] = [
    {
      stage: 'MCP gateway',
      measure: 'read calls/s through the gateway, 8 callers (decided, forwarded, result recorded)',
      value: Math.round(med('gateway@8', 'rate')),
      target: '-',
    },
    {
      stage: 'MCP gateway',
      measure: 'read calls/s directly to the filesystem server, 8 callers',
      value: Math.round(med('direct@8', 'rate')),
      target: '-',
    },
    {
      stage: 'MCP gateway',
      measure: 'p50 ms added per call by the gateway (one caller)',
      value: Number(added.toFixed(2)),
      target: '<= 2',
    },
  ];
  process.stderr.write(`results: ${saveResults('mcp', { reps: REPS, seconds: SECONDS, runs }, summary)}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${failure(error)}\n`);
    process.exit(1);
  },
);
