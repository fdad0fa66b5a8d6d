import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Body, Controller, Get, HttpCode, HttpException, Logger, Param, Post } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { lastValueFrom, of } from 'rxjs';
import { ErrorCode, ErrorCodes, WorkgateError } from '@workgate/contracts';
import { replyError, unwrapReply } from '@workgate/messaging';
import {
  AuthGuard,
  BODY_LIMIT_BYTES,
  bodyProblems,
  configureHttpEdge,
  CurrentPrincipal,
  GatewayErrorFilter,
  httpAdapter,
  loadPrincipals,
  Principal,
  PRINCIPALS,
  PrincipalDirectory,
  Public,
  rateLimitModule,
  Roles,
  SkipRateLimit,
  sha256Hex,
  toHttpError,
  validationPipe,
} from './index';

class InputsDto {
  @IsBoolean()
  orderPaid: boolean;
}

class EvidenceDto {
  @IsString()
  kind: string;

  @IsOptional()
  @IsString()
  ref?: string;
}

class StepDto {
  @IsString()
  step: string;

  @IsObject()
  @ValidateNested()
  @Type(() => InputsDto)
  inputs: InputsDto;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => EvidenceDto)
  evidence: EvidenceDto[];
}

/** A DTO that gives a field a value of its own: only its instance holds it. */
class DefaultedDto {
  @IsString()
  step: string;

  @IsOptional()
  @IsString()
  queue?: string = 'default';
}

@Controller('t')
class ThrowawayController {
  @Public()
  @Get('public')
  open(@CurrentPrincipal() principal?: Principal) {
    return { ok: true, principal: principal?.id ?? null };
  }

  @Get('any')
  any(@CurrentPrincipal() principal: Principal) {
    return { principal: principal.id };
  }

  @Public()
  @SkipRateLimit()
  @Get('probe')
  probe() {
    return { ok: true };
  }

  @Roles('operator')
  @Post('steps')
  @HttpCode(200)
  step(@Body() body: StepDto, @CurrentPrincipal() principal: Principal) {
    return {
      principal: principal.id,
      isDto: body instanceof StepDto,
      nested: body.inputs instanceof InputsDto && body.evidence.every((e) => e instanceof EvidenceDto),
      body,
    };
  }

  @Roles('operator')
  @Post('defaulted')
  @HttpCode(200)
  defaulted(@Body() body: DefaultedDto) {
    return { isDto: body instanceof DefaultedDto, body };
  }

  @Get('conflict')
  conflict() {
    throw new WorkgateError('version_conflict', 'stream workorder-1 is at version 3, not 2', [
      { expected: 2, actual: 3 },
    ]);
  }

  /** A refusal with `code` as it reaches the gateway from a service: through the NATS reply envelope. */
  @Get('refuse/:code')
  refuseWith(@Param('code') code: string) {
    throw unwrapReply(replyError(new WorkgateError(code as ErrorCode, `refused with ${code}`, [{ code }])));
  }

  @Get('crash')
  crash() {
    throw new Error('secret postgres://u:hunter2@x');
  }
}

interface Keys {
  operator: string;
  analyst: string;
  burst: string;
  other: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (res: Response): Promise<any> => res.json();

function newKey(): string {
  return randomBytes(24).toString('base64url');
}

async function startApp(
  directory: PrincipalDirectory,
  limitPerMinute: number,
): Promise<{ app: NestFastifyApplication; url: string }> {
  const moduleRef = await Test.createTestingModule({
    imports: [rateLimitModule(limitPerMinute)],
    controllers: [ThrowawayController],
    providers: [
      { provide: PRINCIPALS, useValue: directory },
      { provide: APP_GUARD, useClass: AuthGuard },
    ],
  }).compile();
  // bodyParser: false, so that the edge's parser is the only one.
  const app = moduleRef.createNestApplication<NestFastifyApplication>(httpAdapter(), {
    bodyParser: false,
    logger: false,
  });
  configureHttpEdge(app);
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

describe('HTTP edge', () => {
  let dir: string;
  let keys: Keys;
  let directory: PrincipalDirectory;
  let app: NestFastifyApplication;
  let url: string;
  let limited: { app: NestFastifyApplication; url: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'workgate-http-'));
    keys = { operator: newKey(), analyst: newKey(), burst: newKey(), other: newKey() };
    const yaml = [
      'principals:',
      `  - id: ops-1`,
      `    roles: [operator, approver]`,
      `    apiKeySha256: ${sha256Hex(keys.operator)}`,
      `  - id: analyst-1`,
      `    roles: [analyst]`,
      `    apiKeySha256: ${sha256Hex(keys.analyst)}`,
      `  - id: burst-1`,
      `    roles: [integrator]`,
      `    apiKeySha256: ${sha256Hex(keys.burst)}`,
      `  - id: other-1`,
      `    roles: [integrator]`,
      `    apiKeySha256: ${sha256Hex(keys.other)}`,
      '',
    ].join('\n');
    writeFileSync(join(dir, 'principals.yaml'), yaml);
    directory = loadPrincipals(join(dir, 'principals.yaml'));
    ({ app, url } = await startApp(directory, 10_000));
    limited = await startApp(directory, 5);
  });

