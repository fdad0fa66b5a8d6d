import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  BlockStepDto,
  BreakGlassDto,
  ChangeScopeDto,
  CommandMeta,
  CommandReply,
  CloseWorkOrderDto,
  CompleteStepDto,
  IntakeInProcess,
  OpenWorkOrderDto,
  ProofPackage,
  RecordArtifactDto,
  RecordedEvent,
  ReopenWorkOrderDto,
  StopWorkOrderDto,
  RecordActionResultDto,
  RequestActionDto,
  sharedJson,
  Subjects,
  WorkgateError,
} from '@workgate/contracts';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { RpcClient } from '@workgate/messaging';
import { Documented, ref } from '../openapi';
import { CurrentPrincipal, Principal, ReadsViews, Roles } from '../http';
import { Meta, sendCommand } from './command';
import { deliveryHtml } from './delivery.html';
import { sendDelivery } from './delivery.send';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => new WorkgateError('not_found', 'no work order has that id') });

class HandoffQuery {
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/, { message: 'stage must be a stage id' })
  stage?: string;
}

class ProofQuery {
  @IsOptional() @IsIn(['true', 'false'], { message: 'public is true or false' }) public?: string;
}

class ListQuery {
  @IsOptional() @IsString() source?: string;
  @IsOptional() @IsString() externalRef?: string;
  @IsOptional() @IsString() jobType?: string;
  @IsOptional() @IsIn(['open', 'blocked', 'closed', 'stopped']) status?: string;
  @IsOptional() @Matches(/^\d{1,4}$/, { message: 'limit must be a number up to 1000' }) limit?: string;
}

