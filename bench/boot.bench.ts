import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDatabase, migrate, withDatabase } from '@workgate/event-store';
import { startScratchNats } from '../cli/infra';
import { machineLine, median, percentile, saveResults, SummaryRow, table } from './stats';
import { BASE_URL, dropBenchDatabase, ROOT, START_FLAGS } from './workgate-process';
import { Guard, isNumber, objectOf, parseJsonAs } from '@workgate/contracts';

/**
 * `npm run bench:boot`: how long workgate takes to serve. Each boot is a fresh Node process (the
 * Node flags of `npm start`) on a fresh scratch nats-server and a fresh migrated database, loopback
 * only: it loads dist/cli/workgate.js, calls `startWorkgate` as `npm start` does (the ledger and
 * intake on their thread), reads /health, closes and exits. Two figures per boot: from the process's
 * start to serving (module loading included, as `npm start`), and from the `startWorkgate` call to
 * serving (as the tests' startTestWorkgate pays it); the scratch server and the database are made
 * before and are not counted. BENCH_BOOTS boots per round (default 10), BENCH_REPS rounds (default 3).
 * BENCH_DIST=<dist folder>[,<dist folder>…] boots those builds instead of this one, taking turns
 * boot by boot (to compare builds on the same machine at the same time).
 */
const BOOTS = Number(process.env.BENCH_BOOTS ?? 10);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const BUILDS = (process.env.BENCH_DIST ?? join(__dirname, '..')).split(',').filter(Boolean);

interface Boot {
  /** From the process's start to serving (performance.now() there). */
  processMs: number;
  /** From the `startWorkgate` call to serving. */
  startMs: number;
  closeMs: number;
}

const isBoot: Guard<Boot> = objectOf({ processMs: isNumber, startMs: isNumber, closeMs: isNumber });

/** The boot itself, run by `node -e` in the child: it prints one JSON line. */
const CHILD = `
const { join } = require('node:path');
const dist = process.env.BENCH_BOOT_DIST;
const { loadConfig } = require(join(dist, 'libs', 'config'));
const { startWorkgate } = require(join(dist, 'cli', 'workgate.js'));
(async () => {
  const config = loadConfig(process.env);
  const called = performance.now();
  const running = await startWorkgate(config, {
    port: 0,
    ledgerThread: config.WORKGATE_LEDGER_THREAD !== 'off',
    intakeThread: config.WORKGATE_INTAKE_THREAD === 'on',
  });
  const health = await fetch(running.url + '/health');
  await health.arrayBuffer();
  if (!health.ok) throw new Error('/health answered ' + health.status);
  const serving = performance.now();
  await running.close();
  const closed = performance.now();
  process.stdout.write(JSON.stringify({ processMs: serving, startMs: serving - called, closeMs: closed - serving }) + '\\n');
  process.exit(0);
})().catch((error) => {
  process.stderr.write(String(error && error.stack || error) + '\\n');
  process.exit(1);
});
`;

/** One boot of `dist` on its own nats-server and database. */
async function boot(dist: string, n: number): Promise<Boot> {
  const nats = await startScratchNats();
  const dbName = `wg_bench_boot_${process.pid}_${n}`;
  const dbUrl = withDatabase(BASE_URL, dbName);
  const dataDir = mkdtempSync(join(tmpdir(), 'wg-boot-'));
  try {
    await ensureDatabase(dbUrl);
    await migrate(dbUrl);
    const child = spawn(process.execPath, [...START_FLAGS, '-e', CHILD], {
      env: {
        ...process.env,
        BENCH_BOOT_DIST: dist,
        DATABASE_URL: dbUrl,
        NATS_URL: nats.url,
        LOG_LEVEL: 'silent',
        WORKGATE_WORKFLOWS_DIR: join(ROOT, 'workflows'),
        WORKGATE_EXCEPTION_CODES: join(ROOT, 'config', 'exception-codes.yaml'),
        WORKGATE_DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`boot ${n} of ${dist} exited with ${code}`);
    return parseJsonAs(out.trim(), isBoot, 'a boot');
  } finally {
    await nats.stop();
    await dropBenchDatabase(dbName);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const round = (ms: number) => Math.round(ms);

async function main(): Promise<void> {
  // rounds[build][rep] = the boots of that round.
  const rounds = BUILDS.map((): Boot[][] => []);
  let n = 0;
  for (let rep = 0; rep < REPS; rep++) {
    rounds.forEach((r) => r.push([]));
    for (let i = 0; i < BOOTS; i++)
      for (const [b, dist] of BUILDS.entries()) rounds[b][rep].push(await boot(dist, n++));
  }
  const stat = (boots: Boot[], key: keyof Boot) => {
    const sorted = boots.map((x) => x[key]).sort((a, b) => a - b);
    return { p50: median(sorted), p90: percentile(sorted, 90) };
  };
  const results = BUILDS.map((dist, b) => {
    const reps = rounds[b].map((boots) => ({
      process: stat(boots, 'processMs'),
      start: stat(boots, 'startMs'),
      close: stat(boots, 'closeMs'),
    }));
    const of = (pick: (r: (typeof reps)[number]) => number) => round(median(reps.map(pick)));
    return {
      dist,
      reps,
      processP50: of((r) => r.process.p50),
      processP90: of((r) => r.process.p90),
      startP50: of((r) => r.start.p50),
      startP90: of((r) => r.start.p90),
      closeP50: of((r) => r.close.p50),
    };
  });
  console.log(
    `\nworkgate boot, ${BOOTS} boots × ${REPS} rounds per build (medians of the rounds' p50 and p90, ms); ${machineLine()}\n`,
  );
  console.log(
    table(
      [
        'build',
        'process → serving p50',
        'p90',
        'startWorkgate → serving p50',
        'p90',
        'close p50',
        'rounds (process p50)',
      ],
      results.map((r) => [
        r.dist,
        r.processP50,
        r.processP90,
        r.startP50,
        r.startP90,
        r.closeP50,
        r.reps.map((x) => round(x.process.p50)).join(' / '),
      ]),
    ),
  );
  const summary: SummaryRow[] = results.flatMap((r) => [
    {
      stage: 'boot',
      measure: `process → serving p50 (ms)${BUILDS.length > 1 ? `, ${r.dist}` : ''}`,
      value: r.processP50,
    },
    {
      stage: 'boot',
      measure: `startWorkgate → serving p50 (ms)${BUILDS.length > 1 ? `, ${r.dist}` : ''}`,
      value: r.startP50,
    },
  ]);
  console.log(`\nresults: ${saveResults('boot', { boots: BOOTS, reps: REPS, results }, summary)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
