import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { BODY_LIMIT_BYTES } from './index';
import { EdgeUnderTest, json, validStep } from './http-edge.fixtures';

describe('HTTP edge: body encodings and sizes', () => {
  const edge = new EdgeUnderTest();
  const { keys, get, post } = edge;
  beforeAll(() => edge.start());
  afterAll(() => edge.stop());

  it('reads gzip bodies decoded and refuses an encoding it cannot decode with 415', async () => {
    const send = (encoding: string, body: Buffer) =>
      fetch(`${edge.url}/t/steps`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-encoding': encoding,
          authorization: `Bearer ${keys.operator}`,
        },
        body: new Uint8Array(body),
      });
    const gzipped = await send('gzip', gzipSync(JSON.stringify(validStep)));
    expect(gzipped.status).toBe(200);
    expect((await json(gzipped)).body).toEqual(validStep);
    const unknown = await send('compress', Buffer.from(JSON.stringify(validStep)));
    expect(unknown.status).toBe(415);
    expect(await json(unknown)).toEqual({
      error: 'unsupported_media_type',
      message: 'unsupported content encoding "compress": send gzip, deflate, br or none',
    });
    const corrupt = await send('gzip', Buffer.from('not gzip at all'));
    expect(corrupt.status).toBe(400);
    expect((await json(corrupt)).error).toBe('bad_request');
  });

  it('reads an empty JSON body as {} (and validates that), and cuts off a request not whole within a minute, its headers within 10 s', async () => {
    const empty = await post('/t/steps', '', keys.operator);
    expect(empty.status).toBe(422);
    expect((await json(empty)).error).toBe('validation_failed');
    const server = edge.app.getHttpServer();
    expect({ request: server.requestTimeout, headers: server.headersTimeout }).toEqual({
      request: 60_000,
      headers: 10_000,
    });
  });

  it('answers 413 for a small compressed body that decodes past 1 MiB', async () => {
    const bomb = gzipSync(JSON.stringify({ ...validStep, step: ' '.repeat(4 * 1024 * 1024) }));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const res = await fetch(`${edge.url}/t/steps`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        authorization: `Bearer ${keys.operator}`,
      },
      body: new Uint8Array(bomb),
    });
    expect(res.status).toBe(413);
    expect((await json(res)).error).toBe('payload_too_large');
  });

  it('stays up when a compressed body that no parser reads cannot be decoded', async () => {
    /** A raw request (fetch sends no body with GET), answered with its status line. */
    const raw = (head: string, body: Buffer) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(new URL(edge.url).port), '127.0.0.1', () =>
          socket.write(
            Buffer.concat([
              Buffer.from(
                `${head}\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
              ),
              body,
            ]),
          ),
        );
        let answer = '';
        socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
        socket.on('end', () => resolve(answer.split('\r\n')[0]));
        socket.on('error', reject);
      });
    const garbage = Buffer.from('not gzip at all');
    expect(await raw('GET /t/public HTTP/1.1', garbage)).toMatch(/^HTTP\/1\.1 200/);
    expect(await raw('GET /t/public HTTP/1.1', Buffer.alloc(0))).toMatch(/^HTTP\/1\.1 200/);
    expect(
      await raw(
        `POST /t/steps HTTP/1.1\r\nContent-Type: text/plain\r\nAuthorization: Bearer ${keys.operator}`,
        garbage,
      ),
    ).toMatch(/^HTTP\/1\.1 400/);
    // Without a key it is answered before its body is read: nothing is decoded at all.
    expect(await raw('POST /t/steps HTTP/1.1\r\nContent-Type: text/plain', garbage)).toMatch(/^HTTP\/1\.1 401/);
    // Still answering afterwards: the decoder's error was nobody's crash.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await get('/t/public')).status).toBe(200);
  });

  it('answers 413 payload_too_large above 1 MiB', async () => {
    const big = JSON.stringify({ ...validStep, step: 'x'.repeat(1.5 * 1024 * 1024) });
    const res = await post('/t/steps', big, keys.operator);
    expect(res.status).toBe(413);
    expect(await json(res)).toEqual({
      error: 'payload_too_large',
      message: `the request body is larger than ${BODY_LIMIT_BYTES} bytes (1 MiB)`,
    });

    const justUnder = JSON.stringify({ ...validStep, step: 'x'.repeat(BODY_LIMIT_BYTES - 200) });
    expect((await post('/t/steps', justUnder, keys.operator)).status).toBe(200);
  });
});
