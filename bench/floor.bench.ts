import { cpus } from 'node:os';
import { canonicalize, LedgerHeaders, ledgerSubject, Streams } from '@workgate/contracts';
import { deterministicUuid } from '@workgate/domain';
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
import { machineLine, saveResults, SummaryRow, table, waitUntil } from './stats';
import { WorkEventPublisher } from './work-events';
import { BASE_URL, dropBenchDatabase } from './workgate-process';

/**
 * `npm run bench:floor`: what the work a CloudEvent must cause costs this machine with workgate's
 * own logic taken out, each part on its own, in CPU microseconds per CloudEvent (every process:
 * this one, nats-server, Postgres). The intake benchmark's sustained rate cannot pass two cores
 * divided by their sum, whatever workgate does between them.
 *
 * - ingest: the intake benchmark's 64 publishers put the same CloudEvents (open + action pairs)
 *   into WORK_EVENTS; a pull consumer with intake's batch and concurrency acks each, doing nothing.
 * - relay: the ledger rows those events record (two per pair: opened and decided, of
 *   the services' sizes) published to LEDGER as the relay does (batches, expected last sequence,
 *   its headers), each page awaiting the stream's acks. No reaction receives them: services
 *   react to events of their own (a gate request, an exception raised), which these pairs
 *   do not record.
 * - ledger rows: the same rows INSERTed as the ledger writer's group commits do (one statement
 *   per batch, the same indexes), with no checks, no hashing and no views.
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

/** Ledger rows of one pair, shaped and sized as intake's (canonical JSON texts). */
function ledgerRows(
  run: string,
  pair: number,
): Array<{ streamId: string; version: number; eventId: string; type: string; data: string; metadata: string }> {
  const id = `${run}-${pair}`;
  const uuidOf = (k: string) => deterministicUuid('floor', id, k);
  const workOrderId = uuidOf('workorder');
  const streamId = `workorder-${workOrderId}`;
  const policy = { jobType: 'support-recovery', version: 1, sha256: 'b'.repeat(64) };
  const inputs = { caseId: id, orderId: `${pair}`, orderPaid: true, sentAt: Date.now() };
  const action = { system: 'shop', operation: 'order.note', kind: 'write', objects: [`order:${pair}`] };
  const facts = { orderFulfilled: false, addressValidated: true, sentAt: Date.now() };
  const metadata = canonicalize({ commandId: uuidOf('command'), actor: 'source:bench', channel: 'bench' });
  const opened = {
    workOrderId,
    source: 'bench',
    externalRef: id,
    policy,
    owner: 'support-lead',
    inputs,
    prerequisites: ['caseId', 'orderId', 'orderPaid'].map((name) => ({ name, ok: true })),
    status: 'open',
    exceptions: [],
  };
  const decided = {
    workOrderId,
    actionId: uuidOf('action'),
    action,
    facts,
    decision: {
      decision: 'run',
      reason: 'rule_matched',
      rule: 'address-fix-before-cutoff',
      message: 'rule "address-fix-before-cutoff" says run',
      policy,
      decisionOwner: null,
      objectsNamed: 2,
      scopeChecks: { total: 3, passed: 3 },
      inputsSha256: 'c'.repeat(64),
    },
    workOrder: {
      id: workOrderId,
      owner: 'support-lead',
      inputs,
      source: 'bench',
      status: 'open',
      jobType: 'support-recovery',
      version: 1,
      reopened: 0,
      externalRef: id,
      completedSteps: [],
      openExceptions: [],
    },
  };
  return [
    ['WorkOrderOpened', opened],
    ['ActionDecided', decided],
  ].map(([type, data], i) => ({
    streamId,
    version: i + 1,
    eventId: uuidOf(type as string),
    type: type as string,
    data: canonicalize(data),
    metadata,
  }));
}

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

/** Acks everything a durable consumer delivers, counting it. */
function acker(
  nc: Parameters<typeof runPullConsumer>[0],
  stream: string,
  durable: string,
  filterSubject: string,
  batch: number,
  concurrency: number,
  counted: { n: number },
): Promise<RunningConsumer> {
  return runPullConsumer(nc, {
    stream,
    durable,
    filterSubject,
    batch,
    concurrency,
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
  const stages: Stage[] = [
    { name: 'ingest', runs: [] },
    { name: 'relay', runs: [] },
    { name: 'ledger rows', runs: [] },
  ];
  const ingested = { n: 0 };
  const consumers = [
    await acker(
      nc,
      Streams.workEvents.name,
      'floor-intake',
      'workgate.events.>',
      INTAKE_BATCH,
      INTAKE_CONCURRENCY,
      ingested,
    ),
  ];
  const publisher = new JetStreamBatchPublisher(nc, Streams.ledger.name);
  const client = createClient(dbUrl);
  await client.connect();
  const encoder = new TextEncoder();
  let seq = 0;
  let position = 0;
  try {
    for (let rep = 1; rep <= REPS; rep++) {
      const run = `f${rep}`;
      await measure(stages[0], async () => {
        const target = ingested.n + EVENTS;
        await workEvents.publishAll(run, PAIRS);
        await waitUntil('every CloudEvent acked', 300_000, () => ingested.n >= target, 5);
      });
      const rows = Array.from({ length: PAIRS }, (_, pair) => ledgerRows(run, pair)).flat();
      await measure(stages[1], async () => {
        const now = new Date().toISOString();
        const hash = 'f'.repeat(64);
        for (let i = 0; i < rows.length; i += PAGE) {
          const page = rows.slice(i, i + PAGE);
          // As the relay sends a committed event: its RecordedEvent JSON, the LEDGER sequence as its position.
          await publisher.publish(
            page.map((r, k) => {
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
            }),
          );
          seq += page.length;
        }
      });
      await measure(stages[2], async () => {
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
    const floor = stages.reduce((sum, s) => sum + med(s).total, 0);
    const ceiling = (cpus().length * 1e6) / floor;
    const summary: SummaryRow[] = [
      ...stages.map((s) => ({
        stage: 'floor',
        measure: `${s.name}: CPU µs per CloudEvent (this process / nats-server / Postgres)`,
        value: `${Math.round(med(s).total)} (${[med(s).bench, med(s).natsServer, med(s).postgres].map(Math.round).join(' / ')})`,
        target: '-',
      })),
      {
        stage: 'floor',
        measure: `all three: CPU µs per CloudEvent, and the events/s ${cpus().length} cores can carry at that cost`,
        value: `${Math.round(floor)}: ${Math.round(ceiling).toLocaleString('en-US')}/s`,
        target: '-',
      },
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
    saveResults('floor', { events: EVENTS, reps: REPS, stages }, summary);
  } finally {
    for (const c of consumers) await c.stop();
    publisher.close();
    workEvents.close();
    await client.end();
    await releaseNats(nats.url);
    await nats.stop();
    await dropBenchDatabase(dbName);
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
