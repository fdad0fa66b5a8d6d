import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { BODY_LIMIT_BYTES } from '../../apps/gateway/http';
import { fillPath, routeKey } from './http-routes';
import { errorCodeOf } from '../support/answers';
import { SEED } from './fuzz-json';
import { check, ids, nothing, principals, routes, send, t, typeOf, useFuzzWorkgate } from './fuzz-workgate';

/**
 * The limits of every HTTP route of a running workgate: a body over its route's limit gets 413 (plain,
 * compressed or chunked), headers over 16 KiB get 431, and free-form maps or bodies past their
 * bounds get 422 naming where.
 */
describe('HTTP limits', () => {
  useFuzzWorkgate();

  describe('body size', () => {
    /** A JSON body of exactly `bytes` bytes. */
    const sized = (bytes: number) => `{"blob":"${'x'.repeat(bytes - 11)}"}`;

    /** The routes whose body carries a workflow definition or a pattern take at most 256 KiB (docs/api.md, Conventions (bodies)); the others 1 MiB. */
    const DEFINITION_ROUTES = [
      'POST /v1/workflows',
      'POST /v1/patterns',
      'POST /v1/workflows/{jobType}/simulate',
      'POST /v1/workflows/{jobType}/drafts',
      'PUT /v1/workflows/{jobType}/drafts/{draftId}',
    ];
    const limitOf = (route: string) =>
      DEFINITION_ROUTES.includes(route) ? '262144 bytes (256 KiB)' : `${BODY_LIMIT_BYTES} bytes (1 MiB)`;

    it("answers 413 payload_too_large to a body one byte over 1 MiB on every route that takes one, naming the route's limit, before the key is even checked", async () => {
      expect(sized(100)).toHaveLength(100);
      expect(routes.filter((r) => DEFINITION_ROUTES.includes(routeKey(r)))).toHaveLength(DEFINITION_ROUTES.length);
      for (const route of routes.filter((r) => r.method === 'POST')) {
        const path = fillPath(route.path, nothing(route));
        for (const key of [principals.keys['support-lead'], 'no-such-key']) {
          const res = await send(
            'POST',
            path,
            { text: sized(BODY_LIMIT_BYTES + 1), type: typeOf(routeKey(route)) },
            { Authorization: `Bearer ${key}` },
          );
          expect({ route: routeKey(route), status: res.status, body: res.body }).toEqual({
            route: routeKey(route),
            status: 413,
            body: {
              error: 'payload_too_large',
              message: `the request body is larger than ${limitOf(routeKey(route))}`,
            },
          });
        }
      }
    });

    it('takes a body of exactly 1 MiB to validation, and refuses any larger size, compressed or chunked ones included', async () => {
      const open = '/v1/work-orders';
      const exact = await send('POST', open, { text: sized(BODY_LIMIT_BYTES), type: 'application/json' });
      expect(exact).toMatchObject({ status: 422, body: { error: 'validation_failed' } });
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: BODY_LIMIT_BYTES + 1, max: 3 * BODY_LIMIT_BYTES }), async (bytes) => {
          const res = await send('POST', open, { text: sized(bytes), type: 'application/json' });
          expect({ bytes, status: res.status, error: errorCodeOf(res.body) }).toEqual({
            bytes,
            status: 413,
            error: 'payload_too_large',
          });
        }),
        { seed: SEED, numRuns: 4 },
      );
      // A small gzip body that inflates past the limit: the limit is on what is parsed.
      const bomb = gzipSync(sized(2 * BODY_LIMIT_BYTES));
      expect(bomb.length).toBeLessThan(BODY_LIMIT_BYTES / 100);
      const inflated = await fetch(`${t.url}${open}`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${principals.keys['support-lead']}`,
          'Content-Type': 'application/json',
          'Content-Encoding': 'gzip',
        },
        body: bomb,
      });
      expect({ status: inflated.status, body: await inflated.json() }).toMatchObject({
        status: 413,
        body: { error: 'payload_too_large' },
      });
      // No Content-Length: the parser counts what arrives.
      const chunk = Buffer.from('x'.repeat(64 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(Buffer.from('{"blob":"'));
          if (sent > 2 * BODY_LIMIT_BYTES) return controller.close();
          controller.enqueue(chunk);
          sent += chunk.length;
        },
      });
      // A streamed body needs `duplex: 'half'` (the fetch standard), which RequestInit does not name yet.
      const init: RequestInit & { duplex: 'half' } = {
        method: 'POST',
        headers: { Authorization: `Bearer ${principals.keys['support-lead']}`, 'Content-Type': 'application/json' },
        body: stream,
        duplex: 'half',
      };
      const chunked = await fetch(`${t.url}${open}`, init);
      expect({ status: chunked.status, body: await chunked.json() }).toMatchObject({
        status: 413,
        body: { error: 'payload_too_large' },
      });
    });
  });

  it('answers headers over 16 KiB with 431 in the error body on every route, with or without a key', async () => {
    for (const route of routes) {
      const path = fillPath(route.path, nothing(route));
      for (const key of [principals.keys['support-lead'], 'no-such-key']) {
        const res = await send(
          route.method,
          path,
          route.method === 'POST' ? { text: '{}', type: 'application/json' } : {},
          { Authorization: `Bearer ${key}`, 'X-Padding': 'p'.repeat(17 * 1024) },
        );
        expect({ route: routeKey(route), status: res.status, body: res.body }).toEqual({
          route: routeKey(route),
          status: 431,
          body: { error: 'headers_too_large', message: 'the request headers are larger than 16 KiB' },
        });
      }
    }
  });

  it('refuses free-form facts and inputs with more than 1,000 keys, or a body of more than 20,000 values, with 422 naming where', async () => {
    const [workOrder] = ids['work-orders'];
    const wide = (keys: number) => Object.fromEntries(Array.from({ length: keys }, (_, i) => [`k${i}`, i]));
    const facts = await send('POST', `/v1/work-orders/${workOrder}/actions`, {
      text: JSON.stringify({ system: 'shop', operation: 'order.read', kind: 'read', facts: wide(1001) }),
      type: 'application/json',
    });
    check('facts with 1,001 keys', facts);
    expect(facts).toMatchObject({
      status: 422,
      body: { error: 'validation_failed', details: [{ path: 'facts', message: 'has 1001 keys, more than 1000' }] },
    });
    const inputs = await send('POST', '/v1/work-orders', {
      text: JSON.stringify({
        jobType: 'support-recovery',
        externalRef: 'WIDE',
        source: 'fuzz',
        inputs: { caseId: 'c', orderId: 'o', orderPaid: true, list: Array.from({ length: 20_001 }, (_, i) => i) },
      }),
      type: 'application/json',
    });
    check('a body of 20,001 values', inputs);
    expect(inputs).toMatchObject({
      status: 422,
      body: {
        error: 'validation_failed',
        details: [expect.objectContaining({ message: 'holds more than 20000 values in all' })],
      },
    });
    const justUnder = await send('POST', `/v1/work-orders/${workOrder}/actions`, {
      text: JSON.stringify({ system: 'shop', operation: 'order.read', kind: 'read', facts: wide(1000) }),
      type: 'application/json',
    });
    expect(justUnder.status).toBe(201);
  });
});
