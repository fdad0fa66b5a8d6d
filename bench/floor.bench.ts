import { cpus } from 'node:os';
import { AckPolicy, DeliverPolicy } from 'nats';
import { LedgerHeaders, ledgerSubject, Streams } from '@workgate/contracts';
import {
  addLedgerRow,
  composeCanonicalEvent,
  createClient,
  recordedEventJson,
  emptyLedgerRows,
  ensureDatabase,
  insertLedgerRows,
  migrate,
  withDatabase,
} from '@workgate/event-store';
import {
  borrowNats,
  ensureStreams,
  JetStreamBatchPublisher,
  releaseNats,
  RunningConsumer,
  runPullConsumer,
} from '@workgate/messaging';
import { startScratchNats } from '../cli/infra';
import { INTAKE_BATCH, INTAKE_CONCURRENCY } from '../apps/intake/intake.processor';
import { CpuPerEvent, cpuPerEvent, cpuSeconds, medianCpu } from './cpu';
import { failure, machineLine, saveResults, SummaryRow, table, waitUntil } from './stats';
import { WorkEventPublisher } from './work-events';
import { ledgerRows, Row } from './floor-rows';
import { BASE_URL, dropBenchDatabase } from './workgate-process';

/**
 * `npm run bench:floor`: what the work a CloudEvent must cause costs this machine with workgate's
 * own logic taken out, each part on its own, in CPU microseconds per CloudEvent (every process:
 * this one, nats-server, Postgres). The intake benchmark's sustained rate cannot pass two cores
 * divided by their sum, whatever workgate does between them.
 *
 * - ingest: the intake benchmark's 64 publishers put the same CloudEvents (open + action pairs)
 *   into WORK_EVENTS; a pull consumer with intake's batch and concurrency settles each, doing
 *   nothing, and acks it, one ack per message as intake does.
 * - relay: the ledger rows those events record (two per pair: opened and decided, of
 *   the services' sizes) published to LEDGER in pages (expected last sequence, the relay's
 *   headers): each message awaiting its ack, or as the relay does, one ack per page. No reaction
 *   receives them: services react to events of their own (a gate request, an exception raised),
 *   which these pairs do not record.
 * - ledger rows: the same rows INSERTed as the ledger writer's group commits do (one statement
 *   per batch, the same indexes), with no checks, no hashing and no views.
 *
 * Two floors, the relay's patterns alternated: with an ack per message on both sides, and with
 * the hops the services take (an ack per message on ingest, one per relay page).
 *
 * BENCH_EVENTS (default 40,000 CloudEvents), BENCH_REPS (default 3).
 */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 40_000);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const PAIRS = EVENTS / 2;
/** Rows per relay page and per INSERT, as the relay pages and a busy group commit carry them. */
const PAGE = 500;

interface Stage {
  name: string;
  runs: Array<{ seconds: number; cpu: CpuPerEvent }>;
}

const stage = (name: string): Stage => ({ name, runs: [] });

async function measure(stage: Stage, work: () => Promise<void>): Promise<void> {
  const before = cpuSeconds([]);
  const started = Date.now();
  await work();
  const seconds = (Date.now() - started) / 1000;
  const cpu = cpuPerEvent(before, cpuSeconds([]), EVENTS);
  stage.runs.push({ seconds, cpu });
  process.stderr.write(
    `${stage.name}: ${EVENTS} CloudEvents in ${seconds.toFixed(1)} s, CPU µs per CloudEvent ${Math.round(cpu.total)} (this process ${Math.round(cpu.bench)}, nats-server ${Math.round(cpu.natsServer)}, Postgres ${Math.round(cpu.postgres)})\n`,
  );
}

/** Settles everything a durable consumer of WORK_EVENTS delivers, with intake's batch and concurrency, counting it. */
function acker(
  nc: Parameters<typeof runPullConsumer>[0],
  durable: string,
  counted: { n: number },
): Promise<RunningConsumer> {
  return runPullConsumer(nc, {
    stream: Streams.workEvents.name,
    durable,
    filterSubject: 'workgate.events.>',
    batch: INTAKE_BATCH,
    concurrency: INTAKE_CONCURRENCY,
    handle: async (messages) => {
      counted.n += messages.length;
      return messages.map(() => ({ kind: 'ack' as const }));
    },
    deadLetter: async () => undefined,
  });
}

