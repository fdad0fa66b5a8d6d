import { createServer, Server } from 'node:http';
import { sendWebhook, shownUrl } from './webhook-sender';

/** The sender against a real local HTTP server: what it sends, and what it refuses to do. */
describe('sendWebhook', () => {
  let server: Server;
  let base: string;
  const received: Array<{ url: string; headers: Record<string, unknown>; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body });
        if (req.url === '/redirect') res.writeHead(307, { location: '/ok' }).end();
        else if (req.url === '/slow') setTimeout(() => res.writeHead(200).end(), 2_000);
        else res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the receiver listens on no TCP port');
    base = `http://127.0.0.1:${address.port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => (received.length = 0));

  const options = { timeoutMs: 500, allowPrivate: true };

  it('POSTs the body as JSON with the given headers', async () => {
    expect(await sendWebhook(`${base}/ok?x=1`, { 'webhook-id': 'w1' }, '{"a":1}', options)).toEqual({ status: 204 });
    expect(received).toEqual([
      {
        url: '/ok?x=1',
        headers: expect.objectContaining({ 'webhook-id': 'w1', 'content-type': 'application/json' }),
        body: '{"a":1}',
      },
    ]);
  });

  it('does not follow a redirect: the attempt answers its 3xx', async () => {
    expect(await sendWebhook(`${base}/redirect`, {}, '{}', options)).toEqual({ status: 307 });
    expect(received.map((r) => r.url)).toEqual(['/redirect']);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    expect(await sendWebhook(`${base}/slow`, {}, '{}', options)).toEqual({ error: 'no answer within 500 ms' });
  });

  it('checks the address again at every attempt: without the override nothing is sent to loopback', async () => {
    expect(await sendWebhook(`${base}/ok`, {}, '{}', { ...options, allowPrivate: false })).toEqual({
      error: expect.stringMatching(/loopback address/),
    });
    expect(
      await sendWebhook(`http://localhost:${new URL(base).port}/ok`, {}, '{}', { ...options, allowPrivate: false }),
    ).toEqual({ error: expect.stringMatching(/loopback address/) });
    expect(received).toEqual([]);
  });

  it('shows a URL by its scheme, host and port only: no credentials, path or query', () => {
    expect(shownUrl(new URL('https://user:pw@example.com:8443/hooks/a?token=secret#x'))).toBe(
      'https://example.com:8443',
    );
  });
});
