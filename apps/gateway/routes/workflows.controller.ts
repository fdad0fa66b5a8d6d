import { Body, Controller, Get, Inject, Param, ParseIntPipe, Post, Query, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiTags } from '@nestjs/swagger';
import { Allow, IsDefined, IsISO8601, IsOptional } from 'class-validator';
import {
  ExceptionCode,
  ExceptionCodeDto,
  LiveWorkflowMap,
  SimulateResult,
  Subjects,
  WorkflowSummary,
  WorkflowMap,
  WorkflowVersion,
  WorkgateError,
  Written,
} from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { DEFINITION_BOUNDS, liveWorkflowMap, workflowMap } from '@workgate/workflow';
import { Documented, ref, RequestBody } from '../openapi';
import {
  BodyLimitRoute,
  CurrentPrincipal,
  Principal,
  PrincipalDirectory,
  PRINCIPALS,
  ReadsViews,
  Roles,
  YAML_MEDIA_TYPES,
} from '../http';
import { PUBLISHED, sendPublished } from './published';
import { simulate, SimulatesDraft } from './simulated';

/**
 * A body that carries a definition is at most 256 KiB (docs/api.md, Conventions (bodies)): larger is 413 before it is
 * read. The policy service checks the definition itself again, whichever way it came.
 */
export const DEFINITION_ROUTE: BodyLimitRoute = { bodyLimit: DEFINITION_BOUNDS.bytes };

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
export function definitionOf(req: FastifyRequest): unknown {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (YAML_MEDIA_TYPES.includes(type)) {
    if (typeof req.body !== 'string' || req.body.trim() === '')
      throw new WorkgateError('validation_failed', 'the body is the definition, as YAML: it is empty');
    return req.body;
  }
  if (type !== 'application/json') {
    throw new WorkgateError(
      'unsupported_media_type',
      'publish the definition as application/json or application/yaml (text/yaml)',
    );
  }
  const body: unknown = req.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new WorkgateError('validation_failed', 'the body is the definition, as a JSON object (or {definition})');
  // A definition has no `definition` field: a body with one is the wrapper, and nothing else may sit beside it.
  if (!Object.hasOwn(body, 'definition') || !('definition' in body)) return body;
  const extra = Object.keys(body).filter((k) => k !== 'definition');
  if (extra.length > 0) {
    throw new WorkgateError(
      'validation_failed',
      'the {definition} wrapper takes no other field',
      extra.map((k) => ({ path: k, message: `unknown key "${k}"` })),
    );
  }
  return body.definition;
}

/** The live map's window: work orders opened in [from, to), measured at asOf (default now). */
class LiveMapQuery {
  @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @IsOptional() @IsISO8601({ strict: true }) to?: string;
  @IsOptional() @IsISO8601({ strict: true }) asOf?: string;
}

const version = new ParseIntPipe({
  exceptionFactory: () => new WorkgateError('unknown_version', 'a version is a positive integer'),
});

