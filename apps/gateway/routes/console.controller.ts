import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { SECRET_PATTERNS } from '@workgate/domain';
import { Public, SkipRateLimit } from '../http';
import { JS, StaticPage, webFiles } from './static-page';

/**
 * `window.workgateMask(text)`: the API's masking of credential-shaped text (`maskSecrets`, the same
 * patterns), for what the console shows of answers that carry text as it was sent (an ops lead's
 * ledger events: a delegation's prompt).
 */
export function maskingScript(): string {
  const patterns = SECRET_PATTERNS.map(String).join(',\n  ');
  return `'use strict';\nwindow.workgateMask = (function (patterns) {\n  return function (text) {\n    return patterns.reduce(function (t, re) { return t.replace(re, '[redacted]'); }, String(text));\n  };\n})([\n  ${patterns},\n]);\n`;
}

/**
 * The console at `GET /console` (SPEC section 6), where approvers, operators and ops leads act:
 * `web/console`, its modules at `/console/<file>`; no build step, the dashboard's strict CSP. The
 * page is public; everything it shows or does is a `/v1` call with the key the user signs in with.
 */
@ApiExcludeController()
@Public()
@SkipRateLimit()
@Controller('console')
export class ConsoleController {
  private readonly page = new StaticPage('console', {
    ...webFiles('console'),
    'masking.js': { text: maskingScript(), type: JS },
  });

  @Get()
  index(@Res() res: FastifyReply): void {
    this.page.index(res);
  }

  @Get(':file')
  asset(@Param('file') file: string, @Res() res: FastifyReply): void {
    this.page.asset(res, file);
  }
}
