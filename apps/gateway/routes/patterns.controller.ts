import { Controller, Get, Inject, Param, ParseIntPipe, Post, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiTags } from '@nestjs/swagger';
import { DerivedWorkflow, PatternSummary, PatternVersion, Subjects, WorkgateError } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { Documented, ref, RequestBody } from '../openapi';
import { CurrentPrincipal, Principal, PrincipalDirectory, PRINCIPALS, Roles } from '../http';
import { adminApprovers } from './workflow-changes.controller';
import { DEFINITION_ROUTE, definitionOf } from './workflows.controller';

const version = new ParseIntPipe({
  exceptionFactory: () => new WorkgateError('not_found', 'a pattern version is a positive integer'),
});

/** Patterns workflows extend (docs/patterns.md): published by admins, read by anyone with a key. */
@ApiTags('patterns')
@Controller('v1')
export class PatternsController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(PRINCIPALS) private readonly principals: PrincipalDirectory,
  ) {}

  @Post('patterns')
  @RouteConfig(DEFINITION_ROUTE)
  @RequestBody(
    {
      'application/json': {
        oneOf: [
          ref('PatternDefinitionDto'),
          {
            type: 'object',
            required: ['definition'],
            properties: { definition: { oneOf: [ref('PatternDefinitionDto'), { type: 'string' }] } },
            additionalProperties: false,
          },
        ],
      },
      'application/yaml': { type: 'string', description: 'the pattern as YAML, e.g. a file of patterns/' },
      'text/yaml': { type: 'string' },
    },
    'the pattern itself (or `{definition}` with the pattern as an object or as YAML/JSON text)',
  )
  @Roles('admin')
  @Documented(
    'Publish a pattern version',
    {
      json: ref('PublishPatternResult'),
      also: {
        '202': {
          description:
            "The version widens the newest one: it waits for the pattern owner's approval (`pattern-change`)",
          json: ref('PatternChangeRequested'),
        },
      },
    },
    "The body is the pattern, as YAML or JSON, at most 256 KiB (413 beyond); every problem is listed (422 `invalid_definition`). Versions only go up (409 `version_not_higher`); the same content again writes nothing (`created: false`). A version that widens the newest one answers 202 `PatternChangeRequested`: it is published when the pattern's owner approves it, or, when that owner proposes it, one of its `reviewers` (409 `no_reviewers` when nobody else could decide it). Workflows that extend an earlier version keep it until their own next version.",
  )
  async publish(@Req() req: FastifyRequest, @CurrentPrincipal() p: Principal, @Res() res: FastifyReply): Promise<void> {
    const written = await this.rpc.request(Subjects.policy.publishPattern, {
      definition: definitionOf(req),
      actor: p.id,
      adminApprovers: adminApprovers(this.principals),
    });
    void res.status('status' in written.answer && written.answer.status === 'requested' ? 202 : 201).send(written);
  }

  @Get('patterns')
  @Documented('List patterns', ['PatternSummary'])
  list(): Promise<PatternSummary[]> {
    return this.rpc.request(Subjects.policy.listPatterns, {});
  }

  @Get('patterns/:name')
  @Documented("A pattern's newest version", 'PatternVersion')
  newest(@Param('name') name: string): Promise<PatternVersion> {
    return this.rpc.request(Subjects.policy.getPattern, { name });
  }

  @Get('patterns/:name/versions/:version')
  @Documented('One version of a pattern', 'PatternVersion')
  version(@Param('name') name: string, @Param('version', version) v: number): Promise<PatternVersion> {
    return this.rpc.request(Subjects.policy.getPattern, { name, version: v });
  }

  @Get('patterns/:name/derived')
  @Documented(
    'The workflows that extend a pattern',
    ['DerivedWorkflow'],
    "Each workflow whose current version extends the pattern: the pattern version it extends, and `behind` when a newer one is published (its owner's draft on the newer version is in the designer).",
  )
  derived(@Param('name') name: string): Promise<DerivedWorkflow[]> {
    return this.rpc.request(Subjects.policy.derived, { name });
  }
}
