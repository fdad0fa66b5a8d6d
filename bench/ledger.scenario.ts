import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Client } from 'pg';
import { AppendRequest, CommitRequest, CommitResult, Subjects } from '@workgate/contracts';
import {
  addLedgerRow,
  createClient,
  createPool,
  emptyLedgerRows,
  ensureDatabase,
  insertLedgerRows,
  LedgerWriter,
  migrate,
  signerFromKey,
  withDatabase,
  withDefaultUser,
} from '@workgate/event-store';
import { BatchingRpcClient, borrowNats, releaseNats, RpcClient } from '@workgate/messaging';
import { startScratchNats } from '../cli/infra';
import { closedLoop, failure, waitUntil } from './stats';

/**
 * One ledger-append scenario in its own process (so no scenario inherits another's pg type
 * parsers, pools or garbage): prints one JSON line with events/s and p50/p99 latency.
 * Usage: node dist/bench/ledger.scenario.js <inprocess|inprocess-no-tree|nats|nats-batched|emmett|raw> [seconds] [writers]
 */
const [scenario, secondsArg = '5', writersArg = '64'] = process.argv.slice(2);
const MEASURE_MS = Number(secondsArg) * 1000;
const WARMUP_MS = 1000;
const WRITERS = Number(writersArg);
const BASE_URL = process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/postgres';

// One work order per writer, as intake would name it (the views fold these events too).
const workOrders = Array.from({ length: WRITERS }, () => randomUUID());
const payload = (w: number, n: number) => ({
  workOrderId: workOrders[w],
  stepId: `step-${n}`,
  actor: 'bench-operator',
  note: 'address corrected before fulfilment cutoff',
});

async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `wg_bench_${scenario.replace(/\W/g, '_')}_${process.pid}`;
  const url = withDatabase(BASE_URL, name);
  await ensureDatabase(url);
  await migrate(url);
  return {
    url,
    drop: async () => {
      const admin = createClient(withDatabase(BASE_URL, 'postgres'));
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function inProcess(url: string, merkleTree = true) {
  // Every commit signed, as the ledger service signs them.
  const signer = signerFromKey(generateKeyPairSync('ed25519').privateKey);
  const writer = new LedgerWriter(url, {
    role: 'workgate_ledger',
    merkleTree,
    signCommit: (position, hash) => signer.signCommit(position, hash),
  });
  await writer.start();
  const result = await closedLoop(WRITERS, WARMUP_MS, MEASURE_MS, async (w, n) => {
    await writer.append({
      streamId: `bench-${w}-${n}`,
      expectedVersion: 'no_stream',
      events: [{ eventId: randomUUID(), type: 'StepCompleted', data: payload(w, n) }],
    });
  });
  await writer.stop();
  return result;
}

async function overNats(url: string, batched: boolean) {
  const nats = await startScratchNats();
  const ledger = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : []),
      join(__dirname, '..', 'apps', 'ledger', 'main.js'),
    ],
    {
      env: { ...process.env, DATABASE_URL: url, NATS_URL: nats.url, LOG_LEVEL: 'warn' },
      stdio: 'inherit',
    },
  );
  const nc = await borrowNats(nats.url, 'bench');
  const rpc = new RpcClient(nc, 10_000);
  try {
    await waitUntil(
      'the ledger service starting',
      30_000,
      async () => {
        const h = await rpc.request(Subjects.health('ledger'), {}, { timeoutMs: 500 }).catch(() => undefined);
        return h?.details?.writer === 'active';
      },
      50,
    );
    // Batched: the services' own client (what intake uses), which sends the appends made in one
    // turn of the event loop as one request; each writer still makes one append of one event.
    const batching = new BatchingRpcClient<CommitRequest, CommitResult>(rpc, Subjects.ledger.appendBatch);
    return await closedLoop(WRITERS, WARMUP_MS, MEASURE_MS, async (w, n) => {
      const request: AppendRequest = {
        streamId: `bench-${w}-${n}`,
        expectedVersion: 'no_stream',
        events: [{ eventId: randomUUID(), type: 'StepCompleted', data: payload(w, n) }],
      };
      await (batched ? batching.call({ appends: [request] }) : rpc.request(Subjects.ledger.append, request));
    });
  } finally {
    await new Promise<void>((r) => {
      ledger.once('exit', () => r());
      ledger.kill('SIGTERM');
    });
    await releaseNats(nats.url);
    await nats.stop();
  }
}

