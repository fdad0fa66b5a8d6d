import { Body, Controller, Get, Param, ParseIntPipe, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Allow, IsDefined, IsISO8601, IsOptional } from 'class-validator';
import {
  ExceptionCode,
  ExceptionCodeDto,
  PublishWorkflowResult,
  SimulateResult,
  Subjects,
  WorkflowSummary,
  WorkflowVersion,
  WorkgateError,
  Written,
} from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { CurrentPrincipal, Principal, Roles, YAML_MEDIA_TYPES } from '../http';

/** A draft is simulated as given (object or YAML/JSON text); the policy service validates it strictly. */
class SimulateBody {
  @IsDefined({ message: 'definition is required' }) @Allow() definition: unknown;
  @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @IsOptional() @IsISO8601({ strict: true }) to?: string;
}

/**
 * The definition a publish carries: the body itself, as YAML (`application/yaml`, `text/yaml`) or
 * JSON; a JSON body `{definition}` (the definition as an object or as YAML/JSON text) is read too.
 */
function definitionOf(req: Request): unknown {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (YAML_MEDIA_TYPES.includes(type)) {
    if (typeof req.body !== 'string' || req.body.trim() === '') throw new WorkgateError('validation_failed', 'the body is the definition, as YAML: it is empty');
    return req.body;
  }
  if (type !== 'application/json') {
    throw new WorkgateError('unsupported_media_type', 'publish the definition as application/json or application/yaml (text/yaml)');
  }
  const body: unknown = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new WorkgateError('validation_failed', 'the body is the definition, as a JSON object (or {definition})');
  // A definition has no `definition` field: a body with one is the wrapper, and nothing else may sit beside it.
  if (!Object.prototype.hasOwnProperty.call(body, 'definition')) return body;
  const extra = Object.keys(body).filter((k) => k !== 'definition');
  if (extra.length > 0) {
    throw new WorkgateError('validation_failed', 'the {definition} wrapper takes no other field', extra.map((k) => ({ path: k, message: `unknown key "${k}"` })));
  }
  return (body as { definition: unknown }).definition;
}

const version = new ParseIntPipe({ exceptionFactory: () => new WorkgateError('unknown_version', 'a version is a positive integer') });

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('v1')
export class WorkflowsController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('workflows')
  @Roles('admin')
  publish(@Req() req: Request, @CurrentPrincipal() p: Principal): Promise<Written<PublishWorkflowResult>> {
    return this.rpc.request(Subjects.policy.publish, { definition: definitionOf(req), actor: p.id });
  }

  @Get('workflows')
  list(): Promise<WorkflowSummary[]> {
    return this.rpc.request(Subjects.policy.list, {});
  }

  @Get('workflows/:jobType')
  current(@Param('jobType') jobType: string): Promise<WorkflowVersion> {
    return this.rpc.request(Subjects.policy.get, { jobType });
  }

  @Get('workflows/:jobType/versions/:version')
  version(@Param('jobType') jobType: string, @Param('version', version) v: number): Promise<WorkflowVersion> {
    return this.rpc.request(Subjects.policy.get, { jobType, version: v });
  }

  @Post('workflows/:jobType/simulate')
  @Roles('admin', 'analyst')
  simulate(@Param('jobType') jobType: string, @Body() body: SimulateBody): Promise<SimulateResult> {
    return this.rpc.request(Subjects.policy.simulate, { jobType, ...body }, { timeoutMs: 60_000 });
  }

  @Get('exception-codes')
  exceptionCodes(): Promise<ExceptionCode[]> {
    return this.rpc.request(Subjects.exceptions.listCodes, {});
  }

  /** Adds a code to the catalog, or changes its title, owner or SLA (kept in the ledger). */
  @Post('exception-codes')
  @Roles('admin')
  defineCode(@Body() body: ExceptionCodeDto, @CurrentPrincipal() p: Principal): Promise<Written<ExceptionCode>> {
    return this.rpc.request(Subjects.exceptions.defineCode, { code: body, by: p.id });
  }
}
