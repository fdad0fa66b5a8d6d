import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import type { Request, Response } from 'express';
import { SignedCheckpoint, Subjects, VerifyCheckpointDto, VerifyResult } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { Documented, ref } from '../openapi';
import { Roles } from '../http';

class EventsQuery {
  @IsOptional() @Matches(/^\d{1,15}$/, { message: 'after must be a ledger position' }) after?: string;
  @IsOptional() @Matches(/^\d{1,5}$/, { message: 'limit must be a number up to 10000' }) limit?: string;
}

/** Ledger export and proof, for ops leads and auditors. */
@ApiTags('ledger')
@Roles('ops-lead')
@Controller('v1/ledger')
export class LedgerController {
  constructor(private readonly rpc: RpcClient) {}

  /** Events in position order; NDJSON with `Accept: application/x-ndjson` (one event a line, `next` in the `Ledger-Next` header). */
  @Get('events')
  @Documented('Export the ledger', { json: ref('ReadAllResult'), alternatives: { 'application/x-ndjson': { type: 'string', description: 'one event a line' } }, headers: { 'Ledger-Next': { description: 'with NDJSON: the `after` of the next page', schema: { type: 'string' } } } }, 'Events in position order from `after`; `Accept: application/x-ndjson` answers one event a line.')
  async events(@Query() q: EventsQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    const page = await this.rpc.request(Subjects.ledger.readAll, {
      after: q.after === undefined ? 0 : Number(q.after),
      limit: q.limit === undefined ? 1000 : Number(q.limit),
    });
    if (req.accepts(['application/json', 'application/x-ndjson']) === 'application/x-ndjson') {
      res.type('application/x-ndjson').setHeader('Ledger-Next', String(page.next));
      res.send(page.events.map((e) => JSON.stringify(e)).join('\n') + (page.events.length ? '\n' : ''));
    } else {
      res.json(page);
    }
  }

  @Get('verify')
  @Documented('Verify the hash chain', 'VerifyResult')
  verify(): Promise<VerifyResult> {
    return this.rpc.request(Subjects.ledger.verify, {}, { timeoutMs: 300_000 });
  }

  /** A signed checkpoint (Ed25519) of the head, to keep outside the database. */
  @Get('checkpoint')
  @Documented('A signed checkpoint of the head', 'SignedCheckpoint', 'Ed25519; keep it outside the database to detect a truncated or rewritten tail later.')
  checkpoint(): Promise<SignedCheckpoint> {
    return this.rpc.request(Subjects.ledger.checkpoint, {});
  }

  /** Verifies the chain against a kept checkpoint: also catches a truncated or rewritten tail. */
  @Post('verify')
  @HttpCode(200)
  @Documented('Verify the chain against a kept checkpoint', 'VerifyResult')
  verifyCheckpoint(@Body() body: VerifyCheckpointDto): Promise<VerifyResult> {
    return this.rpc.request(Subjects.ledger.verifyCheckpoint, { checkpoint: body.checkpoint }, { timeoutMs: 300_000 });
  }
}
