import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failure, machineLine, median, saveResults, SummaryRow, table } from './stats';
import { startWorkgateProcess, writePrincipals } from './workgate-process';
import { frameworkPeer, natsIntakeRate } from './http-compared';

import autocannon from 'autocannon';
import { isPlainObject } from '@workgate/contracts';

/** A field of an API answer that must be a string (an id). */
function stringField(answer: unknown, field: string): string {
  const value = isPlainObject(answer) ? answer[field] : undefined;
  if (typeof value !== 'string') throw new Error(`the answer has no ${field}: ${JSON.stringify(answer)}`);
  return value;
}
type Request = { method: string; path: string; headers?: Record<string, string>; body?: string };

/**
 * `npm run bench:http`: the HTTP API as people, the console and agents load it (autocannon,
 * programmatic; every body unique; the rate limit lifted): opens, action requests, approval
 * decisions, work-order reads and `/health` at 10, 50 and 200 connections, then the rate of the same commands
 * (an open and an action per work order) through NATS intake in the same run, for comparison.
 * BENCH_REPS (default 3), BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 10,50,200),
 * BENCH_ROUTES (default open,action,approval,get,health) picks scenarios, BENCH_NATS=0 skips the intake comparison.
 * The peer, in the same run: the framework alone (bench/peers/nest-fastify.peer.ts: NestJS on
 * Fastify with the gateway's shape of pipeline and a fixed answer), read and posted at 50
 * connections, the most a gateway built this way can serve here (BENCH_PEER=0 skips it).
 */
const REPS = Number(process.env.BENCH_REPS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '10,50,200').split(',').map(Number);
/** Work orders the actions and reads are spread over. */
const POOL = 1000;
/** Approvals waiting for a decision, made before each decision run (each is decided once). */
const APPROVALS = Number(process.env.BENCH_APPROVALS ?? 1500);
const ROUTES = (process.env.BENCH_ROUTES ?? 'open,action,approval,get,health').split(',').map((r) => r.trim());

