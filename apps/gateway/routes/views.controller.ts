import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { compareColumns, CompareBy, CompareRow, Subjects, viewColumns, ViewName, ViewQuery } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { Documented, ref, viewSchemaName } from '../openapi';
import { preferredType, ReadsViews, Roles } from '../http';
import { toCsv } from './csv';

/** What every view takes (docs/views.md, The views). */
class ViewQueryDto {
  /** Start of the window on the view's own time (inclusive), RFC 3339. */
  @IsOptional() @IsISO8601({ strict: true }) from?: string;
  /** End of the window (exclusive), RFC 3339. */
  @IsOptional() @IsISO8601({ strict: true }) to?: string;
  /** The instant overdue, stalled and age are measured at; default now. */
  @IsOptional() @IsISO8601({ strict: true }) asOf?: string;
  @IsOptional() @IsString() @MaxLength(200) jobType?: string;
  /** `version`: one row per workflow version (compare SOP versions). */
  @IsOptional() @IsIn(['version']) groupBy?: 'version';
  @IsOptional() @Matches(/^\d{1,5}$/, { message: 'limit must be a whole number' }) limit?: string;
}

class ClosuresQuery extends ViewQueryDto {
  @IsOptional() @IsIn(['missing']) evidence?: 'missing';
}

class TrendsQuery extends ViewQueryDto {
  @IsOptional() @IsIn(['day', 'week', 'month']) interval?: 'day' | 'week' | 'month';
  @IsOptional() @IsString() @MaxLength(200) code?: string;
}

class PostReviewsQuery extends ViewQueryDto {
  @IsOptional() @IsIn(['true', 'false']) overdue?: 'true' | 'false';
  @IsOptional() @IsString() @MaxLength(200) owner?: string;
}

class ApprovalsViewQuery extends ViewQueryDto {
  @IsOptional()
  @IsIn(['pending', 'all', 'requested', 'conditional', 'approved', 'rejected', 'expired'])
  status?: string;
  @IsOptional() @IsString() @MaxLength(200) owner?: string;
}

class ExceptionsViewQuery extends ViewQueryDto {
  /** `true`: only those escalated by asOf; `false`: only those not. */
  @IsOptional() @IsIn(['true', 'false']) escalated?: 'true' | 'false';
  /** Where each stood at asOf; default all. */
  @IsOptional() @IsIn(['open', 'resolved', 'all']) status?: 'open' | 'resolved' | 'all';
  @IsOptional() @IsString() @MaxLength(200) code?: string;
  @IsOptional() @IsString() @MaxLength(200) owner?: string;
}

/** Departments or job types side by side: a window on closure, and asOf for overdue post-reviews. */
class DepartmentsQuery {
  @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @IsOptional() @IsISO8601({ strict: true }) to?: string;
  @IsOptional() @IsISO8601({ strict: true }) asOf?: string;
}

class CompareQueryDto extends DepartmentsQuery {
  /** Default `department`. */
  @IsOptional() @IsIn(['department', 'jobType']) by?: CompareBy;
}

/** The comparison answers its rows as JSON, or as CSV with `Accept: text/csv`. */
const compareAnswer = {
  json: { type: 'array', items: ref('CompareRow') },
  alternatives: { 'text/csv': { type: 'string', description: 'UTF-8 with BOM, formula-safe, as an attachment' } },
};

/** A view's query as it comes in: its limit still the text of the query string. */
type ViewQueryFields = Omit<ViewQuery, 'view' | 'limit'> & { limit?: string };

/** A view answers its rows as JSON, or as CSV with `Accept: text/csv`. */
const viewAnswer = (view: ViewName) => ({
  json: { type: 'array', items: ref(viewSchemaName(view)) },
  alternatives: { 'text/csv': { type: 'string', description: 'UTF-8 with BOM, formula-safe, as an attachment' } },
});

/**
 * The evidence views for analysts and ops leads: JSON, or CSV with `Accept: text/csv`
 * (UTF-8 with BOM, formula-safe, as an attachment). Each view's window is on its own time:
 * closures and first-time-fix and evidence-completeness on closedAt, exceptions (and their codes, trends) on raisedAt,
 * stall rates on openedAt, post-reviews on createdAt, approvals on requestedAt; the live map's
 * views (steps, step-exceptions, gates, rules, exception-codes) on their work order's openedAt.
 */
@ApiTags('views')
@Roles('analyst', 'ops-lead')
@ReadsViews()
@Controller('v1/views')
export class ViewsController {
  constructor(private readonly rpc: RpcClient) {}

  /** Which work orders closed without closure evidence (e.g. closures reported by a source system)? */
  @Get('closures')
  @Documented('Closures, and those without evidence', viewAnswer('closures'))
  closures(@Query() q: ClosuresQuery, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer('closures', q, req, res);
  }

  /** Which exception codes repeat most, who owns them, and how many remediations are still open? */
  @Get('exception-codes/top')
  @Documented('Exception codes that repeat most', viewAnswer('exception-codes/top'))
  topCodes(@Query() q: ViewQueryDto, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer('exception-codes/top', q, req, res);
  }

  /** Exception volume by code per day, week or month. */
  @Get('exception-trends')
  @Documented('Exception volume over time', viewAnswer('exception-trends'))
  trends(@Query() q: TrendsQuery, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer('exception-trends', q, req, res);
  }

  /** Which job types stall: blocked or waiting longer than their workflow's stall threshold. */
  @Get('stall-rates')
  @Documented('Stall rates by job type', viewAnswer('stall-rates'))
  stallRates(@Query() q: ViewQueryDto, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer('stall-rates', q, req, res);
  }

