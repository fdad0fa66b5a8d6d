import { FLOOD_DIST, Latencies, measureFlood } from './flood';
import { machineLine, table } from './stats';

/**
 * `npm run bench:flood`: hostile traffic (docs/operations.md, Hostile traffic): 50 connections looping anonymous 1 MiB
 * JSON `POST /v1/work-orders` for 20 s on loopback — against `npm start`, with `/health` and an
 * authenticated read probed before and during it. BENCH_DIST=<dist folder> floods another build
 * (e.g. an older one, to compare); FLOOD_CONNECTIONS, FLOOD_SECONDS, FLOOD_BYTES change the flood.
 */
async function main(): Promise<void> {
  const r = await measureFlood({
    connections: Number(process.env.FLOOD_CONNECTIONS ?? 50),
    seconds: Number(process.env.FLOOD_SECONDS ?? 20),
    bytes: Number(process.env.FLOOD_BYTES ?? 1024 * 1024),
  });
  const row = (what: string, l: Latencies) => [what, l.count, l.p50, l.p95, l.max, l.failed, l.timeouts];
  const statuses = Object.entries(r.attacker.statuses)
    .sort()
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
  process.stdout.write(
    `flood: ${FLOOD_DIST}\n${machineLine()}\n\n` +
      table(
        ['probe', 'answers', 'p50 ms', 'p95 ms', 'max ms', 'non-2xx', 'time-outs'],
        [
          row('/health, unloaded', r.unloaded.health),
          row('GET /v1/work-orders/:id, unloaded', r.unloaded.read),
          row('/health, flooded', r.loaded.health),
          row('GET /v1/work-orders/:id, flooded', r.loaded.read),
        ],
      ) +
      `\nread p95 flooded / unloaded: ${(r.loaded.read.p95 / r.unloaded.read.p95).toFixed(1)}x (goal: within 3x)` +
      `\nattacker: ${r.attacker.sent} requests sent on ${r.attacker.connections} connections; answers ${statuses || 'none'}; ${r.attacker.resets} connections reset` +
      `\nattacker's shortest wait for a 429: ${r.attacker.shortest429Ms ?? '-'} ms (goal: at least 1000, the delay of a 429 without a valid key)\n`,
  );
}

void main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