@ApiTags('work orders')
@Controller('v1/work-orders')
export class WorkOrdersController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @Roles('integrator')
  @Documented(
    'Open a work order',
    'OpenedAnswer',
    "Opens a work order of a job type for a source system's reference; opening the same source and externalRef again answers the one already open. Prerequisites are checked at once: a failed one blocks the work order with an owned exception.",
  )
  open(@Body() body: OpenWorkOrderDto, @Meta() meta: CommandMeta): Promise<CommandReply> {
    return sendCommand(this.rpc, undefined, { type: 'OpenWorkOrder', body }, meta);
  }

  @Get()
  @ReadsViews()
  @Documented(
    'List work orders',
    ['WorkOrderListItem'],
    'Newest first; filter by source and externalRef (the reference a source system knows a work order by), job type or status.',
  )
  list(@Query() q: ListQuery) {
    const limit = q.limit === undefined ? undefined : Number(q.limit);
    return this.rpc.request(Subjects.ledger.listWorkOrders, {
      source: q.source,
      externalRef: q.externalRef,
      jobType: q.jobType,
      status: q.status,
      limit,
    });
  }

  @Get(':id')
  @Documented(
    "A work order's state handoff",
    'WorkOrderHandoff',
    'Where it stands, who owns the next move, what blocks it, and the next stage to work on.',
  )
  @Header('Content-Type', 'application/json; charset=utf-8')
  async get(@Param('id', uuid) id: string, @Query() q: HandoffQuery): Promise<string> {
    const request = { workOrderId: id, ...(q.stage ? { stage: q.stage } : {}) };
    // Intake in this process (on either thread) answers the text itself; across NATS, the object.
    if (this.rpc.answersInProcess(IntakeInProcess.handoffText.subject))
      return this.rpc.request(IntakeInProcess.handoffText, request);
    return sharedJson(await this.rpc.request(Subjects.intake.get, request));
  }

  @Get(':id/events')
  @Roles('ops-lead')
  @Documented("A work order's ledger events", ['RecordedEvent'])
  events(@Param('id', uuid) id: string): Promise<RecordedEvent[]> {
    return this.rpc.request(Subjects.intake.events, { workOrderId: id });
  }

  @Get(':id/decisions')
  @Roles('approver', 'operator', 'ops-lead')
  @Documented(
    "A work order's decisions",
    ['DecisionRecord'],
    'Every action decided on it, oldest first: the action and facts asked with, the decision, rule and policy version, and the receipt of each. The facts are for those who act on or decide the work: approvers, operators and ops leads.',
  )
  decisions(@Param('id', uuid) id: string) {
    return this.rpc.request(Subjects.intake.decisions, { workOrderId: id });
  }

  @Get(':id/delivery')
  @Documented(
    'The public delivery page',
    { json: ref('DeliveryPage'), alternatives: { 'text/html': { type: 'string' } } },
    'Decisions, steps, stages and next moves without facts, inputs, evidence references or private evidence. `Accept: text/html` answers a page to share.',
  )
  async delivery(@Param('id', uuid) id: string, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    sendDelivery(await this.rpc.request(Subjects.intake.delivery, { workOrderId: id }), req, res);
  }

  @Get(':id/proof')
  @Documented(
    "A work order's proof package",
    'ProofPackage',
    'One JSON document to verify offline (`npm run verify-receipt -- proof.json --key <verifier key>`): the state handoff, the exact workflow version it ran on as canonical JSON (its SHA-256 is the policy every decision receipt names), its map and boundary, the delivery page as JSON and HTML, and every receipt with its RFC 9162 inclusion proof against one signed checkpoint, and the issuance record (the `ProofPackageIssued` event holding the sha256 of each part, with its own inclusion proof). Ops leads only; `?public=true` (any role) is the client-safe package: no private evidence, no recorded events, credential-shaped text masked.',
  )
  async proof(
    @Param('id', uuid) id: string,
    @Query() q: ProofQuery,
    @CurrentPrincipal() p: Principal,
  ): Promise<ProofPackage> {
    const client = q.public === 'true';
    if (!client && !p.roles.includes('ops-lead'))
      throw new WorkgateError(
        'forbidden',
        'the proof package with private evidence is for ops leads: ask for ?public=true',
      );
    // Over NATS the package is one message; in this process it has no such limit.
    const w = await this.rpc.request(Subjects.intake.proof, {
      workOrderId: id,
      includePrivate: !client,
      ...(this.rpc.answersInProcess(Subjects.intake.proof.subject) ? { sameProcess: true } : {}),
    });
    return {
      workOrder: w.workOrder,
      definition: w.definition,
      map: w.map,
      boundary: w.boundary,
      delivery: { json: w.delivery, html: deliveryHtml(w.delivery) },
      receipts: w.receipts,
      checkpoint: w.checkpoint,
      verifierKey: w.verifierKey,
      issuance: w.issuance,
    };
  }

  @Post(':id/actions')
  @Roles('integrator', 'operator')
  @Documented(
    'Request an action: run, wait or stop',
    'ActionAnswer',
    "The decision on an action inside the work order's boundary, with its receipt. `wait` names the approval and its owner; `stop` names the reason.",
  )
  action(@Param('id', uuid) id: string, @Body() body: RequestActionDto, @Meta() meta: CommandMeta) {
    return sendCommand(this.rpc, id, { type: 'RequestAction', body }, meta);
  }

  @Post(':id/actions/:actionId/result')
  @Roles('integrator', 'operator')
  @Documented(
    'Record what a run action answered',
    'StatusAnswer',
    "Records the SHA-256 of a run action's result (the MCP gateway does this for every call it forwards): the receipt of the call itself, next to its decision. Once per action.",
  )
  actionResult(
    @Param('id', uuid) id: string,
    @Param('actionId', uuid) actionId: string,
    @Body() body: RecordActionResultDto,
    @Meta() meta: CommandMeta,
  ) {
    return sendCommand(this.rpc, id, { type: 'RecordActionResult', actionId, body }, meta);
  }

  @Post(':id/steps/:stepId/complete')
  @Roles('operator')
  @HttpCode(200)
  @Documented('Complete a step with its evidence', 'StepAnswer')
  complete(
    @Param('id', uuid) id: string,
    @Param('stepId') stepId: string,
    @Body() body: CompleteStepDto,
    @Meta() meta: CommandMeta,
  ) {
    return sendCommand(this.rpc, id, { type: 'CompleteStep', stepId, body }, meta);
  }

  @Post(':id/steps/:stepId/block')
  @Roles('operator')
  @Documented(
    'Block a step: an owned exception',
    'StepAnswer',
    'Raises an exception of a catalog code, owned and due by its SLA.',
  )
  block(
    @Param('id', uuid) id: string,
    @Param('stepId') stepId: string,
    @Body() body: BlockStepDto,
    @Meta() meta: CommandMeta,
  ) {
    return sendCommand(this.rpc, id, { type: 'BlockStep', stepId, body }, meta);
  }

  @Post(':id/close')
  @Roles('operator')
  @HttpCode(200)
  @Documented(
    'Close a work order',
    'StatusAnswer',
    'Refused without the closure evidence the workflow requires (422 `closure_evidence_required`), with open exceptions, or with pending approvals.',
  )
  close(@Param('id', uuid) id: string, @Body() body: CloseWorkOrderDto, @Meta() meta: CommandMeta) {
    return sendCommand(this.rpc, id, { type: 'CloseWorkOrder', body }, meta);
  }

  @Post(':id/break-glass')
  @Roles('operator')
  @Documented(
    'Break glass: run now, review later',
    'BreakGlassAnswer',
    'Runs the action at once where the workflow allows it, raises an exception and creates a post-review due for the reviewer.',
  )
  breakGlass(@Param('id', uuid) id: string, @Body() body: BreakGlassDto, @Meta() meta: CommandMeta) {
    return sendCommand(this.rpc, id, { type: 'UseBreakGlass', body }, meta);
  }

  @Post(':id/stages/:stageId/artifact')
  @Roles('operator')
  @Documented("Record a stage's artifact", 'ArtifactAnswer', "Opens the stage's gate approval.")
  artifact(
    @Param('id', uuid) id: string,
    @Param('stageId') stageId: string,
    @Body() body: RecordArtifactDto,
    @Meta() meta: CommandMeta,
  ) {
    return sendCommand(this.rpc, id, { type: 'RecordStageArtifact', stageId, body }, meta);
  }

  @Post(':id/scope-changes')
  @Roles('integrator', 'operator')
  @Documented(
    'Add scope (a change order)',
    'ScopeChangeAnswer',
    'Work in the added scope is draft-only until every track is approved.',
  )
  scopeChange(@Param('id', uuid) id: string, @Body() body: ChangeScopeDto, @Meta() meta: CommandMeta) {
    return sendCommand(this.rpc, id, { type: 'ChangeScope', body }, meta);
  }

  @Post(':id/stop')
  @Roles('operator')
  @HttpCode(200)
  @Documented(
    'Stop a work order',
    'StatusAnswer',
    'Halts it with a reason (an agent or operator giving up); actions are refused until it is reopened. Stopping a closed or stopped work order changes nothing.',
  )
  stop(@Param('id', uuid) id: string, @Body() body: StopWorkOrderDto, @Meta() meta: CommandMeta) {
    return sendCommand(this.rpc, id, { type: 'StopWorkOrder', body: { reason: body.reason } }, meta);
  }

  @Post(':id/reopen')
  @Roles('operator')
  @HttpCode(200)
  @Documented('Reopen a closed or stopped work order', 'StatusAnswer')
  reopen(@Param('id', uuid) id: string, @Body() body: ReopenWorkOrderDto, @Meta() meta: CommandMeta) {
    return sendCommand(this.rpc, id, { type: 'ReopenWorkOrder', body }, meta);
  }
}