const ROLES: Record<string, string[]> = {
  helpdesk: ['integrator'],
  agent: ['operator'],
  'support-lead': ['approver'],
  reader: ['analyst'],
};
const REFUND = { system: 'payments', operation: 'refund', kind: 'write' };

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wg-bench-http-'));
  const { path: principals, keys } = writePrincipals(dir, ROLES);
  const workgate = await startWorkgateProcess('http', 'one', {
    WORKGATE_PRINCIPALS: principals,
    WORKGATE_RATE_LIMIT_PER_MINUTE: '1000000000',
  });
  const headers = (who: string) => ({ Authorization: `Bearer ${keys[who]}`, 'Content-Type': 'application/json' });
  const call = async (who: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${workgate.url}${path}`, {
      method,
      headers: headers(who),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    const answer: unknown = await res.json();
    return answer;
  };
  /** Runs `work` for each item, `width` at a time. */
  const inParallel = async <T>(items: T[], width: number, work: (item: T) => Promise<void>) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next < items.length) await work(items[next++]);
      }),
    );
  };

  let n = 0;
  const unique = () => `${process.pid}-${++n}`;
  const open = (ref: string) => ({
    jobType: 'support-recovery',
    externalRef: ref,
    source: 'bench',
    inputs: { caseId: ref, orderId: '1', orderPaid: true },
  });
  process.stderr.write(`opening ${POOL} work orders for the actions and reads\n`);
  const pool: string[] = [];
  await inParallel(
    Array.from({ length: POOL }, () => unique()),
    20,
    async (ref) =>
      void pool.push(stringField(await call('helpdesk', 'POST', '/v1/work-orders', open(`pool-${ref}`)), 'id')),
  );
  let picked = 0;
  const pick = () => pool[picked++ % POOL];

  /** Waits for decisions: refunds requested on fresh work orders, each waiting for support-lead. */
  const waitingApprovals = async (count: number): Promise<string[]> => {
    const ids: string[] = [];
    await inParallel(
      Array.from({ length: count }, () => unique()),
      20,
      async (ref) => {
        const id = stringField(await call('helpdesk', 'POST', '/v1/work-orders', open(`wait-${ref}`)), 'id');
        ids.push(
          stringField(
            await call('agent', 'POST', `/v1/work-orders/${id}/actions`, { ...REFUND, facts: { amount: 30 } }),
            'approvalId',
          ),
        );
      },
    );
    return ids;
  };

  const all: Array<{ name: string; label: string; prepare?: () => Promise<() => Request>; next?: () => Request }> = [
    {
      name: 'open',
      label: 'POST /v1/work-orders (open)',
      next: () => ({
        method: 'POST',
        path: '/v1/work-orders',
        headers: headers('helpdesk'),
        body: JSON.stringify(open(`open-${unique()}`)),
      }),
    },
    {
      name: 'action',
      label: 'POST /v1/work-orders/:id/actions (a read: run)',
      next: () => ({
        method: 'POST',
        path: `/v1/work-orders/${pick()}/actions`,
        headers: headers('agent'),
        body: JSON.stringify({ system: 'shop', operation: 'order.read', kind: 'read', facts: { n: unique() } }),
      }),
    },
    {
      name: 'approval',
      label: 'POST /v1/approvals/:id/decision (approve)',
      prepare: async () => {
        const ids = await waitingApprovals(APPROVALS);
        let i = 0;
        return () => ({
          method: 'POST',
          path: `/v1/approvals/${ids[i++ % ids.length]}/decision`,
          headers: headers('support-lead'),
          body: JSON.stringify({ decision: 'approve', permittedAction: REFUND, note: unique() }),
        });
      },
    },
    {
      name: 'get',
      label: 'GET /v1/work-orders/:id',
      next: () => ({ method: 'GET', path: `/v1/work-orders/${pick()}`, headers: headers('reader') }),
    },
    {
      name: 'health',
      label: 'GET /health (no key, as probes call it)',
      next: () => ({ method: 'GET', path: '/health' }),
    },
  ];

  const unknown = ROUTES.filter((r) => !all.some((s) => s.name === r));
  if (unknown.length > 0)
    throw new Error(
      `BENCH_ROUTES names no scenario: ${unknown.join(', ')} (scenarios: ${all.map((s) => s.name).join(', ')})`,
    );
  const scenarios = all.filter((s) => ROUTES.includes(s.name));
  type Run = { rate: number; p50: number; p99: number; non2xx: number; errors: number };
  const runs: Record<string, Run[]> = {};
  try {
    for (let rep = 1; rep <= REPS; rep++) {
      for (const connections of CONNECTIONS) {
        for (const s of scenarios) {
          const next = s.next ?? (await s.prepare!());
          // Decisions are one per approval: the run ends when they are all decided, or after the time.
          const amount = s.prepare ? { amount: APPROVALS } : { duration: SECONDS };
          const started = performance.now();
          let lastAnswer = started;
          const job = autocannon({
            url: workgate.url,
            connections,
            ...amount,
            requests: [{ setupRequest: (req: Request) => ({ ...req, ...next() }) }],
          });
          job.on('response', () => (lastAnswer = performance.now()));
          const r = await job;
          // autocannon notices the end of a counted run only at its next 1 s tick: such a run lasts until
          // its last answer (unless requests failed without one, time-outs say nothing).
          const seconds =
            s.prepare && r.errors === 0
              ? (lastAnswer - started) / 1000
              : (r.finish.getTime() - r.start.getTime()) / 1000;
          const run = {
            rate: r.requests.total / seconds,
            p50: r.latency.p50,
            p99: r.latency.p99,
            non2xx: r.non2xx,
            errors: r.errors,
          }; // errors include time-outs
          (runs[`${s.name}@${connections}`] ??= []).push(run);
          process.stderr.write(
            `run ${rep}/${REPS}: ${s.name}, ${connections} connections: ${Math.round(run.rate)} req/s, p50 ${run.p50} ms, p99 ${run.p99} ms, non-2xx ${run.non2xx}, errors ${run.errors}\n`,
          );
        }
      }
    }
  } finally {
    await workgate.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const peer = process.env.BENCH_PEER === '0' ? undefined : await frameworkPeer(REPS, SECONDS);
  const med = (key: string, f: keyof Run) => median(runs[key].map((r) => r[f]));
  const worst = (key: string, f: keyof Run) => Math.max(...runs[key].map((r) => r[f]));
  const rows = scenarios.flatMap((s) =>
    CONNECTIONS.map((c) => [
      s.label,
      c,
      Math.round(med(`${s.name}@${c}`, 'rate')),
      med(`${s.name}@${c}`, 'p50'),
      med(`${s.name}@${c}`, 'p99'),
      worst(`${s.name}@${c}`, 'non2xx') + worst(`${s.name}@${c}`, 'errors'),
    ]),
  );
  const intake = process.env.BENCH_NATS === '0' ? undefined : natsIntakeRate();
  const at50 = runs['action@50'] ? Math.round(med('action@50', 'rate')) : undefined;
  process.stdout.write(
    `http: the API under autocannon; median of ${REPS} runs x ${SECONDS}s (approval decisions: ${APPROVALS} per run)\n${machineLine()}\n\n` +
      table(['route', 'connections', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx or errors (worst run)'], rows) +
      (intake
        ? `\nNATS intake of the same commands (an open and an action per work order), same run: ${intake.toLocaleString('en-US')} events/s`
        : '') +
      (intake && at50 ? `; HTTP actions at 50 connections are ${Math.round((100 * at50) / intake)}% of it\n` : '\n') +
      (peer
        ? `the framework alone (NestJS on Fastify, the gateway's pipeline, a fixed answer), 50 connections: GET ${peer.get.toLocaleString('en-US')} req/s, POST ${peer.post.toLocaleString('en-US')} req/s\n`
        : ''),
  );
  const row = (measure: string, key: string, target: string): SummaryRow => ({
    stage: 'HTTP API',
    measure,
    value: runs[key] ? Math.round(med(key, 'rate')) : '-',
    target,
  });
  const summary: SummaryRow[] = [
    row('action requests/s at 50 connections', 'action@50', '>= 3,000'),
    {
      stage: 'HTTP API',
      measure: 'action p99 ms at 50 connections',
      value: runs['action@50'] ? med('action@50', 'p99') : '-',
      target: '<= 50',
    },
    row('opens/s at 50 connections', 'open@50', '>= 4,000'),
    row('work-order reads/s at 50 connections', 'get@50', '>= 8,000'),
    row('GET /health/s at 50 connections', 'health@50', '>= 5,000'),
    row('approval decisions/s at 50 connections', 'approval@50', '-'),
    ...(intake
      ? [
          {
            stage: 'HTTP API',
            measure: 'NATS intake of the same commands, events/s (same run)',
            value: intake,
            target: '-',
          },
        ]
      : []),
    ...(peer
      ? [
          {
            stage: 'HTTP API',
            measure: 'peer: the framework alone (NestJS on Fastify, no logic), GET req/s at 50 connections',
            value: peer.get,
            target: '-',
          },
          {
            stage: 'HTTP API',
            measure: 'peer: the framework alone, POST req/s at 50 connections',
            value: peer.post,
            target: '-',
          },
        ]
      : []),
  ];
  process.stderr.write(
    `results: ${saveResults('http', { reps: REPS, seconds: SECONDS, connections: CONNECTIONS, runs, intake }, summary)}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${failure(error)}\n`);
    process.exit(1);
  },
);
