import { Controller, Delete, Get, NotFoundException, Param, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  configureHttpEdge,
  httpAdapter,
  PrincipalDirectory,
  PRINCIPALS,
  Public,
  rateLimitModule,
  RouteMethods,
} from './index';

@Public()
@Controller('v1/things')
class ThingsController {
  @Get()
  list() {
    return [];
  }

  @Post()
  create() {
    return { id: 't-1' };
  }

  @Get(':id')
  one(@Param('id') id: string) {
    if (id === 'gone') throw new NotFoundException('no thing gone');
    return { id };
  }

  @Delete(':id/tags/:tag')
  untag() {
    return {};
  }
}

describe('methods a path does not take', () => {
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    // The edge's gate needs the principals and the rate limit; the routes here are public.
    const moduleRef = await Test.createTestingModule({
      imports: [rateLimitModule()],
      controllers: [ThingsController],
      providers: [{ provide: PRINCIPALS, useValue: new PrincipalDirectory() }],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(httpAdapter(), { bodyParser: false, logger: false });
    configureHttpEdge(app);
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(() => app?.close());

  const call = (method: string, path: string) => fetch(`${url}${path}`, { method });

  it('answers 405 method_not_allowed with Allow for a known path and another method', async () => {
    for (const [method, path, allow] of [
      ['PUT', '/v1/things/t-1', 'GET, HEAD, OPTIONS'],
      ['PATCH', '/v1/things/t-1', 'GET, HEAD, OPTIONS'],
      ['DELETE', '/v1/things/t-1', 'GET, HEAD, OPTIONS'],
      ['DELETE', '/v1/things', 'GET, HEAD, POST, OPTIONS'],
      ['PUT', '/V1/Things/', 'GET, HEAD, POST, OPTIONS'],
      ['PATCH', '/v1/things?cursor=secret-token', 'GET, HEAD, POST, OPTIONS'],
      ['GET', '/v1/things/t-1/tags/red', 'DELETE, OPTIONS'],
    ]) {
      const res = await call(method, path);
      const body = await res.json();
      expect([method, path, res.status, res.headers.get('allow'), res.headers.get('content-type')]).toEqual([
        method,
        path,
        405,
        allow,
        'application/json; charset=utf-8',
      ]);
      expect(body).toEqual({
        error: 'method_not_allowed',
        message: `${method} is not allowed on this path: it takes ${allow}`,
      });
    }
  });

  it("keeps 404 route_not_found for a path no route has, and a route's own 404", async () => {
    for (const path of ['/v1/nothing', '/v1/things/t-1/more', '/v1']) {
      const res = await call('PUT', path);
      expect([path, res.status, res.headers.get('allow')]).toEqual([path, 404, null]);
      expect((await res.json()).error).toBe('route_not_found');
    }
    const gone = await call('GET', '/v1/things/gone');
    expect([gone.status, gone.headers.get('allow'), (await gone.json()).error]).toEqual([404, null, 'route_not_found']);
  });

  it('answers HEAD where GET is, and OPTIONS on a known path with 204 and Allow', async () => {
    const head = await call('HEAD', '/v1/things/t-1');
    expect(head.status).toBe(200);
    const options = await call('OPTIONS', '/v1/things');
    expect([options.status, options.headers.get('allow'), await options.text()]).toEqual([
      204,
      'GET, HEAD, POST, OPTIONS',
      '',
    ]);
    expect((await call('OPTIONS', '/v1/nothing')).status).toBe(404);
  });

  it('lists the methods of every template a path matches', () => {
    const known = new RouteMethods();
    known.add('/v1/work-orders/:id', 'GET');
    known.add('/v1/work-orders/:id/', ['POST']);
    known.add('/docs/*', 'GET');
    expect(known.allowed('/v1/work-orders/wo-1')).toEqual(['GET', 'HEAD', 'POST', 'OPTIONS']);
    expect(known.allowed('/docs/a/b.css')).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(known.allowed('/v1/work-orders')).toBeUndefined();
    expect(known.allowed('/v1/work-orders/wo-1/steps')).toBeUndefined();
  });
});