async function main(): Promise<void> {
  const nats = await startScratchNats();
  const nc = await borrowNats(nats.url, 'bench-floor');
  await ensureStreams(nc);
  const workEvents = new WorkEventPublisher(nc);
  const dbName = `wg_bench_floor_${process.pid}`;
  const dbUrl = withDatabase(BASE_URL, dbName);
  await ensureDatabase(dbUrl);
  await migrate(dbUrl);
  const stages = {
    ingest: stage('ingest, an ack per message'),
    relayEach: stage('relay, an ack per message'),
    relayChained: stage('relay, an ack per page'),
    rows: stage('ledger rows'),
  };
  const publisher = new JetStreamBatchPublisher(nc, Streams.ledger.name);
  const client = createClient(dbUrl);
  await client.connect();
  const encoder = new TextEncoder();
  let seq = 0;
  let position = 0;
  /** The CloudEvents of a run taken in by a consumer of its own, created at the stream's end and deleted after. */
  const ingest = async (stage: Stage, run: string) => {
    const jsm = await nc.jetstreamManager();
    const durable = 'floor-intake';
    const start = (await jsm.streams.info(Streams.workEvents.name)).state.last_seq + 1;
    await jsm.consumers.add(Streams.workEvents.name, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: start,
      filter_subject: 'workgate.events.>',
    });
    const ingested = { n: 0 };
    const consumer = await acker(nc, durable, ingested);
    try {
      await measure(stage, async () => {
        await workEvents.publishAll(run, PAIRS);
        await waitUntil('every CloudEvent settled', 300_000, () => ingested.n >= EVENTS, 5);
        // Until the server has every ack, either way.
        await waitUntil(
          'the last ack',
          30_000,
          async () =>
            (await jsm.consumers.info(Streams.workEvents.name, durable)).ack_floor.stream_seq >= start + EVENTS - 1,
          5,
        );
      });
    } finally {
      await consumer.stop();
      await jsm.consumers.delete(Streams.workEvents.name, durable);
    }
  };
  /** Ledger rows published to LEDGER in pages, each message awaiting its ack or one ack per page. */
  const relay = (stage: Stage, rows: Row[], chained: boolean) =>
    measure(stage, async () => {
      const now = new Date().toISOString();
      const hash = 'f'.repeat(64);
      for (let i = 0; i < rows.length; i += PAGE) {
        const page = rows.slice(i, i + PAGE);
        // As the relay sends a committed event: its RecordedEvent JSON, the LEDGER sequence as its position.
        const messages = page.map((r, k) => {
          const position = seq + k + 1;
          const event = {
            position,
            streamId: r.streamId,
            streamVersion: r.version,
            eventId: r.eventId,
            type: r.type,
            occurredAt: now,
            recordedAt: now,
          };
          return {
            subject: ledgerSubject(r.streamId, r.type),
            data: encoder.encode(recordedEventJson(composeCanonicalEvent(event, r.data, r.metadata), hash, hash)),
            msgId: r.eventId,
            expectedLastSeq: position - 1,
            headers: {
              [LedgerHeaders.position]: String(position),
              [LedgerHeaders.streamId]: r.streamId,
              [LedgerHeaders.streamVersion]: String(r.version),
            },
          };
        });
        await (chained ? publisher.publishChained(messages) : publisher.publish(messages));
        seq += page.length;
      }
    });
  const rowsOf = (run: string) => Array.from({ length: PAIRS }, (_, pair) => ledgerRows(run, pair)).flat();
  try {
    for (let rep = 1; rep <= REPS; rep++) {
      const run = `f${rep}`;
      await ingest(stages.ingest, run);
      // The relay's two hop patterns alternate which goes first, rep by rep.
      const order = rep % 2 === 1 ? [false, true] : [true, false];
      for (const chained of order)
        await relay(chained ? stages.relayChained : stages.relayEach, rowsOf(`${run}${chained ? 'c' : 'e'}`), chained);
      const rows = rowsOf(run);
      await measure(stages.rows, async () => {
        const now = new Date().toISOString();
        const hash = 'f'.repeat(64);
        for (let i = 0; i < rows.length; i += PAGE) {
          const batch = emptyLedgerRows();
          for (const r of rows.slice(i, i + PAGE)) {
            addLedgerRow(batch, {
              position: ++position,
              streamId: r.streamId,
              version: r.version,
              eventId: r.eventId,
              type: r.type,
              data: r.data,
              metadata: r.metadata,
              occurredAt: now,
              recordedAt: now,
              prevHash: hash,
              hash,
            });
          }
          await insertLedgerRows(client, batch);
        }
      });
    }
    const med = (s: Stage) => medianCpu(s.runs.map((r) => r.cpu));
    const floorOf = (parts: Stage[]) => parts.reduce((sum, s) => sum + med(s).total, 0);
    const floors = [
      {
        hops: 'an ack per message on both sides',
        total: floorOf([stages.ingest, stages.relayEach, stages.rows]),
      },
      {
        hops: 'as the services do (an ack per message on ingest, one per relay page)',
        total: floorOf([stages.ingest, stages.relayChained, stages.rows]),
      },
    ];
    const summary: SummaryRow[] = [
      ...Object.values(stages).map((s) => ({
        stage: 'floor',
        measure: `${s.name}: CPU µs per CloudEvent (this process / nats-server / Postgres)`,
        value: `${Math.round(med(s).total)} (${[med(s).bench, med(s).natsServer, med(s).postgres].map(Math.round).join(' / ')})`,
        target: '-',
      })),
      ...floors.map((f) => ({
        stage: 'floor',
        measure: `all three, ${f.hops}: CPU µs per CloudEvent, and the events/s ${cpus().length} cores can carry at that cost`,
        value: `${Math.round(f.total)}: ${Math.round((cpus().length * 1e6) / f.total).toLocaleString('en-US')}/s`,
        target: '-',
      })),
    ];
    process.stdout.write(
      `floor: what a CloudEvent's transport and storage cost with workgate's logic taken out; median of ${REPS} runs\n${machineLine()}\n\n`,
    );
    process.stdout.write(
      `${table(
        ['measure', 'value'],
        summary.map((r) => [r.measure, r.value]),
      )}\n`,
    );
    saveResults('floor', { events: EVENTS, reps: REPS, stages: Object.values(stages) }, summary);
  } finally {
    publisher.close();
    workEvents.close();
    await client.end();
    await releaseNats(nats.url);
    await nats.stop();
    await dropBenchDatabase(dbName);
  }
}

main().catch((error) => {
  process.stderr.write(`${failure(error)}\n`);
  process.exit(1);
});
