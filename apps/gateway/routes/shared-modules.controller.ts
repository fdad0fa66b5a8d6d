import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public, SkipRateLimit } from '../http';
import { StaticPage, webFiles } from './static-page';

/**
 * `GET /shared/<file>`: the browser modules every page imports (`web/shared`: the API client,
 * tables, durations), as `../shared/<file>` from a page's own scripts. Public, like the pages.
 */
@ApiExcludeController()
@Public()
@SkipRateLimit()
@Controller('shared')
export class SharedModulesController {
  private readonly modules = new StaticPage('shared module', webFiles('shared'));

  @Get(':file')
  asset(@Param('file') file: string, @Res() res: FastifyReply): void {
    this.modules.asset(res, file);
  }
}
