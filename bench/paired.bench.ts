import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isPlainObject } from '@workgate/contracts';
import { createClient, withDatabase } from '@workgate/event-store';
import { processSeconds } from './cpu';
import { failure, machineLine, median, saveResults, SummaryRow, table } from './stats';
import { BASE_URL, ROOT, startWorkgateProcess, WorkgateProcess, writePrincipals } from './workgate-process';

/**
 * `BENCH_BASELINE=<checkout> npm run bench:paired`: this build and another (a checkout with its
 * `dist/` built) run at the same time on one machine, each `npm start` on its own nats-server and
 * database, and are given the same HTTP requests at the same moments: BENCH_OPENS per round to each,
 * 25 connections each. Each round reads the CPU each build spent per request, its workgate processes,
 * its nats-server and its Postgres backends apart. The machine's speed drifts by 2x between hours
 * and by a fifth between runs a minute apart, but both builds see the same drift, so the ratio of
 * one round is far steadier than two runs one after the other. Half the rounds start the baseline
 * first, half this build (the process started second measured a few percent dearer on one build).
 * BENCH_ROUNDS (default 6, per start order), BENCH_OPENS (default 2,500: requests per round). With
 * BENCH_BASELINE=. the build is compared with itself: the ratio that run gives is the method's own
 * noise. BENCH_ROUTE picks the request (default open): `open` (POST /v1/work-orders), `action` (a
 * read action, run, on one of the work orders the warm-up opened), `approval` (an approval's
 * decision, approve, on a refund left waiting before the round), `get` (GET /v1/work-orders/:id of
 * one of them) or `health` (GET /health, no key).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const OPENS = Number(process.env.BENCH_OPENS ?? 2500);
const WARM_UP = 1500;
const CONNECTIONS = 25;

const ROUTES = ['open', 'action', 'approval', 'get', 'health'] as const;
const REFUND = { system: 'payments', operation: 'refund', kind: 'write' };
type Route = (typeof ROUTES)[number];
/** The request BENCH_ROUTE names. */
function routeOf(name: string): Route {
  const route = ROUTES.find((r) => r === name);
  if (!route) throw new Error(`BENCH_ROUTE names no request: ${name} (one of ${ROUTES.join(', ')})`);
  return route;
}
const ROUTE = routeOf(process.env.BENCH_ROUTE ?? 'open');

type Side = 'baseline' | 'this';
interface Share {
  workgate: number;
  nats: number;
  postgres: number;
}
const total = (s: Share) => s.workgate + s.nats + s.postgres;

/** The build under `checkout`: its dist/, which must hold a built `npm start`. */
function distOf(checkout: string): string {
  const dist = join(resolve(checkout), 'dist');
  if (!existsSync(join(dist, 'cli', 'start.js')))
    throw new Error(`no built workgate in ${dist}: run npm run build there first`);
  return dist;
}

/** One build running, and how to read what it spent. */
class Running {
  constructor(
    readonly side: Side,
    private readonly workgate: WorkgateProcess,
    private readonly keys: Record<string, string>,
  ) {}

  /** Work orders this build opened: the ones `action` and `get` requests are spread over. */
  private readonly pool: string[] = [];
  private sent = 0;

  /** Approvals waiting for a decision, made by `prepare` before a round of `approval` requests. */
  private readonly waiting: string[] = [];

