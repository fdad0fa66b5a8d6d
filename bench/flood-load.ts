import { connect, Socket } from 'node:net';

/**
 * The attacker of `bench/flood.ts`, in a process of its own so that its work never delays the
 * measurements: FLOOD_CONNECTIONS connections (default 50) each looping `POST FLOOD_PATH` with
 * `Content-Type: application/json`, no API key and a FLOOD_BYTES body (default 1 MiB) against
 * FLOOD_URL for FLOOD_SECONDS (default 20). A connection the server closes is opened again at once.
 * Prints one JSON line when done: requests sent, answers per status, connections reset, and the
 * shortest wait for a 429 (from the request's first byte sent to its answer).
 */
const url = new URL(process.env.FLOOD_URL ?? 'http://127.0.0.1:3000');
const CONNECTIONS = Number(process.env.FLOOD_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.FLOOD_SECONDS ?? 20);
const BYTES = Number(process.env.FLOOD_BYTES ?? 1024 * 1024);
const PATH = process.env.FLOOD_PATH ?? '/v1/work-orders';

const body = Buffer.from(`{"blob":"${'x'.repeat(BYTES - 11)}"}`);
const head = Buffer.from(
  `POST ${PATH} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
);
const tally: {
  sent: number;
  statuses: Record<string, number>;
  resets: number;
  connections: number;
  shortest429Ms: number | null;
} = {
  sent: 0,
  statuses: {},
  resets: 0,
  connections: 0,
  shortest429Ms: null,
};
let stopped = false;
const sockets = new Set<Socket>();

function loop(): void {
  if (stopped) return;
  tally.connections++;
  const socket = connect(Number(url.port), url.hostname);
  sockets.add(socket);
  let received = '';
  let closing = false;
  let sentAt = 0;
  const send = () => {
    if (stopped || closing) return;
    tally.sent++;
    sentAt = performance.now();
    socket.write(head);
    socket.write(body);
  };
  socket.on('connect', send);
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    for (;;) {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = received.slice(0, end).toLowerCase();
      const length = Number(/\r\ncontent-length: *(\d+)/.exec(headers)?.[1] ?? 0);
      if (received.length < end + 4 + length) return;
      const status = received.slice(9, 12);
      tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
      if (status === '429' && sentAt > 0) {
        const waited = Math.round(performance.now() - sentAt);
        tally.shortest429Ms = Math.min(tally.shortest429Ms ?? waited, waited);
      }
      received = received.slice(end + 4 + length);
      if (/\r\nconnection: *close/.test(headers)) closing = true;
      else send();
    }
  });
  socket.on('error', () => tally.resets++);
  socket.on('close', () => {
    sockets.delete(socket);
    setImmediate(loop);
  });
}

for (let i = 0; i < CONNECTIONS; i++) loop();
setTimeout(() => {
  stopped = true;
  for (const socket of sockets) socket.destroy();
  process.stdout.write(`${JSON.stringify(tally)}\n`);
}, SECONDS * 1000);
