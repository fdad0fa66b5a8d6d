/**
 * The HTTP edge as the gateway configures it (`configureHttpEdge`), around a throwaway controller
 * whose routes show each rule: public, any principal, a role, a body DTO, errors of every kind.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { isErrorCode, WorkgateError } from '@workgate/contracts';
import { replyError, unwrapReply } from '@workgate/messaging';
import {
  AuthGuard,
  configureHttpEdge,
  CurrentPrincipal,
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
} from './index';

export class InputsDto {
  @IsBoolean()
  orderPaid: boolean;
}

export class EvidenceDto {
  @IsString()
  kind: string;

  @IsOptional()
  @IsString()
  ref?: string;
}

export class StepDto {
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
export class DefaultedDto {
  @IsString()
  step: string;

  @IsOptional()
  @IsString()
  queue?: string = 'default';
}

@Controller('t')
export class ThrowawayController {
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
    if (!isErrorCode(code)) throw new WorkgateError('not_found', `no error code ${code}`);
    // Unwrapping an error reply throws its refusal, as the gateway meets it.
    return unwrapReply(replyError(new WorkgateError(code, `refused with ${code}`, [{ code }])));
  }

  @Get('crash')
  crash() {
    throw new Error('secret postgres://u:hunter2@x');
  }
}

export interface Keys {
  operator: string;
  analyst: string;
  burst: string;
  other: string;
}

export function newKey(): string {
  return randomBytes(24).toString('base64url');
}

/** A step the ThrowawayController takes. */
export const validStep = { step: 'pay', inputs: { orderPaid: true }, evidence: [{ kind: 'receipt', ref: 'r-1' }] };

/**
 * The edge on a loopback port, with a principals file of four (an operator and approver, an
 * analyst, two integrators) and `limitPerMinute` requests per principal.
 */
export class EdgeUnderTest {
  readonly keys: Keys = { operator: newKey(), analyst: newKey(), burst: newKey(), other: newKey() };
  dir = '';
  directory!: PrincipalDirectory;
  app!: NestFastifyApplication;
  url = '';

  constructor(private readonly limitPerMinute = 10_000) {}

  async start(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'workgate-http-'));
    const yaml = [
      'principals:',
      `  - id: ops-1`,
      `    roles: [operator, approver]`,
      `    apiKeySha256: ${sha256Hex(this.keys.operator)}`,
      `  - id: analyst-1`,
      `    roles: [analyst]`,
      `    apiKeySha256: ${sha256Hex(this.keys.analyst)}`,
      `  - id: burst-1`,
      `    roles: [integrator]`,
      `    apiKeySha256: ${sha256Hex(this.keys.burst)}`,
      `  - id: other-1`,
      `    roles: [integrator]`,
      `    apiKeySha256: ${sha256Hex(this.keys.other)}`,
      '',
    ].join('\n');
    writeFileSync(join(this.dir, 'principals.yaml'), yaml);
    this.directory = loadPrincipals(join(this.dir, 'principals.yaml'));
    const moduleRef = await Test.createTestingModule({
      imports: [rateLimitModule(this.limitPerMinute)],
      controllers: [ThrowawayController],
      providers: [
        { provide: PRINCIPALS, useValue: this.directory },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    }).compile();
    // bodyParser: false, so that the edge's parser is the only one.
    this.app = moduleRef.createNestApplication<NestFastifyApplication>(httpAdapter(), {
      bodyParser: false,
      logger: false,
    });
    configureHttpEdge(this.app);
    await this.app.listen(0, '127.0.0.1');
    this.url = (await this.app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  async stop(): Promise<void> {
    await this.app?.close();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  readonly get = (path: string, key?: string): Promise<Response> =>
    fetch(`${this.url}${path}`, { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });

  readonly post = (path: string, body: string, key?: string, contentType = 'application/json'): Promise<Response> =>
    fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
      body,
    });
}

/** A JSON answer, as the tests read it. */
export const json = (res: Response) => res.json();