  /** What a round of `route` needs before it is measured: for `approval`, `count` refunds waiting for a decision. */
  async prepare(route: Route, count: number): Promise<void> {
    if (route !== 'approval') return;
    await this.send('open', count);
    const opened = this.pool.slice(-count);
    let next = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < opened.length) {
          const answer = await this.request('POST', `/v1/work-orders/${opened[next++]}/actions`, 'helpdesk', {
            ...REFUND,
            facts: { amount: 30 },
          });
          if (!isPlainObject(answer) || typeof answer.approvalId !== 'string')
            throw new Error(`${this.side}: a refund did not wait: ${JSON.stringify(answer)}`);
          this.waiting.push(answer.approvalId);
        }
      }),
    );
  }

  /** Sends `count` requests of `route` over `CONNECTIONS` connections; each must be answered 2xx. */
  async send(route: Route, count: number): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next++ < count) await this.one(route);
      }),
    );
  }

  private async one(route: Route): Promise<void> {
    const n = ++this.sent;
    const id = this.pool[n % Math.max(1, this.pool.length)];
    const answer = await {
      open: () =>
        this.request('POST', '/v1/work-orders', 'helpdesk', {
          jobType: 'support-recovery',
          externalRef: `paired-${process.pid}-${n}`,
          source: 'bench',
          inputs: { caseId: `c-${n}`, orderId: String(n), orderPaid: true },
        }),
      action: () =>
        this.request('POST', `/v1/work-orders/${id}/actions`, 'helpdesk', {
          system: 'shop',
          operation: 'order.read',
          kind: 'read',
          facts: { n },
        }),
      approval: () =>
        this.request('POST', `/v1/approvals/${this.waiting.shift()}/decision`, 'support-lead', {
          decision: 'approve',
          permittedAction: REFUND,
          note: `n-${n}`,
        }),
      get: () => this.request('GET', `/v1/work-orders/${id}`, 'helpdesk'),
      health: () => this.request('GET', '/health'),
    }[route]();
    if (route === 'open' && isPlainObject(answer) && typeof answer.id === 'string') this.pool.push(answer.id);
  }

  /** One request as `who` (no key when none); its answer, which must be 2xx. */
  private async request(method: string, path: string, who?: string, body?: object): Promise<unknown> {
    const res = await fetch(`${this.workgate.url}${path}`, {
      method,
      headers: who ? { Authorization: `Bearer ${this.keys[who]}`, 'Content-Type': 'application/json' } : {},
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 300)
      throw new Error(`${this.side}: ${method} ${path} answered ${res.status}: ${await res.text()}`);
    const answer: unknown = await res.json();
    return answer;
  }

  /**
   * CPU seconds each of its processes has spent so far, by part: its workgate processes, its
   * nats-server and the Postgres backends of its database (each process apart, so that one
   * ending between two readings takes away only what it used meanwhile).
   */
  async spent(): Promise<Reading> {
    const db = new URL(this.workgate.dbUrl).pathname.slice(1);
    const admin = createClient(withDatabase(BASE_URL, 'postgres'));
    await admin.connect();
    try {
      const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [db]);
      const reading: Reading = new Map();
      for (const c of this.workgate.children)
        if (c.pid) reading.set(c.pid, { part: 'workgate', seconds: processSeconds(c.pid) });
      const nats = this.workgate.natsPid();
      reading.set(nats, { part: 'nats', seconds: processSeconds(nats) });
      for (const { pid } of rows) reading.set(pid, { part: 'postgres', seconds: processSeconds(pid) });
      return reading;
    } finally {
      await admin.end();
    }
  }

  stop(): Promise<void> {
    return this.workgate.stop();
  }
}

/** CPU seconds so far by process id, with the part each process is of. */
type Reading = Map<number, { part: keyof Share; seconds: number }>;

/** Microseconds per request between two readings: per process, what it used between them (all of it for one that started in between). */
function perOpen(before: Reading, after: Reading): Share {
  const share: Share = { workgate: 0, nats: 0, postgres: 0 };
  for (const [pid, now] of after) share[now.part] += Math.max(0, now.seconds - (before.get(pid)?.seconds ?? 0));
  return {
    workgate: (share.workgate * 1e6) / OPENS,
    nats: (share.nats * 1e6) / OPENS,
    postgres: (share.postgres * 1e6) / OPENS,
  };
}

