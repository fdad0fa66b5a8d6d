import { Body, Controller, Get, Inject, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiTags } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import {
  SimulateResult,
  Subjects,
  WorkflowDiff,
  WorkflowDraft,
  WorkflowDraftSummary,
  Written,
} from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { Documented } from '../openapi';
import { CurrentPrincipal, Principal, PrincipalDirectory, PRINCIPALS, Roles } from '../http';
import { adminApprovers } from './workflow-changes.controller';
import { PUBLISHED, sendPublished } from './published';
import { simulate, SimulatesDraft } from './simulated';
import { DEFINITION_ROUTE, definitionOf } from './workflows.controller';

class DiffQuery {
  @IsOptional() @Matches(/^\d{1,9}$/, { message: 'from is a version number' }) from?: string;
  @IsOptional()
  @IsString()
  @Matches(/^[\w-]{1,64}$/, { message: 'to is a version number or a draft id' })
  to?: string;
}

class DraftSimulateBody {
  @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @IsOptional() @IsISO8601({ strict: true }) to?: string;
}

/** Drafts, diffs and proposals of new workflow versions (docs/policy.md, Changing a workflow). */
@ApiTags('workflows')
@Controller('v1/workflows/:jobType')
export class WorkflowDraftsController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(PRINCIPALS) private readonly principals: PrincipalDirectory,
  ) {}

  @Post('drafts')
  @RouteConfig(DEFINITION_ROUTE)
  @Roles('admin')
  @Documented(
    'Save a new draft',
    'WorkflowDraft',
    'The body is a definition as for publish (YAML or JSON). The draft is kept in the ledger even with problems: each is listed with its path; `diff` (against the current version) and `map` are null while it has any.',
  )
  saveDraft(
    @Param('jobType') jobType: string,
    @Req() req: FastifyRequest,
    @CurrentPrincipal() p: Principal,
  ): Promise<Written<WorkflowDraft>> {
    return this.rpc.request(Subjects.policy.saveDraft, { jobType, definition: definitionOf(req), by: p.id });
  }

  @Get('drafts')
  @Roles('admin', 'analyst')
  @Documented(
    "A job type's drafts",
    ['WorkflowDraftSummary'],
    'The most recently saved first, with how many problems each has.',
  )
  listDrafts(@Param('jobType') jobType: string): Promise<WorkflowDraftSummary[]> {
    return this.rpc.request(Subjects.policy.listDrafts, { jobType });
  }

  @Get('drafts/:draftId')
  @Roles('admin', 'analyst')
  @Documented(
    'A draft',
    'WorkflowDraft',
    'As saved, with its problems, its diff against the current version and its map.',
  )
  getDraft(@Param('jobType') jobType: string, @Param('draftId') draftId: string): Promise<WorkflowDraft> {
    return this.rpc.request(Subjects.policy.getDraft, { jobType, draftId });
  }

  @Put('drafts/:draftId')
  @RouteConfig(DEFINITION_ROUTE)
  @Roles('admin')
  @Documented('Update a draft', 'WorkflowDraft', 'A new revision of the draft, kept whatever its problems.')
  updateDraft(
    @Param('jobType') jobType: string,
    @Param('draftId') draftId: string,
    @Req() req: FastifyRequest,
    @CurrentPrincipal() p: Principal,
  ): Promise<Written<WorkflowDraft>> {
    return this.rpc.request(Subjects.policy.saveDraft, { jobType, draftId, definition: definitionOf(req), by: p.id });
  }

  @Post('drafts/:draftId/propose')
  @Roles('admin')
  @Documented(
    'Propose a draft',
    PUBLISHED,
    "Publishes the draft (201) or, when it widens the version in force, asks that version's owner to approve it (202 `WorkflowChangeRequested`). A draft with problems is refused (422 `invalid_definition`).",
  )
  async propose(
    @Param('jobType') jobType: string,
    @Param('draftId') draftId: string,
    @CurrentPrincipal() p: Principal,
    @Res() res: FastifyReply,
  ): Promise<void> {
    sendPublished(
      res,
      await this.rpc.request(Subjects.policy.proposeDraft, {
        jobType,
        draftId,
        by: p.id,
        adminApprovers: adminApprovers(this.principals),
      }),
    );
  }

  @Post('drafts/:draftId/simulate')
  @SimulatesDraft('As `POST /v1/workflows/:jobType/simulate`, for a saved draft.')
  simulateDraft(
    @Param('jobType') jobType: string,
    @Param('draftId') draftId: string,
    @Body() body: DraftSimulateBody,
  ): Promise<SimulateResult> {
    return simulate(this.rpc, { jobType, draftId, ...body });
  }

  @Get('diff')
  @Roles('admin', 'analyst', 'approver')
  @Documented(
    'The diff of two versions, or of a version and a draft',
    'WorkflowDiff',
    '`from` a version and `to` a version or a draft id (each by default the current version). Each change says whether it widens, narrows or is neutral for the boundary, with a sentence.',
  )
  diff(@Param('jobType') jobType: string, @Query() q: DiffQuery): Promise<WorkflowDiff> {
    return this.rpc.request(Subjects.policy.diff, {
      jobType,
      ...(q.to === undefined ? {} : { to: q.to }),
      ...(q.from === undefined ? {} : { from: Number(q.from) }),
    });
  }
}
