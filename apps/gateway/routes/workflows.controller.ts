import { Body, Controller, Get, Param, ParseIntPipe, Post } from '@nestjs/common';
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
} from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { CurrentPrincipal, Principal, Roles } from '../http';

/** A definition is published as given (object or YAML/JSON text); the policy service validates it strictly. */
class PublishBody {
  @IsDefined({ message: 'definition is required' }) @Allow() definition: unknown;
}

class SimulateBody {
  @IsDefined({ message: 'definition is required' }) @Allow() definition: unknown;
  @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @IsOptional() @IsISO8601({ strict: true }) to?: string;
}

const version = new ParseIntPipe({ exceptionFactory: () => new WorkgateError('unknown_version', 'a version is a positive integer') });

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('v1')
export class WorkflowsController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('workflows')
  @Roles('admin')
  publish(@Body() body: PublishBody, @CurrentPrincipal() p: Principal): Promise<PublishWorkflowResult> {
    return this.rpc.request(Subjects.policy.publish, { definition: body.definition, actor: p.id });
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
  defineCode(@Body() body: ExceptionCodeDto, @CurrentPrincipal() p: Principal): Promise<ExceptionCode> {
    return this.rpc.request(Subjects.exceptions.defineCode, { code: body, by: p.id });
  }
}
