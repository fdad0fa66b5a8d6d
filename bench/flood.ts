import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPlainObject } from '@workgate/contracts';
import { percentile } from './stats';
import { startWorkgateProcess } from './workgate-process';
import { expectShape, isString, objectOf } from '@workgate/contracts';

/** The build a flood runs against: BENCH_DIST, else this one (dist/ when run from the sources, as the fault test is). */
/** This build: dist/ (the attacker's script is compiled there; the fault test runs from the sources). */
const THIS_DIST = existsSync(join(__dirname, 'flood-load.js')) ? join(__dirname, '..') : join(__dirname, '..', 'dist');
/** The build a flood runs against: BENCH_DIST, else this one. */
export const FLOOD_DIST = process.env.BENCH_DIST ?? THIS_DIST;

export interface Latencies {
  count: number;
  p50: number;
  p95: number;
  max: number;
  /** Answers other than 2xx (a /health 503 included). */
  failed: number;
  /** No answer within PROBE_TIMEOUT_MS. */
  timeouts: number;
}

export interface FloodResult {
  unloaded: { health: Latencies; read: Latencies };
  loaded: { health: Latencies; read: Latencies };
  /** What the attacker saw: requests sent, answers per status, connections reset, its shortest wait for a 429. */
  attacker: {
    sent: number;
    statuses: Record<string, number>;
    resets: number;
    connections: number;
    shortest429Ms: number | null;
  };
}

const PROBE_TIMEOUT_MS = 15_000;
/** The pause between one probe's answer and the next: probes measure, they do not load. */
const PROBE_GAP_MS = 50;

/** Probes `path` one request at a time until `until` resolves. */
export async function probe(url: string, headers: Record<string, string>, until: Promise<unknown>): Promise<Latencies> {
  const times: number[] = [];
  let failed = 0;
  let timeouts = 0;
  let done = false;
  const stop = () => (done = true);
  until.then(stop, stop);
  while (!done) {
    const started = performance.now();
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await res.arrayBuffer();
      if (res.status >= 300) failed++;
      times.push(performance.now() - started);
    } catch {
      timeouts++;
    }
    await new Promise((r) => setTimeout(r, PROBE_GAP_MS));
  }
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    count: times.length,
    p50: round(percentile(times, 50)),
    p95: round(percentile(times, 95)),
    max: round(times[times.length - 1] ?? NaN),
    failed,
    timeouts,
  };
}

/** Whether the attacker's output is its tally. */
const isTally = (value: unknown): value is FloodResult['attacker'] =>
  isPlainObject(value) &&
  typeof value.sent === 'number' &&
  isPlainObject(value.statuses) &&
  Object.values(value.statuses).every((n) => typeof n === 'number') &&
  typeof value.resets === 'number' &&
  typeof value.connections === 'number' &&
  (value.shortest429Ms === null || typeof value.shortest429Ms === 'number');

/** Runs the attacker (bench/flood-load.ts) in its own process; resolves with its tally. */
function attack(url: string, connections: number, seconds: number, bytes: number): Promise<FloodResult['attacker']> {
  const child = spawn(process.execPath, [join(THIS_DIST, 'bench', 'flood-load.js')], {
    env: {
      ...process.env,
      FLOOD_URL: url,
      FLOOD_CONNECTIONS: String(connections),
      FLOOD_SECONDS: String(seconds),
      FLOOD_BYTES: String(bytes),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const tally: unknown = code === 0 ? JSON.parse(out) : undefined;
      if (isTally(tally)) resolve(tally);
      else reject(new Error(`the flood exited with ${code}: ${out}`));
    });
  });
}

/**
 * Workgate (`npm start`, the build in FLOOD_DIST) flooded with hostile traffic (docs/operations.md, Hostile traffic): `connections`
 * connections looping anonymous `POST /v1/work-orders` with a `bytes` JSON body for `seconds`,
 * while `/health` (no key) and an authenticated `GET /v1/work-orders/:id` are probed one request at
 * a time; the same probes for `baselineSeconds` before the flood give the unloaded figures.
 */
export async function measureFlood(
  options: { connections?: number; seconds?: number; bytes?: number; baselineSeconds?: number } = {},
): Promise<FloodResult> {
  const { connections = 50, seconds = 20, bytes = 1024 * 1024, baselineSeconds = 5 } = options;
  const dir = mkdtempSync(join(tmpdir(), 'wg-flood-'));
  const key = randomBytes(24).toString('hex');
  const principals = join(dir, 'principals.yaml');
  writeFileSync(
    principals,
    `principals:\n  - { id: helpdesk, roles: [integrator], apiKeySha256: ${createHash('sha256').update(key).digest('hex')} }\n`,
  );
  const workgate = await startWorkgateProcess('flood', 'one', { WORKGATE_PRINCIPALS: principals }, FLOOD_DIST);
  try {
    const auth = { Authorization: `Bearer ${key}` };
    const opened = await fetch(`${workgate.url}/v1/work-orders`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        jobType: 'support-recovery',
        externalRef: `flood-${process.pid}`,
        source: 'bench',
        inputs: { caseId: 'C-1', orderId: '1', orderPaid: true },
      }),
    });
    if (opened.status !== 201)
      throw new Error(`opening the work order to read: ${opened.status} ${await opened.text()}`);
    const readUrl = `${workgate.url}/v1/work-orders/${expectShape(await opened.json(), objectOf({ id: isString }), 'a work order').id}`;
    const measure = async (during: Promise<unknown>) => {
      const [health, read] = await Promise.all([
        probe(`${workgate.url}/health`, {}, during),
        probe(readUrl, auth, during),
      ]);
      return { health, read };
    };
    const unloaded = await measure(new Promise((r) => setTimeout(r, baselineSeconds * 1000)));
    const flood = attack(workgate.url, connections, seconds, bytes);
    const loaded = await measure(flood);
    return { unloaded, loaded, attacker: await flood };
  } finally {
    await workgate.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
