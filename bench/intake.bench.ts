import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { headers as natsHeaders, JetStreamClient } from 'nats';
import { createPool } from '@workgate/event-store';
import { median, percentile, table } from './stats';
import { ROOT, startWorkgateProcess } from './workgate-process';

/**
 * `npm run bench:intake`: CloudEvents published to JetStream WORK_EVENTS, with every service in
 * one process (`node dist/cli/start.js`). Reports sustained events/s until all are in the ledger,
 * and publish -> commit latency (p50/p99) at a fixed 1,000 events/s. Each event is half of a pair:
 * `workgate.workorder.open` then `workgate.action.requested` (a policy decision) for the same work order.
 * BENCH_EVENTS (default 20,000), BENCH_REPS (default 3), BENCH_RATE (default 1,000), BENCH_SECONDS (default 10).
 */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const enc = new TextEncoder();

function events(run: string, pair: number, sentAt: number): Array<{ id: string; body: Uint8Array }> {
  const ref = `${run}-${pair}`;
  const open = { specversion: '1.0', id: `${ref}-open`, source: 'bench', type: 'workgate.workorder.open', subject: ref, data: { jobType: 'support-recovery', inputs: { caseId: ref, orderId: `${pair}`, orderPaid: true, sentAt } } };
  const act = {
    specversion: '1.0',
    id: `${ref}-act`,
    source: 'bench',
    type: 'workgate.action.requested',
    subject: ref,
    data: { system: 'shop', operation: 'order.note', kind: 'write', objects: [`order:${pair}`], facts: { orderFulfilled: false, addressValidated: true, sentAt } },
  };
  return [open, act].map((e) => ({ id: e.id, body: enc.encode(JSON.stringify(e)) }));
}

async function publish(js: JetStreamClient, e: { id: string; body: Uint8Array }) {
  const h = natsHeaders();
  h.set('Nats-Msg-Id', `bench:${e.id}`);
  h.set('Content-Type', 'application/cloudevents+json');
  await js.publish('workgate.events.bench', e.body, { headers: h });
}

async function main(): Promise<void> {
  const workgate = await startWorkgateProcess('intake');
  const js = workgate.nc.jetstream();
  const pool = createPool(workgate.dbUrl, { max: 2 });
  const countAll = async () => (await pool.query(`SELECT count(*)::int AS n FROM ledger_events WHERE type IN ('WorkOrderOpened', 'ActionDecided')`)).rows[0].n as number;
  try {
    const sustained: number[] = [];
    const p50s: number[] = [];
    const p99s: number[] = [];
    let rss = 0;
    for (let rep = 1; rep <= REPS; rep++) {
      // Sustained: publish everything as fast as JetStream takes it, time until all are committed.
      const run = `s${rep}`;
      const base = await countAll();
      const started = Date.now();
      const pairs = EVENTS / 2;
      let next = 0;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < pairs) {
            const pair = next++;
            for (const e of events(run, pair, Date.now())) await publish(js, e);
          }
        }),
      );
      const published = Date.now();
      while ((await countAll()) - base < EVENTS) {
        if (Date.now() - started > 300_000) throw new Error('events did not all reach the ledger in 5 minutes');
        rss = Math.max(rss, workgate.rss());
        await new Promise((r) => setTimeout(r, 100));
      }
      const seconds = (Date.now() - started) / 1000;
      sustained.push(EVENTS / seconds);
      process.stderr.write(`run ${rep}/${REPS}: ${EVENTS} events in ${seconds.toFixed(1)}s (published in ${((published - started) / 1000).toFixed(1)}s) = ${Math.round(EVENTS / seconds).toLocaleString('en-US')}/s\n`);

      // Latency at a fixed rate: pairs paced at RATE events/s; publish -> commit from the ledger's recorded_at.
      const lrun = `l${rep}`;
      const total = RATE * SECONDS;
      const t0 = Date.now();
      const inflight: Promise<void>[] = [];
      for (let pair = 0; pair < total / 2; pair++) {
        const due = t0 + (pair * 2 * 1000) / RATE;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const sentAt = Date.now();
        const [open, act] = events(lrun, pair, sentAt);
        inflight.push(publish(js, open).then(() => publish(js, act)));
      }
      await Promise.all(inflight);
      const lbase = base + EVENTS;
      while ((await countAll()) - lbase < total) await new Promise((r) => setTimeout(r, 100));
      const { rows } = await pool.query(
        `SELECT extract(epoch FROM recorded_at) * 1000 - (COALESCE(data->'inputs'->>'sentAt', data->'facts'->>'sentAt'))::float8 AS ms
           FROM ledger_events WHERE type IN ('WorkOrderOpened', 'ActionDecided') AND position > (SELECT max(position) FROM ledger_events) - $1
            AND COALESCE(data->'inputs'->>'sentAt', data->'facts'->>'sentAt') IS NOT NULL AND (data->'inputs'->>'caseId' LIKE $2 OR data->'workOrder'->>'externalRef' LIKE $2)`,
        [total * 2, `${lrun}-%`],
      );
      const lat = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
      p50s.push(percentile(lat, 50));
      p99s.push(percentile(lat, 99));
      process.stderr.write(`run ${rep}/${REPS}: at ${RATE}/s, ${lat.length} events: p50 ${percentile(lat, 50).toFixed(1)} ms, p99 ${percentile(lat, 99).toFixed(1)} ms\n`);
    }
    const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
    const text =
      `intake: CloudEvents on JetStream -> committed in the ledger, every service in one process; median of ${REPS} runs\n${machine}\n\n` +
      table(
        ['measure', 'value'],
        [
          [`sustained events/s (${EVENTS.toLocaleString('en-US')} events, open + action pairs)`, median(sustained)],
          [`publish -> commit p50 ms at ${RATE.toLocaleString('en-US')} events/s`, median(p50s)],
          [`publish -> commit p99 ms at ${RATE.toLocaleString('en-US')} events/s`, median(p99s)],
          ['peak RSS of the workgate process (MB)', Math.round(rss / 2 ** 20)],
        ],
      ) +
      '\n';
    process.stdout.write(text);
    const dir = join(ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `intake-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ machine, sustained, p50s, p99s, rss }, null, 2));
  } finally {
    await pool.end();
    await workgate.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  },
);
