import { dirname, join } from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public, SkipRateLimit } from '../http';
import { JS, StaticPage, webFiles } from './static-page';

/**
 * The ops dashboard at `GET /` (SPEC section 6): `web/dashboard`, its files at `/dashboard/<file>`;
 * no build step. The page itself is public; the data it shows comes from the view API with the key
 * the user enters.
 */
@ApiExcludeController()
@Public()
@SkipRateLimit()
@Controller()
export class DashboardController {
  private readonly page = new StaticPage('dashboard', {
    ...webFiles('dashboard'),
    // Chart.js from node_modules, served as one of the dashboard's own files.
    'chart.umd.min.js': [join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), JS],
  });

  @Get()
  index(@Res() res: FastifyReply): void {
    this.page.index(res);
  }

  @Get('dashboard/:file')
  asset(@Param('file') file: string, @Res() res: FastifyReply): void {
    this.page.asset(res, file);
  }
}
