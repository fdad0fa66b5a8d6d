import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  BlockStepDto,
  BreakGlassDto,
  ChangeScopeDto,
  CommandReply,
  CloseWorkOrderDto,
  CompleteStepDto,
  OpenWorkOrderDto,
  RecordArtifactDto,
  RecordedEvent,
  ReopenWorkOrderDto,
  RequestActionDto,
  Subjects,
  WorkgateError,
} from '@workgate/contracts';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { RpcClient } from '@workgate/messaging';
import { CurrentPrincipal, Principal, ReadsViews, Roles } from '../http';
import { commandMeta, sendCommand } from './command';
import { deliveryHtml } from './delivery.html';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new WorkgateError('not_found', 'no work order has that id') });

class HandoffQuery {
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, { message: 'stage must be a stage id' }) stage?: string;
}

class ListQuery {
  @IsOptional() @IsString() source?: string;
  @IsOptional() @IsString() externalRef?: string;
  @IsOptional() @IsString() jobType?: string;
  @IsOptional() @IsIn(['open', 'blocked', 'closed', 'stopped']) status?: string;
  @IsOptional() @Matches(/^\d{1,4}$/, { message: 'limit must be a number up to 1000' }) limit?: string;
}

@ApiTags('work orders')
@ApiBearerAuth()
@ApiHeader({ name: 'Idempotency-Key', required: false, description: 'a replay returns the first answer and writes nothing' })
@Controller('v1/work-orders')
export class WorkOrdersController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @Roles('integrator')
  open(@Body() body: OpenWorkOrderDto, @CurrentPrincipal() p: Principal, @Headers('idempotency-key') key?: string): Promise<CommandReply> {
    return sendCommand(this.rpc, undefined, { type: 'OpenWorkOrder', body }, commandMeta(p, key));
  }

  @Get()
  @ReadsViews()
  list(@Query() q: ListQuery) {
    const limit = q.limit === undefined ? undefined : Number(q.limit);
    return this.rpc.request(Subjects.ledger.listWorkOrders, { source: q.source, externalRef: q.externalRef, jobType: q.jobType, status: q.status, limit });
  }

  @Get(':id')
  @ApiQuery({ name: 'stage', required: false, description: 'route to this stage instead of the earliest whose artifact is missing' })
  get(@Param('id', uuid) id: string, @Query() q: HandoffQuery) {
    return this.rpc.request(Subjects.intake.get, { workOrderId: id, ...(q.stage ? { stage: q.stage } : {}) });
  }

  @Get(':id/events')
  @Roles('ops-lead')
  events(@Param('id', uuid) id: string): Promise<RecordedEvent[]> {
    return this.rpc.request(Subjects.intake.events, { workOrderId: id });
  }

  @Get(':id/delivery')
  async delivery(@Param('id', uuid) id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const page = await this.rpc.request(Subjects.intake.delivery, { workOrderId: id });
    if (req.accepts(['application/json', 'text/html']) === 'text/html') {
      res.type('html').setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'").send(deliveryHtml(page));
    } else {
      res.json(page);
    }
  }

  @Post(':id/actions')
  @Roles('integrator', 'operator')
  action(@Param('id', uuid) id: string, @Body() body: RequestActionDto, @CurrentPrincipal() p: Principal, @Headers('idempotency-key') key?: string) {
    return sendCommand(this.rpc, id, { type: 'RequestAction', body }, commandMeta(p, key));
  }

  @Post(':id/steps/:stepId/complete')
  @Roles('operator')
  @HttpCode(200)
  complete(@Param('id', uuid) id: string, @Param('stepId') stepId: string, @Body() body: CompleteStepDto, @CurrentPrincipal() p: Principal, @Headers('idempotency-key') key?: string) {
    return sendCommand(this.rpc, id, { type: 'CompleteStep', stepId, body }, commandMeta(p, key));
  }

  @Post(':id/steps/:stepId/block')
  @Roles('operator')
  block(@Param('id', uuid) id: string, @Param('stepId') stepId: string, @Body() body: BlockStepDto, @CurrentPrincipal() p: Principal, @Headers('idempotency-key') key?: string) {
    return sendCommand(this.rpc, id, { type: 'BlockStep', stepId, body }, commandMeta(p, key));
  }

  @Post(':id/close')
  @Roles('operator')
  @HttpCode(200)
  close(@Param('id', uuid) id: string, @Body() body: CloseWorkOrderDto, @CurrentPrincipal() p: Principal, @Headers('idempotency-key') key?: string) {
    return sendCommand(this.rpc, id, { type: 'CloseWorkOrder', body }, commandMeta(p, key));
  }

  @Post(':id/break-glass')
  @Roles('operator')
  breakGlass(@Param('id', uuid) id: string, @Body() body: BreakGlassDto, @CurrentPrincipal() p: Principal, @Headers('idempotency-key') key?: string) {
    return sendCommand(this.rpc, id, { type: 'UseBreakGlass', body }, commandMeta(p, key));
  }

  @Post(':id/stages/:stageId/artifact')
  @Roles('operator')
  artifact(@Param('id', uuid) id: string, @Param('stageId') stageId: string, @Body() body: RecordArtifactDto, @CurrentPrincipal() p: Principal, @Headers('idempotency-key') key?: string) {
    return sendCommand(this.rpc, id, { type: 'RecordStageArtifact', stageId, body }, commandMeta(p, key));
  }

  @Post(':id/scope-changes')
  @Roles('integrator', 'operator')
  scopeChange(@Param('id', uuid) id: string, @Body() body: ChangeScopeDto, @CurrentPrincipal() p: Principal, @Headers('idempotency-key') key?: string) {
    return sendCommand(this.rpc, id, { type: 'ChangeScope', body }, commandMeta(p, key));
  }

  @Post(':id/reopen')
  @Roles('operator')
  @HttpCode(200)
  reopen(@Param('id', uuid) id: string, @Body() body: ReopenWorkOrderDto, @CurrentPrincipal() p: Principal, @Headers('idempotency-key') key?: string) {
    return sendCommand(this.rpc, id, { type: 'ReopenWorkOrder', body }, commandMeta(p, key));
  }
}