  afterAll(async () => {
    await app?.close();
    await limited?.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, key?: string, base = url) =>
    fetch(`${base}${path}`, { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });

  const post = (path: string, body: string, key?: string, contentType = 'application/json') =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
      body,
    });

  const validStep = { step: 'pay', inputs: { orderPaid: true }, evidence: [{ kind: 'receipt', ref: 'r-1' }] };

  describe('principals file', () => {
    it('loads principals and finds them only by the exact key', () => {
      expect(directory.size).toBe(4);
      expect(directory.byApiKey(keys.operator)).toEqual({ id: 'ops-1', roles: ['operator', 'approver'] });
      expect(directory.byApiKey(keys.analyst)?.id).toBe('analyst-1');
      expect(directory.byApiKey(`${keys.operator}x`)).toBeUndefined();
      expect(directory.byApiKey(sha256Hex(keys.operator))).toBeUndefined();
      expect(directory.byApiKey('')).toBeUndefined();
    });

    it('treats a missing file as no principals', () => {
      const none = loadPrincipals(join(dir, 'does-not-exist.yaml'));
      expect(none.size).toBe(0);
      expect(none.byApiKey(keys.operator)).toBeUndefined();
    });

    it('lists every problem of an invalid file at once, naming the file', () => {
      const path = join(dir, 'bad.yaml');
      const hash = sha256Hex(newKey());
      writeFileSync(
        path,
        [
          'principals:',
          '  - id: a',
          '    roles: [operator, superuser]',
          `    apiKeySha256: ${hash}`,
          '  - id: b',
          '    roles: [analyst]',
          `    apiKeySha256: ${hash.toUpperCase()}`,
          '  - id: a',
          '    roles: [admin]',
          `    apiKeySha256: ${sha256Hex(newKey())}`,
          '    password: hunter2',
          '  - id: c',
          '    roles: [admin]',
          `    apiKeySha256: ${hash}`,
          'extra: 1',
          '',
        ].join('\n'),
      );
      let error: Error | undefined;
      try {
        loadPrincipals(path);
      } catch (e) {
        error = e as Error;
      }
      expect(error).toBeDefined();
      const lines = error!.message.split('\n');
      expect(lines[0]).toBe(`invalid principals file ${path}:`);
      expect(lines.slice(1)).toEqual([
        '  - unknown key "extra" (expected only "principals")',
        '  - principals[0].roles[1]: unknown role "superuser" (roles: integrator, operator, approver, analyst, ops-lead, admin)',
        '  - principals[1].apiKeySha256: must be the sha256 of the API key as 64 lowercase hex digits',
        '  - principals[2]: unknown key "password" (expected id, roles, apiKeySha256)',
        '  - principals[2].id: duplicate id "a" (also principals[0])',
        '  - principals[3].apiKeySha256: the same key hash as principals[0] (every principal needs its own key)',
      ]);
    });

    it('refuses a file that is not YAML or not a mapping', () => {
      const path = join(dir, 'broken.yaml');
      writeFileSync(path, 'principals: [\n');
      expect(() => loadPrincipals(path)).toThrow(`invalid principals file ${path}:\n  - YAML:`);
      writeFileSync(path, '');
      expect(() => loadPrincipals(path)).toThrow(
        `invalid principals file ${path}:\n  - the file must be a mapping with a "principals" list`,
      );
      writeFileSync(path, 'principals: {}\n');
      expect(() => loadPrincipals(path)).toThrow('"principals" must be a list');
    });
  });

  describe('authentication and roles', () => {
    it('lets anyone call a @Public() route, and still names a principal that sent a key', async () => {
      const res = await get('/t/public');
      expect(res.status).toBe(200);
      expect(await json(res)).toEqual({ ok: true, principal: null });
      expect(await json(await get('/t/public', keys.analyst))).toEqual({ ok: true, principal: 'analyst-1' });
    });

    it('answers 401 unauthorized without a key and with an unknown key', async () => {
      const none = await get('/t/any');
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="workgate"');
      expect(await json(none)).toEqual({
        error: 'unauthorized',
        message: 'an API key is required: send Authorization: Bearer <api key>',
      });

      const wrong = await get('/t/any', newKey());
      expect(wrong.status).toBe(401);
      expect(await json(wrong)).toEqual({ error: 'unauthorized', message: 'the API key is not known' });

      const basic = await fetch(`${url}/t/any`, { headers: { authorization: `Basic ${keys.operator}` } });
      expect(basic.status).toBe(401);
      expect((await json(basic)).error).toBe('unauthorized');
    });

    it('lets any principal call a route without @Roles', async () => {
      const res = await get('/t/any', keys.analyst);
      expect(res.status).toBe(200);
      expect(await json(res)).toEqual({ principal: 'analyst-1' });
    });

    it('answers 403 forbidden when the principal lacks the role, 200 with it', async () => {
      const forbidden = await post('/t/steps', JSON.stringify(validStep), keys.analyst);
      expect(forbidden.status).toBe(403);
      expect(await json(forbidden)).toEqual({
        error: 'forbidden',
        message: 'this route needs one of the roles: operator',
      });

      const noKey = await post('/t/steps', JSON.stringify(validStep));
      expect(noKey.status).toBe(401);

      const ok = await post('/t/steps', JSON.stringify(validStep), keys.operator);
      expect(ok.status).toBe(200);
      // A valid body whose plain JSON stands in for its DTO is used as it is; one whose DTO gives a field a value is made an instance.
      expect(await json(ok)).toEqual({ principal: 'ops-1', isDto: false, nested: false, body: validStep });
      const defaulted = await post('/t/defaulted', JSON.stringify({ step: 'pay' }), keys.operator);
      expect(await json(defaulted)).toEqual({ isDto: true, body: { step: 'pay', queue: 'default' } });
    });
  });

  describe('bodies', () => {
    it('parses application/cloudevents+json and other +json types', async () => {
      for (const type of [
        'application/cloudevents+json',
        'application/vnd.workgate+json',
        'application/json; charset=utf-8',
      ]) {
        const res = await post('/t/steps', JSON.stringify(validStep), keys.operator, type);
        expect(res.status).toBe(200);
      }
    });

    it('answers 400 malformed_json for a body that is not JSON', async () => {
      const res = await post('/t/steps', '{"step": "pay",', keys.operator);
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.error).toBe('malformed_json');
      expect(body.message).toMatch(/^the request body is not valid JSON: /);
      expect(Object.keys(body).sort()).toEqual(['error', 'message']);

      const scalar = await post('/t/steps', '"just a string"', keys.operator);
      expect(scalar.status).toBe(400);
      expect((await json(scalar)).error).toBe('malformed_json');
    });

    it('answers 415 unsupported_media_type for a JSON body in an unsupported charset', async () => {
      const res = await post('/t/steps', JSON.stringify(validStep), keys.operator, 'application/json; charset=latin1');
      expect(res.status).toBe(415);
      expect(await json(res)).toEqual({ error: 'unsupported_media_type', message: 'unsupported charset "LATIN1"' });
    });

    it('answers 422 validation_failed with the path of every problem', async () => {
      const res = await post(
        '/t/steps',
        JSON.stringify({
          step: 5,
          inputs: { orderPaid: 'yes', extra: 1 },
          evidence: [{ kind: 'receipt' }, { kind: 3, x: true }],
          bogus: true,
        }),
        keys.operator,
      );
      expect(res.status).toBe(422);
      const body = await json(res);
      expect(body.error).toBe('validation_failed');
      expect(body.message).toBe('bogus: unknown key "bogus" (and 5 more)');
      expect(body.details).toHaveLength(6);
      expect(body.details).toEqual(
        expect.arrayContaining([
          { path: 'step', message: 'step must be a string' },
          { path: 'bogus', message: 'unknown key "bogus"' },
          { path: 'inputs.orderPaid', message: 'orderPaid must be a boolean value' },
          { path: 'inputs.extra', message: 'unknown key "extra"' },
          { path: 'evidence[1].kind', message: 'kind must be a string' },
          { path: 'evidence[1].x', message: 'unknown key "x"' },
        ]),
      );
    });

    it('answers 422 for a missing body and for a non-object where a nested object belongs', async () => {
      const empty = await fetch(`${url}/t/steps`, {
        method: 'POST',
        headers: { authorization: `Bearer ${keys.operator}` },
      });
      expect(empty.status).toBe(422);
      expect((await json(empty)).details).toEqual(
        expect.arrayContaining([{ path: 'step', message: 'step must be a string' }]),
      );

      const wrong = await post('/t/steps', JSON.stringify({ ...validStep, inputs: 'x', evidence: {} }), keys.operator);
      expect(wrong.status).toBe(422);
      const body = await json(wrong);
      expect(body.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['inputs', 'evidence']));
    });

    it('refuses invalid UTF-8 (never read as U+FFFD), U+0000, unpaired surrogates, numbers it would round, and too many keys, naming where', async () => {
      const invalid = await fetch(`${url}/t/steps`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.operator}` },
        body: Buffer.concat([
          Buffer.from('{"step":"p'),
          Buffer.from([0xff, 0xfe]),
          Buffer.from('ay","inputs":{},"evidence":[]}'),
        ]),
      });
      expect(invalid.status).toBe(400);
      expect(await json(invalid)).toMatchObject({ error: 'malformed_json', message: 'the body is not valid UTF-8' });
      const cases: Array<[string, string, string]> = [
        ['{"step":"p\\u0000ay","inputs":{},"evidence":[]}', 'step', 'U+0000'],
        ['{"step":"pay","inputs":{"n":"\\ud800"},"evidence":[]}', 'inputs.n', 'unpaired surrogate'],
        ['{"step":"pay","inputs":{"n":12345678901234567890},"evidence":[]}', 'inputs.n', 'cannot be kept exactly'],
        ['{"step":"pay","inputs":{"n":1e999999},"evidence":[]}', 'inputs.n', 'cannot be kept exactly'],
        [
          JSON.stringify({
            step: 'pay',
            inputs: Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, i])),
            evidence: [],
          }),
          'inputs',
          'more than 1000',
        ],
      ];
      for (const [body, path, message] of cases) {
        const res = await post('/t/steps', body, keys.operator);
        const answer = await json(res);
        expect({ path, status: res.status, error: answer.error }).toEqual({
          path,
          status: 422,
          error: 'validation_failed',
        });
        expect(answer.details).toEqual([{ path, message: expect.stringContaining(message) }]);
      }
    });

    it('refuses __proto__, constructor and prototype keys at any depth, and Object.prototype stays clean', async () => {
      const proto = await post('/t/steps', '{"__proto__": {"polluted": 1}}', keys.operator);
      expect(proto.status).toBe(422);
      expect(await json(proto)).toEqual({
        error: 'validation_failed',
        message: '__proto__: key "__proto__" is not allowed',
        details: [{ path: '__proto__', message: 'key "__proto__" is not allowed' }],
      });

      const ctor = await post('/t/steps', '{"a": {"constructor": {"prototype": {"polluted": 1}}}}', keys.operator);
      expect(ctor.status).toBe(422);
      expect((await json(ctor)).details).toEqual([
        { path: 'a.constructor', message: 'key "constructor" is not allowed' },
      ]);

      const deep = await post(
        '/t/steps',
        JSON.stringify({ ...validStep, evidence: [{ kind: 'k', meta: { prototype: 1 } }] }),
        keys.operator,
      );
      expect(deep.status).toBe(422);
      expect((await json(deep)).details).toEqual([
        { path: 'evidence[0].meta.prototype', message: 'key "prototype" is not allowed' },
      ]);

      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    });

    it('refuses a body nested too deep with 422, not a crash', async () => {
      // 500,000 levels: just under 1 MiB.
      const res = await post('/t/steps', '['.repeat(500_000) + ']'.repeat(500_000), keys.operator);
      expect(res.status).toBe(422);
      const body = await json(res);
      expect(body.error).toBe('validation_failed');
      expect(body.message).toBe('body: is nested deeper than 64 levels');
      expect(body.details).toEqual([{ path: '[0]'.repeat(64), message: 'is nested deeper than 64 levels' }]);
      expect(bodyProblems(JSON.parse('['.repeat(100) + ']'.repeat(100)))).toEqual([
        { path: '[0]'.repeat(64), message: 'is nested deeper than 64 levels' },
      ]);
    });

    it('reads gzip bodies decoded and refuses an encoding it cannot decode with 415', async () => {
      const send = (encoding: string, body: Buffer) =>
        fetch(`${url}/t/steps`, {
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

    it('reads an empty JSON body as {} (and validates that), and cuts off a request not whole within 5 minutes', async () => {
      const empty = await post('/t/steps', '', keys.operator);
      expect(empty.status).toBe(422);
      expect((await json(empty)).error).toBe('validation_failed');
      expect(app.getHttpServer().requestTimeout).toBe(300_000);
    });

    it('answers 413 for a small compressed body that decodes past 1 MiB', async () => {
      const bomb = gzipSync(JSON.stringify({ ...validStep, step: ' '.repeat(4 * 1024 * 1024) }));
      expect(bomb.length).toBeLessThan(64 * 1024);
      const res = await fetch(`${url}/t/steps`, {
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
          const socket = connect(Number(new URL(url).port), '127.0.0.1', () =>
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

  describe('errors', () => {
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
      const codes = Object.keys(ErrorCodes) as ErrorCode[];
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
      const res = await fetch(`${url}/t/conflict`, {
        headers: { authorization: `Bearer ${keys.analyst}`, 'x-padding': 'p'.repeat(20_000) },
      });
      expect(res.status).toBe(431);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await res.json()).toEqual({
        error: 'headers_too_large',
        message: 'the request headers are larger than 16 KiB',
      });

      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(new URL(url).port), '127.0.0.1', () =>
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
      const anon = await fetch(`${url}/t/nope`, { method: 'DELETE' });
      expect(anon.status).toBe(404);
      expect((await json(anon)).error).toBe('route_not_found');
      // A body no route takes is not parsed: not JSON, it is still the unknown route that answers.
      const posted = await fetch(`${url}/t/nope`, {
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
      expect(toHttpError(WorkgateError.fromWire({ code: 'no_such_code' as never, message: 'x' }))).toMatchObject({
        status: 500,
        body: { error: 'internal', message: 'internal error' },
      });
      expect(toHttpError(new WorkgateError('unavailable', 'no service answers on workgate.ledger.append')).status).toBe(
        503,
      );
    });

    it('hands an RPC error on unchanged', async () => {
      const error = new WorkgateError('not_found', 'x');
      const host = { getType: () => 'rpc' } as never;
      const result = new GatewayErrorFilter().catch(error, host);
      await expect(lastValueFrom(result ?? of(undefined))).rejects.toBe(error);
    });
  });

  describe('rate limit', () => {
    it('answers 429 rate_limited to the principal over its limit while another principal still gets 200', async () => {
      for (let i = 0; i < 5; i++) {
        const res = await get('/t/any', keys.burst, limited.url);
        expect(res.status).toBe(200);
        expect(res.headers.get('x-ratelimit-remaining')).toBe(String(4 - i));
      }
      // The budget is per principal across routes, not per route.
      const over = await get('/t/public', keys.burst, limited.url);
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      const body = await json(over);
      expect(body.error).toBe('rate_limited');
      expect(body.message).toMatch(/^this principal sent more than 5 requests in 60 s; retry after \d+ s$/);

      const other = await get('/t/any', keys.other, limited.url);
      expect(other.status).toBe(200);
      expect(await json(other)).toEqual({ principal: 'other-1' });

      // A route that is not counted (health probes) still answers the principal over its budget, without the headers.
      const probe = await get('/t/probe', keys.burst, limited.url);
      expect(probe.status).toBe(200);
      expect(probe.headers.get('x-ratelimit-remaining')).toBeNull();
    });
  });
});

describe('the validation pipe on queries', () => {
  class Optional {
    @IsOptional() @IsString() stage?: string;
    @IsOptional() @IsString() order = 'newest';
  }
  class Required {
    @IsString() stage: string;
  }
  const query = (metatype: new () => object) => ({ type: 'query' as const, metatype, data: undefined });

  it('answers an empty query with a fresh instance each time, once an empty one passed', async () => {
    const first = await validationPipe.transform({}, query(Optional));
    const second = await validationPipe.transform({}, query(Optional));
    expect(first).toBeInstanceOf(Optional);
    expect(second).toEqual({ order: 'newest' });
    expect(second).not.toBe(first);
    await expect(validationPipe.transform({ stage: 5 }, query(Optional))).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(validationPipe.transform({ other: 'x' }, query(Optional))).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('refuses an empty query every time when a field is required', async () => {
    for (let i = 0; i < 2; i++)
      await expect(validationPipe.transform({}, query(Required))).rejects.toMatchObject({
        code: 'validation_failed',
        message: expect.stringContaining('stage'),
      });
  });
});
