import { dirname, join } from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public, SkipRateLimit } from '../http';
import { CSS, JS, PAGE_CSP, StaticPage, webFiles } from './static-page';

const SWAGGER_UI = dirname(require.resolve('swagger-ui-dist/package.json'));

/**
 * The HTTP API's reference at `GET /docs`: Swagger UI (from swagger-ui-dist, served as the page's
 * own files) over the OpenAPI document at `/docs-json`. Public, with the pages' CSP except that
 * Swagger UI sets styles inline.
 */
@ApiExcludeController()
@Public()
@SkipRateLimit()
@Controller('docs')
export class DocsController {
  private readonly page = new StaticPage(
    'API reference',
    {
      ...webFiles('api-docs'),
      'swagger-ui.css': [join(SWAGGER_UI, 'swagger-ui.css'), CSS],
      'swagger-ui-bundle.js': [join(SWAGGER_UI, 'swagger-ui-bundle.js'), JS],
      'swagger-ui-standalone-preset.js': [join(SWAGGER_UI, 'swagger-ui-standalone-preset.js'), JS],
    },
    PAGE_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  );

  @Get()
  index(@Res() res: FastifyReply): void {
    this.page.index(res);
  }

  @Get(':file')
  asset(@Param('file') file: string, @Res() res: FastifyReply): void {
    this.page.asset(res, file);
  }
}
