import { Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RouteConfig } from '@nestjs/platform-fastify';
import { IsOptional, IsString, Matches } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { CloudEventMode, IngestOutcome, Receipt, Subjects, WorkgateError, Written } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { Documented, ref, RequestBody } from '../openapi';
import { CurrentPrincipal, Principal, RawBodyRoute, Roles } from '../http';

/** Refuses invalid UTF-8 instead of replacing it. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

class RejectionsQuery {
  @IsOptional() @IsString() source?: string;
  @IsOptional() @Matches(/^\d{1,3}$/, { message: 'limit must be a number up to 500' }) limit?: string;
  @IsOptional() @Matches(/^\d{1,15}$/, { message: 'before must be a ledger position' }) before?: string;
}

@ApiTags('intake')
@Controller('v1')
export class IntakeController {
  constructor(private readonly rpc: RpcClient) {}

  /**
   * CloudEvents over HTTP in the three modes of the binding: structured
   * (`application/cloudevents+json`), batch (`application/cloudevents-batch+json`) and binary
   * (`ce-` headers, the data as the JSON body). 202 once committed; 422 `invalid_event` when any
   * is refused (none applied; each refused one kept as a rejection, as on WORK_EVENTS).
   */
  @Post('events')
  // The bytes as they came, whatever their type: intake reads (or keeps as a rejection) every one.
  @RouteConfig({ rawBody: true } satisfies RawBodyRoute)
  @RequestBody({
    'application/cloudevents+json': ref('CloudEvent'),
    'application/cloudevents-batch+json': { type: 'array', items: ref('CloudEvent'), minItems: 1 },
    'application/json': {
      description:
        "binary mode: the attributes as `ce-` headers (`ce-specversion`, `ce-id`, `ce-source`, `ce-type`, `ce-subject`), the event's data as the body",
      type: 'object',
    },
  })
  @Roles('integrator')
  @HttpCode(202)
  @Documented(
    'Send CloudEvents',
    'IngestAnswer',
    'The three modes of the CloudEvents HTTP binding: structured (`application/cloudevents+json`), batch (`application/cloudevents-batch+json`) and binary (`ce-` headers, `data` as the JSON body). 202 once committed; 422 `invalid_event` when any is refused: none is applied, each refused one is kept as a rejection (listed by `GET /v1/intake/rejections`) and `details` holds every outcome.',
  )
  async events(
    @Req() req: FastifyRequest,
    @CurrentPrincipal() p: Principal,
  ): Promise<Written<{ accepted: number; results: IngestOutcome[] }>> {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const mode: CloudEventMode | undefined =
      type === 'application/cloudevents+json'
        ? 'structured'
        : type === 'application/cloudevents-batch+json'
          ? 'batch'
          : req.headers['ce-specversion'] !== undefined
            ? 'binary'
            : undefined;
    if (!mode) {
      throw new WorkgateError(
        'unsupported_media_type',
        'send CloudEvents as application/cloudevents+json (structured), application/cloudevents-batch+json (batch), or in binary mode (ce- headers, the data as application/json)',
      );
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers))
      if ((name.startsWith('ce-') || name === 'content-type') && typeof value === 'string') headers[name] = value;
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let text: string | undefined;
    try {
      text = UTF8.decode(body);
    } catch {
      text = undefined; // kept as a rejection by intake, byte for byte
    }
    const { answer: outcomes, position } = await this.rpc.request(
      Subjects.intake.ingest,
      { mode, headers, ...(text !== undefined ? { text } : { base64: body.toString('base64') }), caller: p.id },
      { timeoutMs: 30_000 },
    );
    const refused = outcomes.filter((o) => !o.ok);
    if (refused.length)
      throw new WorkgateError(
        'invalid_event',
        `${refused.length} of ${outcomes.length} event(s) refused and kept as rejections`,
        outcomes,
      );
    return { answer: { accepted: outcomes.length, results: outcomes }, position };
  }

  @Get('intake/rejections')
  @Roles('integrator', 'ops-lead')
  @Documented(
    'Refused events, kept',
    'RejectionsPage',
    'Newest first: the raw bytes (base64), their SHA-256 and every reason.',
  )
  rejections(@Query() q: RejectionsQuery) {
    return this.rpc.request(Subjects.intake.rejections, {
      source: q.source,
      limit: q.limit === undefined ? undefined : Number(q.limit),
      before: q.before === undefined ? undefined : Number(q.before),
    });
  }

  @Get('receipts/:id')
  @Documented(
    'A receipt',
    'Receipt',
    'What was decided or recorded, under which policy version, with its evidence and ledger position. Private evidence only for ops leads.',
  )
  receipt(@Param('id') id: string, @CurrentPrincipal() p: Principal): Promise<Receipt> {
    return this.rpc.request(Subjects.intake.receipt, { receiptId: id, includePrivate: p.roles.includes('ops-lead') });
  }
}