@ApiTags('workflows')
@Controller('v1')
export class WorkflowsController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(PRINCIPALS) private readonly principals: PrincipalDirectory,
  ) {}

  @Post('workflows')
  @RouteConfig(DEFINITION_ROUTE)
  @RequestBody(
    {
      'application/json': {
        oneOf: [
          ref('WorkflowDefinitionDto'),
          {
            type: 'object',
            required: ['definition'],
            properties: { definition: { oneOf: [ref('WorkflowDefinitionDto'), { type: 'string' }] } },
            additionalProperties: false,
          },
        ],
      },
      'application/yaml': { type: 'string', description: 'the definition as YAML, e.g. a file of workflows/' },
      'text/yaml': { type: 'string' },
    },
    'the definition itself (or `{definition}` with the definition as an object or as YAML/JSON text)',
  )
  @Roles('admin')
  @Documented(
    'Publish a workflow version',
    PUBLISHED,
    'The body is the definition, as YAML or JSON (a JSON `{definition}` wrapper is read too), at most 256 KiB (413 beyond) with at most 200 steps and 500 rules (422 beyond). Versions only go up; the same content again writes nothing (`created: false`). A version that widens the one in force answers 202 `WorkflowChangeRequested`: it is published when the current owner approves it, or, when that owner proposes it, one of its `reviewers` (409 `no_reviewers` when nobody else could decide it).',
  )
  async publish(@Req() req: FastifyRequest, @CurrentPrincipal() p: Principal, @Res() res: FastifyReply): Promise<void> {
    const adminApprovers = this.principals.withRoles('admin', 'approver');
    sendPublished(
      res,
      await this.rpc.request(Subjects.policy.publish, { definition: definitionOf(req), actor: p.id, adminApprovers }),
    );
  }

  @Get('workflows')
  @Documented('List workflows', ['WorkflowSummary'])
  list(): Promise<WorkflowSummary[]> {
    return this.rpc.request(Subjects.policy.list, {});
  }

  @Get('workflows/:jobType')
  @Documented("A workflow's current version", 'WorkflowVersion')
  current(@Param('jobType') jobType: string): Promise<WorkflowVersion> {
    return this.rpc.request(Subjects.policy.get, { jobType });
  }

  @Get('workflows/:jobType/versions/:version')
  @Documented('One version of a workflow', 'WorkflowVersion')
  version(@Param('jobType') jobType: string, @Param('version', version) v: number): Promise<WorkflowVersion> {
    return this.rpc.request(Subjects.policy.get, { jobType, version: v });
  }

  @Get('workflows/:jobType/versions/:version/map')
  @Documented(
    "A workflow version's map",
    'WorkflowMap',
    'Every id of the definition as a node (steps, rules, systems, exception codes, stages, overlays) with the derived nodes (inputs, objects, gates, break-glass, delegation, closure), the edges `next`, `governs`, `may_raise` and `handoff`, and where each receipt is written (docs/views.md, The live workflow map).',
  )
  map(@Param('jobType') jobType: string, @Param('version', version) v: number): Promise<WorkflowMap> {
    return this.mapOf(jobType, v);
  }

  @Get('workflows/:jobType/map')
  @Roles('analyst', 'ops-lead')
  @ReadsViews()
  @Documented(
    "The current version's live map",
    'LiveWorkflowMap',
    "The current version's map with live numbers by node id for the work orders opened in [from, to), measured at asOf (default now): steps, gates, stop and run rules, exception codes; and `failurePoints`, where work fails or stalls most, ranked, with the definition's knownFailures beside them. The numbers are the rows of the views steps, step-exceptions, gates, rules and exception-codes for the same window (docs/views.md).",
  )
  async live(@Param('jobType') jobType: string, @Query() q: LiveMapQuery): Promise<LiveWorkflowMap> {
    const asOf = q.asOf ? new Date(q.asOf).toISOString() : new Date().toISOString();
    const window = { from: q.from ?? null, to: q.to ?? null, asOf };
    const [map, rows] = await Promise.all([
      this.mapOf(jobType),
      this.rpc.request(Subjects.ledger.liveMap, {
        jobType,
        asOf,
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
      }),
    ]);
    return liveWorkflowMap(map, rows, window);
  }

  /** The map of a version (the current one without `v`), its exception codes read from the catalog. */
  private async mapOf(jobType: string, v?: number): Promise<WorkflowMap> {
    const [found, codes] = await Promise.all([
      this.rpc.request(Subjects.policy.get, { jobType, ...(v === undefined ? {} : { version: v }) }),
      this.rpc.request(Subjects.exceptions.listCodes, {}),
    ]);
    return workflowMap(found.definition, found.sha256, new Map(codes.map((c) => [c.code, c])));
  }

  @Post('workflows/:jobType/simulate')
  @RouteConfig(DEFINITION_ROUTE)
  @SimulatesDraft(
    'Replays recorded action requests of the job type (in a window) against the draft and lists each changed verdict with what decided it before and after. The body is at most 256 KiB (413 beyond); the draft is bounded as a published definition is.',
  )
  simulate(@Param('jobType') jobType: string, @Body() body: SimulateBody): Promise<SimulateResult> {
    return simulate(this.rpc, { jobType, ...body });
  }

  @Get('exception-codes')
  @Documented('The exception code catalog', ['ExceptionCode'])
  exceptionCodes(): Promise<ExceptionCode[]> {
    return this.rpc.request(Subjects.exceptions.listCodes, {});
  }

  /** Adds a code to the catalog, or changes its title, owner or SLA (kept in the ledger). */
  @Post('exception-codes')
  @Roles('admin')
  @Documented('Add or change an exception code', 'ExceptionCode')
  defineCode(@Body() body: ExceptionCodeDto, @CurrentPrincipal() p: Principal): Promise<Written<ExceptionCode>> {
    return this.rpc.request(Subjects.exceptions.defineCode, { code: body, by: p.id });
  }
}
