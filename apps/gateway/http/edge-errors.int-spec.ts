import { connect } from 'node:net';
import { HttpException, Logger } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { lastValueFrom, of } from 'rxjs';
import { ErrorCodes, isErrorCode, WorkgateError } from '@workgate/contracts';
import { BODY_LIMIT_BYTES, GatewayErrorFilter, toHttpError } from './index';
import { EdgeUnderTest, json } from './http-edge.fixtures';

describe('HTTP edge: errors', () => {
  const edge = new EdgeUnderTest();
  const { keys, get } = edge;
  beforeAll(() => edge.start());
  afterAll(() => edge.stop());

  it('answers a WorkgateError with the status of its code and the error body', async () => {
    const res = await get('/t/conflict', keys.analyst);
    expect(res.status).toBe(409);
    expect(ErrorCodes.version_conflict).toBe(409);
    expect(await json(res)).toEqual({
      error: 'version_conflict',
      message: 'stream workorder-1 is at version 3, not 2',
      details: [{ expected: 2, actual: 3 }],
    });
  });

  it('answers every code of the catalog, sent back by a service over NATS, with its own status and the error body', async () => {
    const codes = Object.keys(ErrorCodes).filter(isErrorCode);
    expect(codes.length).toBeGreaterThan(50);
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      for (const code of codes) {
        const res = await get(`/t/refuse/${code}`, keys.analyst);
        const body = await json(res);
        if (code === 'internal') {
          // Never a message of the service's own: the body of every unexpected error.
          expect([res.status, body]).toEqual([500, { error: 'internal', message: 'internal error' }]);
          continue;
        }
        expect([code, res.status]).toEqual([code, ErrorCodes[code]]);
        expect(body).toEqual({ error: code, message: `refused with ${code}`, details: [{ code }] });
      }
    } finally {
      logged.mockRestore();
    }
    // Only `internal` answers 500: every other code is the client's or names an outage.
    expect(codes.filter((c) => ErrorCodes[c] >= 500 && ErrorCodes[c] !== 503 && ErrorCodes[c] !== 504)).toEqual([
      'internal',
    ]);
  });

  it('answers anything else with 500 internal, logs it and never repeats its message', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error');
    try {
      const res = await get('/t/crash?api_key=canary-in-the-query', keys.analyst);
      expect(res.status).toBe(500);
      const text = await res.text();
      expect(text).not.toContain('hunter2');
      expect(JSON.parse(text)).toEqual({ error: 'internal', message: 'internal error' });
      // The route's template, never the query string (it may carry a secret).
      expect(logged).toHaveBeenCalledWith('GET /t/crash failed: answered 500', expect.stringContaining('hunter2'));
      expect(JSON.stringify(logged.mock.calls)).not.toContain('canary-in-the-query');
    } finally {
      logged.mockRestore();
    }
  });

  it('answers headers over 16 KiB with 431 and a malformed request with 400, both in the error body', async () => {
    const res = await fetch(`${edge.url}/t/conflict`, {
      headers: { authorization: `Bearer ${keys.analyst}`, 'x-padding': 'p'.repeat(20_000) },
    });
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({
      error: 'headers_too_large',
      message: 'the request headers are larger than 16 KiB',
    });

    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(edge.url).port), '127.0.0.1', () =>
        socket.write('GET /t/conflict HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    const [head, body] = raw.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(body)).toEqual({ error: 'bad_request', message: 'the request is not valid HTTP/1.1' });
  });

  it('answers an unknown route with 404 route_not_found', async () => {
    const res = await get('/nope', keys.analyst);
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ error: 'route_not_found', message: 'Cannot GET /nope' });
    const anon = await fetch(`${edge.url}/t/nope`, { method: 'DELETE' });
    expect(anon.status).toBe(404);
    expect((await json(anon)).error).toBe('route_not_found');
    // A body no route takes is not parsed: not JSON, it is still the unknown route that answers.
    const posted = await fetch(`${edge.url}/t/nope`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"not json',
    });
    expect([posted.status, (await json(posted)).error]).toEqual([404, 'route_not_found']);
  });

  it('maps Nest, Fastify and other errors by their status', () => {
    // Nest's HttpExceptions by their status; Fastify's own errors (statusCode, as http-errors) below.
    expect(toHttpError(new HttpException('Request body is too large', 413))).toEqual({
      status: 413,
      body: {
        error: 'payload_too_large',
        message: `the request body is larger than ${BODY_LIMIT_BYTES} bytes (1 MiB)`,
      },
    });
    expect(toHttpError(new HttpException('Unsupported Media Type', 415))).toEqual({
      status: 415,
      body: { error: 'unsupported_media_type', message: 'Unsupported Media Type' },
    });
    const httpError = Object.assign(new Error('request aborted'), { status: 400, expose: true });
    expect(toHttpError(httpError)).toEqual({
      status: 400,
      body: { error: 'bad_request', message: 'request aborted' },
    });
    expect(
      toHttpError(
        Object.assign(new Error('Request body is too large'), {
          code: 'FST_ERR_CTP_BODY_TOO_LARGE',
          statusCode: 413,
        }),
      ),
    ).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    expect(toHttpError(Object.assign(new Error('secret detail'), { statusCode: 408, expose: false }))).toEqual({
      status: 408,
      body: { error: 'bad_request', message: 'request timeout' },
    });
    expect(toHttpError(new WorkgateError('internal', 'pg: password hunter2'))).toMatchObject({
      status: 500,
      body: { error: 'internal', message: 'internal error' },
    });
    expect(toHttpError(WorkgateError.fromWire(JSON.parse('{"code":"no_such_code","message":"x"}')))).toMatchObject({
      status: 500,
      body: { error: 'internal', message: 'internal error' },
    });
    expect(toHttpError(new WorkgateError('unavailable', 'no service answers on workgate.ledger.append')).status).toBe(
      503,
    );
  });

  it('hands an RPC error on unchanged', async () => {
    const error = new WorkgateError('not_found', 'x');
    const host = new ExecutionContextHost([]);
    host.setType('rpc');
    const result = new GatewayErrorFilter().catch(error, host);
    await expect(lastValueFrom(result ?? of(undefined))).rejects.toBe(error);
  });
});
