import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public, SkipRateLimit } from '../http';
import { webPages } from './web-pages';

/**
 * The browser pages (docs/views.md, The dashboard), static files with no build step: the ops dashboard at `/`,
 * the console at `/console` (where approvers, operators and ops leads act), the HTTP API's
 * reference at `/docs` (Swagger UI over `/docs-json`), each page's own files at `/<page>/<file>`,
 * the modules the pages share at `/shared/<file>`, and the packages the console imports by name at
 * `/modules/<name>@<version>/<file>`. The pages are public; everything they show
 * or do is a `/v1` call with the key the user enters.
 */
@ApiExcludeController()
@Public()
@SkipRateLimit()
@Controller()
export class PagesController {
  private readonly pages = webPages();

  @Get()
  dashboard(@Res() res: FastifyReply): void {
    this.pages.dashboard.index(res);
  }

  @Get('dashboard/:file')
  dashboardFile(@Param('file') file: string, @Res() res: FastifyReply): void {
    this.pages.dashboard.asset(res, file);
  }

  @Get('console')
  console(@Res() res: FastifyReply): void {
    this.pages.console.index(res);
  }

  @Get('console/:file')
  consoleFile(@Param('file') file: string, @Res() res: FastifyReply): void {
    this.pages.console.asset(res, file);
  }

  @Get('docs')
  docs(@Res() res: FastifyReply): void {
    this.pages.docs.index(res);
  }

  @Get('docs/:file')
  docsFile(@Param('file') file: string, @Res() res: FastifyReply): void {
    this.pages.docs.asset(res, file);
  }

  /** The packages the console imports by name (its import map points here), e.g. `/modules/yaml@2.9.1/browser/index.js`. */
  @Get('modules/*')
  moduleFile(@Param('*') path: string, @Res() res: FastifyReply): void {
    this.pages.modules.asset(res, path);
  }

  @Get('shared/:file')
  sharedFile(@Param('file') file: string, @Res() res: FastifyReply): void {
    this.pages.shared.asset(res, file);
  }
}
