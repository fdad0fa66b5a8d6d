import { connect, Socket } from 'node:net';
import { writePrincipals } from './support/principals';
import { eventually } from './support/processes';
import { startTestWorkgate, TestWorkgate } from './support/workgate';

/** How long a test waits for the server to close a connection before it says it did not: far beyond the configured limits. */
const GENEROUS_MS = 20_000;

/** Every connection a test opened, destroyed after it (an open one would hold the gateway's close). */
const opened: Socket[] = [];
afterEach(() => opened.splice(0).forEach((socket) => socket.destroy()));

/** A connection to the gateway of `url`, opened; `closed` settles once the server has closed it (or reset it). */
async function open(url: string): Promise<{ socket: Socket; closed: Promise<void>; isClosed: () => boolean }> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  opened.push(socket);
  let done = false;
  const closed = new Promise<void>((resolve) => {
    socket.once('close', () => {
      done = true;
      resolve();
    });
  });
  // A reset is a close too; a test never writes after it.
  socket.on('error', () => undefined);
  socket.resume();
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, closed, isClosed: () => done };
}

/** Whether `closed` settles within GENEROUS_MS. */
async function closesWithin(closed: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), GENEROUS_MS)));
  const result = await Promise.race([closed.then(() => true), late]);
  clearTimeout(timer);
  return result;
}

/** One GET on an open connection: the status line of its answer. */
function statusLine(socket: Socket, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n');
      if (end >= 0) resolve(text.slice(0, end));
    });
    socket.once('close', () => reject(new Error(`closed without an answer to GET ${path}`)));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  });
}

/**
 * docs/operations.md, Slow and many clients: slow clients are cut off — the headers within WORKGATE_HTTP_HEADERS_SECONDS, a
 * body at no less than WORKGATE_HTTP_BODY_MIN_BYTES_PER_SECOND (docs/operations.md, Hostile
 * traffic). Short limits here; each test only asks that the connection is closed, well within a
 * generous bound.
 */
describe('slow clients are cut off', () => {
  const principals = writePrincipals({ helpdesk: ['integrator'] });
  let t: TestWorkgate;
  beforeAll(async () => {
    t = await startTestWorkgate({
      env: {
        WORKGATE_PRINCIPALS: principals.path,
        WORKGATE_HTTP_HEADERS_SECONDS: '1',
        WORKGATE_HTTP_BODY_MIN_BYTES_PER_SECOND: '1000',
      },
    });
  });
  afterAll(() => t?.close());

  it('closes a connection that sends nothing', async () => {
    const { closed } = await open(t.url);
    expect(await closesWithin(closed)).toBe(true);
  });

  it('closes a connection whose request line never ends', async () => {
    const { socket, closed } = await open(t.url);
    socket.write('POST /v1/work-orders HTT');
    expect(await closesWithin(closed)).toBe(true);
  });

  it('closes a connection whose headers never end', async () => {
    const { socket, closed } = await open(t.url);
    socket.write('POST /v1/work-orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n');
    // A header a second, as a slowloris sends them: the headers as a whole are late.
    const drip = setInterval(() => socket.write(`X-Drip: ${Date.now()}\r\n`), 300);
    const cut = await closesWithin(closed);
    clearInterval(drip);
    expect(cut).toBe(true);
  });

  it("closes a connection whose body trickles in below the minimum rate, the caller's key valid", async () => {
    const { socket, closed, isClosed } = await open(t.url);
    socket.write(
      [
        'POST /v1/work-orders HTTP/1.1',
        'Host: 127.0.0.1',
        'Content-Type: application/json',
        `Authorization: Bearer ${principals.keys.helpdesk}`,
        'Content-Length: 100000',
        '',
        '{"jobType":"',
      ].join('\r\n'),
    );
    // Five bytes a second against a minimum of 1,000.
    const drip = setInterval(() => {
      if (!isClosed()) socket.write('x');
    }, 200);
    const cut = await closesWithin(closed);
    clearInterval(drip);
    expect(cut).toBe(true);
  });

  it('answers a request whose headers and body come at once', async () => {
    const res = await fetch(`${t.url}/v1/work-orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${principals.keys.helpdesk}` },
      body: JSON.stringify({
        jobType: 'support-recovery',
        externalRef: 'SLOW-1',
        source: 'slow-clients',
        inputs: { caseId: 'C-1', orderId: '1', orderPaid: true },
      }),
    });
    expect(res.status).toBe(201);
  });
});

describe('connections per address', () => {
  const CAP = 8;
  const EXTRA = 4;
  let t: TestWorkgate;
  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_HTTP_CONNECTIONS_PER_ADDRESS: String(CAP) } });
  });
  afterAll(() => t?.close());

  it(`closes every connection from one address beyond ${CAP} at once, serves the ones it kept, and serves again once they close`, async () => {
    const connections = [];
    for (let i = 0; i < CAP + EXTRA; i++) connections.push(await open(t.url));
    const extra = connections.slice(CAP);
    expect(await Promise.all(extra.map((c) => closesWithin(c.closed)))).toEqual(extra.map(() => true));
    const kept = connections.slice(0, CAP);
    expect(kept.filter((c) => c.isClosed())).toHaveLength(0);
    // The connections kept are served (anonymous /health: up or degraded, never refused).
    const answers = await Promise.all(kept.map((c) => statusLine(c.socket, '/health')));
    expect(answers.filter((line) => !/^HTTP\/1\.1 (200|503) /.test(line))).toEqual([]);
    for (const c of kept) c.socket.destroy();
    await Promise.all(kept.map((c) => c.closed));
    // The server counts a connection out once it sees it close, which may come just after the client's close.
    const health = await eventually(
      () => fetch(`${t.url}/health`).then((res) => res.status),
      10_000,
      '/health once the connections closed',
    );
    expect([200, 503]).toContain(health);
  });
});
