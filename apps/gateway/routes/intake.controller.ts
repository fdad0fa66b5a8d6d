import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import type { Request, Response } from 'express';
import { Receipt, Subjects, WorkgateError } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { CurrentPrincipal, Principal, Roles } from '../http';

class RejectionsQuery {
  @IsOptional() @IsString() source?: string;
  @IsOptional() @Matches(/^\d{1,3}$/, { message: 'limit must be a number up to 500' }) limit?: string;
  @IsOptional() @Matches(/^\d{1,15}$/, { message: 'before must be a ledger position' }) before?: string;
}

interface IngestOutcome {
  id?: string;
  ok: boolean;
  reasons?: string[];
  rejectionId?: string;
}

@ApiTags('intake')
@ApiBearerAuth()
@Controller('v1')
export class IntakeController {
  constructor(private readonly rpc: RpcClient) {}

  /**
   * CloudEvents over HTTP: structured (`application/cloudevents+json`) or batch
   * (`application/cloudevents-batch+json`). 202 once committed; 422 (and kept as rejections) when refused.
   */
  @Post('events')
  @Roles('integrator')
  @HttpCode(202)
  async events(@Req() req: Request & { rawBody?: Buffer }, @CurrentPrincipal() p: Principal, @Res({ passthrough: true }) res: Response) {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/cloudevents+json' && type !== 'application/cloudevents-batch+json') {
      throw new WorkgateError('unsupported_media_type', 'send application/cloudevents+json or application/cloudevents-batch+json');
    }
    if (type === 'application/cloudevents-batch+json' && !Array.isArray(req.body)) {
      throw new WorkgateError('validation_failed', 'a batch is a JSON array of CloudEvents');
    }
    const outcomes = await this.rpc.request(Subjects.intake.ingest, { body: req.body, raw: JSON.stringify(req.body), caller: p.id }, { timeoutMs: 30_000 });
    const refused = outcomes.filter((o) => !o.ok);
    if (refused.length) throw new WorkgateError('invalid_event', `${refused.length} of ${outcomes.length} event(s) refused and kept as rejections`, outcomes);
    res.status(202);
    return { accepted: outcomes.length, results: outcomes };
  }

  @Get('intake/rejections')
  @Roles('integrator', 'ops-lead')
  rejections(@Query() q: RejectionsQuery) {
    return this.rpc.request(Subjects.intake.rejections, {
      source: q.source,
      limit: q.limit === undefined ? undefined : Number(q.limit),
      before: q.before === undefined ? undefined : Number(q.before),
    });
  }

  @Get('receipts/:id')
  receipt(@Param('id') id: string, @CurrentPrincipal() p: Principal): Promise<Receipt> {
    return this.rpc.request(Subjects.intake.receipt, { receiptId: id, includePrivate: p.roles.includes('ops-lead') });
  }
}