async function emmett(url: string) {
  // Loaded only here: Emmett changes pg's global type parsers.
  const { createEmmettPeer } = await import('./peers/emmett.peer');
  const peer = await createEmmettPeer(withDefaultUser(url), { poolSize: 16 });
  const result = await closedLoop(WRITERS, WARMUP_MS, MEASURE_MS, async (w, n) => {
    await peer.append(`bench-${w}-${n}`, { type: 'StepCompleted', data: payload(w, n) }, 'no_stream');
  });
  await peer.close();
  // Emmett keeps a connection of its own beyond the pool it was given; dropping the scratch
  // database terminates it, which must not fail the run.
  process.on('uncaughtException', (error) => {
    if (!/terminating connection/.test(error.message)) throw error;
  });
  return result;
}

/**
 * The floor under every store: the same rows, batched the same way (collected while the previous
 * INSERT is in flight, one INSERT ... unnest per batch), into a copy of ledger_events with the same
 * indexes, but with no version check, no hashing and no idempotency lookup.
 */
async function rawInsert(url: string) {
  const setup = createPool(url, { max: 1 });
  await setup.query('CREATE TABLE raw_events (LIKE ledger_events INCLUDING ALL)');
  await setup.end();
  const client: Client = createClient(url);
  await client.connect();
  let position = 0;
  type Row = { streamId: string; eventId: string; data: string; done: () => void; fail: (e: Error) => void };
  let queue: Row[] = [];
  let flushing = false;
  const hash = 'f'.repeat(64);
  const flush = async () => {
    flushing = true;
    while (queue.length) {
      const batch = queue;
      queue = [];
      const now = new Date().toISOString();
      const rows = emptyLedgerRows();
      for (const r of batch) {
        addLedgerRow(rows, {
          position: ++position,
          streamId: r.streamId,
          version: 1,
          eventId: r.eventId,
          type: 'StepCompleted',
          data: r.data,
          metadata: '{}',
          occurredAt: now,
          recordedAt: now,
          prevHash: hash,
          hash,
        });
      }
      try {
        // Sent as the ledger writer sends its rows.
        await insertLedgerRows(client, rows, 'raw_events');
        batch.forEach((r) => r.done());
      } catch (error) {
        batch.forEach((r) => r.fail(error as Error));
      }
    }
    flushing = false;
  };
  const result = await closedLoop(
    WRITERS,
    WARMUP_MS,
    MEASURE_MS,
    (w, n) =>
      new Promise<void>((done, fail) => {
        queue.push({
          streamId: `bench-${w}-${n}`,
          eventId: randomUUID(),
          data: JSON.stringify(payload(w, n)),
          done,
          fail,
        });
        if (!flushing) void flush();
      }),
  );
  await client.end();
  return result;
}

async function main(): Promise<void> {
  const run = new Map(
    Object.entries({
      inprocess: inProcess,
      'inprocess-no-tree': (url: string) => inProcess(url, false),
      nats: (url: string) => overNats(url, false),
      'nats-batched': (url: string) => overNats(url, true),
      emmett,
      raw: rawInsert,
    }),
  ).get(scenario);
  if (!run)
    throw new Error(
      `unknown scenario ${scenario}: use inprocess, inprocess-no-tree, nats, nats-batched, emmett or raw`,
    );
  const db = await freshDatabase();
  try {
    const result = await run(db.url);
    process.stdout.write(`${JSON.stringify({ scenario, writers: WRITERS, ...result })}\n`);
  } finally {
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${scenario}: ${failure(error)}\n`);
    process.exit(1);
  },
);
