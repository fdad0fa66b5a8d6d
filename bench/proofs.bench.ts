import {
  consistencyProof,
  createClient,
  createPool,
  ensureDatabase,
  GENESIS_HASH,
  inclusionProof,
  inclusionProofs,
  insertLedgerRows,
  LedgerWriter,
  migrate,
  treeRoot,
  withDatabase,
} from '@workgate/event-store';
import { chainedRows } from '../libs/event-store/ledger-rows.fixtures';
import { machineLine, percentile, table } from './stats';
import { BASE_URL, dropBenchDatabase } from './workgate-process';

/**
 * `npm run bench:proofs`: how long the ledger takes to answer proofs from its stored tree, one
 * request at a time, at a tree of BENCH_TREE events (default 100,000): an inclusion proof of a
 * random event, 100 of them at once (a proof package's receipts), a consistency proof from a
 * random earlier size, and a root. The events are inserted directly, then the writer starts and
 * stores their tree (its time is reported too). Environment: BENCH_TREE, BENCH_PROOFS (requests
 * per kind, default 500).
 */
const SIZE = Number(process.env.BENCH_TREE ?? 100_000);
const REQUESTS = Number(process.env.BENCH_PROOFS ?? 500);

async function fill(url: string): Promise<void> {
  const client = createClient(url);
  await client.connect();
  try {
    let prev = GENESIS_HASH;
    for (let from = 1; from <= SIZE; from += 10_000) {
      const { rows, last } = chainedRows(from, Math.min(from + 10_000, SIZE + 1), prev, 'Proof', (n) => `{"n":${n}}`);
      prev = last;
      await insertLedgerRows(client, rows);
    }
  } finally {
    await client.end();
  }
}

async function timed(op: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 20; i++) await op();
  const ms: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = process.hrtime.bigint();
    await op();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

async function main(): Promise<void> {
  const name = `wg_bench_proofs_${process.pid}`;
  const url = withDatabase(BASE_URL, name);
  await ensureDatabase(url);
  await migrate(url);
  const pool = createPool(url, { role: 'workgate_app', max: 4 });
  try {
    await fill(url);
    const t0 = Date.now();
    const writer = new LedgerWriter(url, { role: 'workgate_ledger' });
    await writer.start();
    await writer.stop();
    const stored = (Date.now() - t0) / 1000;
    const random = (n: number) => Math.floor(Math.random() * n);
    const results = {
      inclusion: await timed(() => inclusionProof(pool, random(SIZE), SIZE)),
      inclusion100: await timed(() =>
        inclusionProofs(
          pool,
          Array.from({ length: 100 }, () => random(SIZE)),
          SIZE,
        ),
      ),
      consistency: await timed(() => consistencyProof(pool, 1 + random(SIZE - 1), SIZE)),
      root: await timed(() => treeRoot(pool, SIZE)),
    };
    const rows = [
      ['inclusion proof, one event', results.inclusion.p50, results.inclusion.p99],
      ['inclusion proofs, 100 events at once', results.inclusion100.p50, results.inclusion100.p99],
      ['consistency proof', results.consistency.p50, results.consistency.p99],
      ['root', results.root.p50, results.root.p99],
    ];
    process.stdout.write(
      `proofs at a tree of ${SIZE.toLocaleString('en-US')} events, one request at a time, ${REQUESTS} each; the writer stored the tree in ${stored.toFixed(1)} s\n${machineLine()}\n\n${table(['proof', 'p50 ms', 'p99 ms'], rows)}\n`,
    );
    process.stdout.write(`${JSON.stringify({ size: SIZE, stored, ...results })}\n`);
  } finally {
    await pool.end();
    await dropBenchDatabase(name);
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
