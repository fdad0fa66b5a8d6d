import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString } from 'class-validator';
import type { Request, Response } from 'express';
import { Subjects } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { Roles } from '../http';
import { toCsv } from './csv';

class ClosuresQuery {
  @IsOptional() @IsIn(['missing']) evidence?: 'missing';
  @IsOptional() @IsISO8601() from?: string;
  @IsOptional() @IsISO8601() to?: string;
  @IsOptional() @IsString() jobType?: string;
}

/** Views of the ledger for analysts and ops leads: JSON, or CSV with `Accept: text/csv`. */
@ApiTags('views')
@ApiBearerAuth()
@Roles('analyst', 'ops-lead')
@Controller('v1/views')
export class ViewsController {
  constructor(private readonly rpc: RpcClient) {}

  /** Which work orders closed without closure evidence (e.g. closures reported by a source system)? */
  @Get('closures')
  async closures(@Query() q: ClosuresQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    const rows = await this.rpc.request<Array<Record<string, unknown>>>(Subjects.ledger.viewClosures, q);
    send(req, res, 'closures', rows);
  }
}

function send(req: Request, res: Response, name: string, rows: Array<Record<string, unknown>>): void {
  if (req.accepts(['application/json', 'text/csv']) === 'text/csv') {
    res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="workgate-${name}.csv"`).send(toCsv(rows));
  } else {
    res.json(rows);
  }
}