/** Starts both builds (`first` first), warms them up, and measures ROUNDS rounds: per round, each side's CPU per request. */
async function session(first: Side, dists: Record<Side, string>, dir: string): Promise<Array<Record<Side, Share>>> {
  const { path, keys } = writePrincipals(dir, { helpdesk: ['integrator'], 'support-lead': ['approver'] });
  const env = { WORKGATE_PRINCIPALS: path, WORKGATE_RATE_LIMIT_PER_MINUTE: '1000000000' };
  const order: Side[] = first === 'baseline' ? ['baseline', 'this'] : ['this', 'baseline'];
  const running: Running[] = [];
  try {
    for (const side of order)
      running.push(
        new Running(side, await startWorkgateProcess(`paired_${side}_${first}`, 'one', env, dists[side]), keys),
      );
    await Promise.all(running.map((r) => r.send('open', WARM_UP)));
    const rounds: Array<Record<Side, Share>> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await Promise.all(running.map((r) => r.prepare(ROUTE, OPENS)));
      await new Promise((r) => setTimeout(r, 1500));
      const before = await Promise.all(running.map((r) => r.spent()));
      await Promise.all(running.map((r) => r.send(ROUTE, OPENS)));
      // What the last requests set off (projections, the relay, reactions) settles before the reading.
      await new Promise((r) => setTimeout(r, 1500));
      const after = await Promise.all(running.map((r) => r.spent()));
      const of = (side: Side) => {
        const i = running.findIndex((r) => r.side === side);
        return perOpen(before[i], after[i]);
      };
      const by: Record<Side, Share> = { baseline: of('baseline'), this: of('this') };
      rounds.push(by);
      process.stderr.write(
        `${first} first, round ${round}/${ROUNDS}: CPU µs per ${ROUTE} request baseline ${Math.round(total(by.baseline))}, this ${Math.round(total(by.this))} (${(total(by.this) / total(by.baseline)).toFixed(3)})\n`,
      );
    }
    return rounds;
  } finally {
    await Promise.all(running.map((r) => r.stop()));
  }
}

async function main(): Promise<void> {
  const baseline = process.env.BENCH_BASELINE;
  if (!baseline) throw new Error('BENCH_BASELINE=<checkout with a built dist/> names the build to compare with');
  const dists: Record<Side, string> = { baseline: distOf(baseline), this: distOf(ROOT) };
  const dir = mkdtempSync(join(tmpdir(), 'wg-bench-paired-'));
  try {
    const rounds = [...(await session('baseline', dists, dir)), ...(await session('this', dists, dir))];
    const ratio = (pick: (s: Share) => number) => median(rounds.map((r) => pick(r.this) / pick(r.baseline)));
    const med = (side: Side, pick: (s: Share) => number) => Math.round(median(rounds.map((r) => pick(r[side]))));
    const parts: Array<[string, (s: Share) => number]> = [
      ['workgate processes', (s) => s.workgate],
      ['nats-server', (s) => s.nats],
      ['Postgres', (s) => s.postgres],
      ['all three', total],
    ];
    const rows = parts.map(([name, pick]) => [
      name,
      med('baseline', pick),
      med('this', pick),
      ratio(pick).toFixed(3),
      `${Math.min(...rounds.map((r) => pick(r.this) / pick(r.baseline))).toFixed(3)}-${Math.max(...rounds.map((r) => pick(r.this) / pick(r.baseline))).toFixed(3)}`,
    ]);
    process.stdout.write(
      `paired: this build (${ROOT}) and ${resolve(baseline)} at once, ${2 * ROUNDS} rounds of ${OPENS} ${ROUTE} requests each (half of them with each started first)\n${machineLine()}\n\n` +
        table(
          [
            `CPU per ${ROUTE} request`,
            'baseline µs',
            'this µs',
            'this / baseline (median of rounds)',
            'range of rounds',
          ],
          rows,
        ) +
        '\n',
    );
    const summary: SummaryRow[] = [
      {
        stage: 'paired',
        measure: `CPU per HTTP ${ROUTE} request, this build / the baseline (median of rounds)`,
        value: Number(ratio(total).toFixed(3)),
        target: '-',
      },
    ];
    process.stdout.write(`results: ${saveResults('paired', { baseline: resolve(baseline), rounds }, summary)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${failure(error)}\n`);
    process.exit(1);
  },
);
