import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLOOD_DIST, Latencies, probe } from './flood';
import { draftWith, NOTES, zeros } from './hostile-definitions';
import { machineLine, percentile, saveResults, SummaryRow, table } from './stats';
import { startWorkgateProcess } from './workgate-process';
import { expectShape, isString, objectOf } from '@workgate/contracts';

/**
 * `npm run bench:hostile`: one caller's hostile definitions against `npm start` on loopback, with
 * `/health` probed one request at a time before and while they are sent: (a) an analyst simulating
 * a draft whose rule loops over two literal lists of 900 elements (810,000 turns) against recorded
 * requests, (b) an admin publishing a YAML body of 200,000 `[`. Each hostile request is sent again
 * as soon as it is answered, for HOSTILE_SECONDS (default 10; at least once). Targets: `/health`
 * p95 at most 50 ms, every hostile request answered within 2 s. BENCH_DIST=<dist folder> runs
 * another build (e.g. an older one, to compare).
 */
const SECONDS = Number(process.env.HOSTILE_SECONDS ?? 10);
const EXPENSIVE_DRAFT = draftWith(`${zeros(900)}.all(a, ${zeros(900)}.all(b, a == b))`);

interface Hostile {
  name: string;
  send: () => Promise<Response>;
}

interface PhaseResult {
  hostile: string;
  answers: number;
  statuses: Record<string, number>;
  answerP50: number;
  answerMax: number;
  health: Latencies;
}

/** Sends `hostile` again and again (one at a time) for SECONDS while `/health` is probed. */
async function phase(url: string, hostile: Hostile): Promise<PhaseResult> {
  const times: number[] = [];
  const statuses: Record<string, number> = {};
  const until = Date.now() + SECONDS * 1000;
  const attack = (async () => {
    do {
      const started = performance.now();
      try {
        const res = await hostile.send();
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      } catch {
        statuses['no answer'] = (statuses['no answer'] ?? 0) + 1;
      }
      times.push(performance.now() - started);
    } while (Date.now() < until);
  })();
  const health = await probe(`${url}/health`, {}, attack);
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms);
  return {
    hostile: hostile.name,
    answers: times.length,
    statuses,
    answerP50: round(percentile(times, 50)),
    answerMax: round(times[times.length - 1] ?? NaN),
    health,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wg-hostile-'));
  const keys = { admin: '', analyst: '', helpdesk: '', agent: '' };
  const roles = { admin: 'admin', analyst: 'analyst', helpdesk: 'integrator', agent: 'operator' } as const;
  const people = ['admin', 'analyst', 'helpdesk', 'agent'] as const satisfies ReadonlyArray<keyof typeof keys>;
  const lines = people.map((id) => {
    const key = randomBytes(24).toString('hex');
    keys[id] = key;
    const sha = createHash('sha256').update(key).digest('hex');
    return `  - { id: ${id}, roles: [${roles[id]}], apiKeySha256: ${sha} }`;
  });
  writeFileSync(join(dir, 'principals.yaml'), `principals:\n${lines.join('\n')}\n`);
  const workgate = await startWorkgateProcess(
    'hostile',
    'one',
    { WORKGATE_PRINCIPALS: join(dir, 'principals.yaml') },
    FLOOD_DIST,
  );
  try {
    const call = (who: keyof typeof keys, path: string, body: string, type = 'application/json') =>
      fetch(`${workgate.url}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${keys[who]}`, 'Content-Type': type },
        body,
        signal: AbortSignal.timeout(180_000),
      });
    const published = await call('admin', '/v1/workflows', JSON.stringify(NOTES));
    if (published.status !== 201) throw new Error(`publishing: ${published.status} ${await published.text()}`);
    // Recorded requests for the simulation to replay.
    for (let i = 0; i < 5; i++) {
      const opened = await call(
        'helpdesk',
        '/v1/work-orders',
        JSON.stringify({ jobType: 'hostile-notes', externalRef: `H-${i}`, source: 'bench', inputs: {} }),
      );
      const { id } = expectShape(await opened.json(), objectOf({ id: isString }), 'a work order');
      const acted = await call(
        'agent',
        `/v1/work-orders/${id}/actions`,
        JSON.stringify({ system: 'shop', operation: 'order.note', kind: 'write', facts: { vip: false } }),
      );
      if (acted.status !== 201) throw new Error(`requesting an action: ${acted.status} ${await acted.text()}`);
    }
    const unloaded = await probe(`${workgate.url}/health`, {}, new Promise((r) => setTimeout(r, 3000)));
    const phases = [
      await phase(workgate.url, {
        name: '(a) simulate a rule of 810,000 turns',
        send: () =>
          call('analyst', '/v1/workflows/hostile-notes/simulate', JSON.stringify({ definition: EXPENSIVE_DRAFT })),
      }),
      await phase(workgate.url, {
        name: '(b) publish 200,000 [ as YAML',
        send: () => call('admin', '/v1/workflows', '['.repeat(200_000), 'application/yaml'),
      }),
    ];
    const statuses = (s: Record<string, number>) =>
      Object.entries(s)
        .map(([status, n]) => `${status}×${n}`)
        .join(' ');
    process.stdout.write(
      `hostile: ${FLOOD_DIST}\n${machineLine()}\n\n` +
        table(
          [
            'while',
            'hostile answers',
            'answer p50 ms',
            'answer max ms',
            '/health p50',
            '/health p95',
            '/health max',
            'time-outs',
          ],
          [
            ['nothing (unloaded)', '', '', '', unloaded.p50, unloaded.p95, unloaded.max, unloaded.timeouts],
            ...phases.map((p) => [
              p.hostile,
              statuses(p.statuses),
              p.answerP50,
              p.answerMax,
              p.health.p50,
              p.health.p95,
              p.health.max,
              p.health.timeouts,
            ]),
          ],
        ) +
        '\n',
    );
    const summary: SummaryRow[] = phases.flatMap((p) => [
      { stage: 'hostile', measure: `/health p95 ms, ${p.hostile}`, value: p.health.p95, target: '≤ 50' },
      { stage: 'hostile', measure: `answer max ms, ${p.hostile}`, value: p.answerMax, target: '≤ 2000' },
    ]);
    saveResults('hostile', { unloaded, phases }, summary);
  } finally {
    await workgate.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