  /** Which owners are overdue on post-reviews (`overdue=true`), or every post-review open at asOf. */
  @Get('post-reviews')
  @Documented('Post-reviews, and overdue owners', viewAnswer('post-reviews'))
  postReviews(@Query() q: PostReviewsQuery, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer('post-reviews', { ...q, overdue: q.overdue === 'true' }, req, res);
  }

  /** Per job type: the share closed with no exception and no reopen. */
  @Get('first-time-fix')
  @Documented('First-time-fix rate by job type', viewAnswer('first-time-fix'))
  firstTimeFix(@Query() q: ViewQueryDto, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer('first-time-fix', q, req, res);
  }

  /** Approvals by owner with their age (default: the pending ones). */
  @Get('approvals')
  @Documented('Approvals by owner, with age', viewAnswer('approvals'))
  approvals(@Query() q: ApprovalsViewQuery, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer('approvals', q, req, res);
  }

  /** Per job type: the share of closures and of steps that carry their required evidence. */
  @Get('evidence-completeness')
  @Documented('Evidence completeness by job type', viewAnswer('evidence-completeness'))
  evidenceCompleteness(@Query() q: ViewQueryDto, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer('evidence-completeness', q, req, res);
  }

  /** The live workflow map's steps: open, completed, blocked, stalled, p50 and p95 duration (work orders opened in the window). */
  @Get('steps')
  @Documented('Steps of a workflow: where work is, stalls and how long it takes', viewAnswer('steps'))
  steps(@Query() q: ViewQueryDto, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer('steps', q, req, res);
  }

  /** The exception codes each step was blocked with, and how often (work orders opened in the window). */
  @Get('step-exceptions')
  @Documented('Exception codes that block each step', viewAnswer('step-exceptions'))
  stepExceptions(@Query() q: ViewQueryDto, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer('step-exceptions', q, req, res);
  }

  /** Each gate of the map (a wait rule, a stage's or overlay's gate): its approvals by status and the p50 wait. */
  @Get('gates')
  @Documented('Gates: approvals by status and wait', viewAnswer('gates'))
  gates(@Query() q: ViewQueryDto, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer('gates', q, req, res);
  }

  /** Action decisions per rule (null: the boundary decided) and decision (work orders opened in the window). */
  @Get('rules')
  @Documented('Decisions per rule', viewAnswer('rules'))
  rules(@Query() q: ViewQueryDto, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer('rules', q, req, res);
  }

  /** Per exception code of the window's work orders: raised, open and overdue at asOf. */
  @Get('exception-codes')
  @Documented('Exception codes: open and overdue', viewAnswer('exception-codes'))
  exceptionCodes(@Query() q: ViewQueryDto, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.answer('exception-codes', q, req, res);
  }

  /** Exceptions raised in the window as they stood at asOf: open or resolved, breached, escalated (to whom, when). */
  @Get('exceptions')
  @Documented('Exceptions, breached and escalated', viewAnswer('exceptions'))
  exceptions(@Query() q: ExceptionsViewQuery, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const { escalated, ...rest } = q;
    return this.answer(
      'exceptions',
      { ...rest, ...(escalated === undefined ? {} : { escalated: escalated === 'true' }) },
      req,
      res,
    );
  }

  /** Per department (the one a work order's workflow version names; null: none) or job type: how work went. */
  @Get('workflows/compare')
  @Documented('Departments or job types side by side', compareAnswer)
  compare(@Query() q: CompareQueryDto, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.compared(q, req, res);
  }

  /** Per department: the comparison grouped by department. */
  @Get('departments')
  @Documented('Departments side by side', compareAnswer)
  departments(@Query() q: DepartmentsQuery, @Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    return this.compared({ ...q, by: 'department' }, req, res);
  }

  private async compared(q: CompareQueryDto, req: FastifyRequest, res: FastifyReply): Promise<void> {
    const by = q.by ?? 'department';
    const rows = await this.rpc.request(Subjects.ledger.compare, { ...q, by });
    if (preferredType(req.headers.accept, ['application/json', 'text/csv']) === 'text/csv') {
      void res
        .type('text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="workgate-compare-${by}.csv"`)
        .send(toCsv(rows.map(codesAsText), compareColumns(by)));
    } else {
      void res.send(rows);
    }
  }

  private async answer(view: ViewName, q: ViewQueryFields, req: FastifyRequest, res: FastifyReply): Promise<void> {
    const { limit, ...rest } = q;
    const query: ViewQuery = { ...rest, view, ...(limit !== undefined ? { limit: Number(limit) } : {}) };
    const rows = await this.rpc.request(Subjects.ledger.view, query);
    if (preferredType(req.headers.accept, ['application/json', 'text/csv']) === 'text/csv') {
      void res
        .type('text/csv; charset=utf-8')
        .header('Content-Disposition', `attachment; filename="workgate-${view.replace('/', '-')}.csv"`)
        .send(toCsv(rows, viewColumns(view, query.groupBy)));
    } else {
      void res.send(rows);
    }
  }
}

/** A row for CSV: the codes as `CODE=n` pairs in one cell, by code. */
const codesAsText = (row: CompareRow): Record<string, unknown> => ({
  ...row,
  exceptionsPer100ByCode: Object.entries(row.exceptionsPer100ByCode)
    .map(([code, n]) => `${code}=${n}`)
    .join('; '),
});
