import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient, withDatabase } from '@workgate/event-store';
import { processSeconds } from './cpu';
import { failure, machineLine, median, saveResults, SummaryRow, table } from './stats';
import { BASE_URL, ROOT, startWorkgateProcess, WorkgateProcess } from './workgate-process';

/**
 * `BENCH_BASELINE=<checkout> npm run bench:paired`: this build and another (a checkout with its
 * `dist/` built) run at the same time on one machine, each `npm start` on its own nats-server and
 * database, and are given the same HTTP opens at the same moments: BENCH_OPENS per round to each,
 * 25 connections each. Each round reads the CPU each build spent per open, its workgate processes,
 * its nats-server and its Postgres backends apart. The machine's speed drifts by 2x between hours
 * and by a fifth between runs a minute apart, but both builds see the same drift, so the ratio of
 * one round is far steadier than two runs one after the other. Half the rounds start the baseline
 * first, half this build (the process started second measured a few percent dearer on one build).
 * BENCH_ROUNDS (default 6, per start order), BENCH_OPENS (default 2,500). With BENCH_BASELINE=.
 * the build is compared with itself: the ratio that run gives is the method's own noise.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const OPENS = Number(process.env.BENCH_OPENS ?? 2500);
const WARM_UP = 1500;
const CONNECTIONS = 25;

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

/** A principals file with one integrator key: its path and the key. */
function integrator(dir: string): { path: string; key: string } {
  const key = randomBytes(24).toString('hex');
  const path = join(dir, 'principals.yaml');
  const sha = createHash('sha256').update(key).digest('hex');
  writeFileSync(path, `principals:\n  - { id: helpdesk, roles: [integrator], apiKeySha256: ${sha} }\n`);
  return { path, key };
}

/** One build running, and how to read what it spent. */
class Running {
  private opened = 0;

  constructor(
    readonly side: Side,
    private readonly workgate: WorkgateProcess,
    private readonly key: string,
  ) {}

  /** Opens `count` work orders over `CONNECTIONS` connections; each must be answered 201. */
  async open(count: number): Promise<void> {
    let next = 0;
    const one = async () => {
      const n = ++this.opened;
      const res = await fetch(`${this.workgate.url}/v1/work-orders`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${this.key}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          jobType: 'support-recovery',
          externalRef: `paired-${process.pid}-${n}`,
          source: 'bench',
          inputs: { caseId: `c-${n}`, orderId: String(n), orderPaid: true },
        }),
      });
      if (res.status !== 201) throw new Error(`${this.side}: an open answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    };
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next++ < count) await one();
      }),
    );
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

/** Microseconds per open between two readings: per process, what it used between them (all of it for one that started in between). */
function perOpen(before: Reading, after: Reading): Share {
  const share: Share = { workgate: 0, nats: 0, postgres: 0 };
  for (const [pid, now] of after) share[now.part] += Math.max(0, now.seconds - (before.get(pid)?.seconds ?? 0));
  return {
    workgate: (share.workgate * 1e6) / OPENS,
    nats: (share.nats * 1e6) / OPENS,
    postgres: (share.postgres * 1e6) / OPENS,
  };
}

/** Starts both builds (`first` first), warms them up, and measures ROUNDS rounds: per round, each side's CPU per open. */
async function session(first: Side, dists: Record<Side, string>, dir: string): Promise<Array<Record<Side, Share>>> {
  const { path, key } = integrator(dir);
  const env = { WORKGATE_PRINCIPALS: path, WORKGATE_RATE_LIMIT_PER_MINUTE: '1000000000' };
  const order: Side[] = first === 'baseline' ? ['baseline', 'this'] : ['this', 'baseline'];
  const running: Running[] = [];
  try {
    for (const side of order)
      running.push(
        new Running(side, await startWorkgateProcess(`paired_${side}_${first}`, 'one', env, dists[side]), key),
      );
    await Promise.all(running.map((r) => r.open(WARM_UP)));
    const rounds: Array<Record<Side, Share>> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const before = await Promise.all(running.map((r) => r.spent()));
      await Promise.all(running.map((r) => r.open(OPENS)));
      // What the last opens set off (projections, the relay, reactions) settles before the reading.
      await new Promise((r) => setTimeout(r, 1500));
      const after = await Promise.all(running.map((r) => r.spent()));
      const of = (side: Side) => {
        const i = running.findIndex((r) => r.side === side);
        return perOpen(before[i], after[i]);
      };
      const by: Record<Side, Share> = { baseline: of('baseline'), this: of('this') };
      rounds.push(by);
      process.stderr.write(
        `${first} first, round ${round}/${ROUNDS}: CPU µs per open baseline ${Math.round(total(by.baseline))}, this ${Math.round(total(by.this))} (${(total(by.this) / total(by.baseline)).toFixed(3)})\n`,
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
      `paired: this build (${ROOT}) and ${resolve(baseline)} at once, ${2 * ROUNDS} rounds of ${OPENS} HTTP opens each (half of them with each started first)\n${machineLine()}\n\n` +
        table(
          ['CPU per open', 'baseline µs', 'this µs', 'this / baseline (median of rounds)', 'range of rounds'],
          rows,
        ) +
        '\n',
    );
    const summary: SummaryRow[] = [
      {
        stage: 'paired',
        measure: 'CPU per HTTP open, this build / the baseline (median of rounds)',
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
