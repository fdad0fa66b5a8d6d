import { join } from 'node:path';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public, SkipRateLimit } from '../http';
import { API_VERSION } from '../openapi';
import { StaticPage, WEB_DIR } from './static-page';

/** What `GET /v1` answers: where everything is. Public: names paths only, nothing of this deployment. */
export const API_INDEX = {
  name: 'workgate',
  version: API_VERSION,
  auth: 'Authorization: Bearer <api key> (issued by `npm run principal`)',
  docs: '/docs',
  openapi: '/docs-json',
  health: '/health',
  metrics: '/metrics',
  me: '/v1/me',
  workflows: '/v1/workflows',
  workOrders: '/v1/work-orders',
  events: '/v1/events',
  approvals: '/v1/approvals',
  ledgerKey: '/v1/ledger/key',
  mcp: '/mcp',
  dashboard: '/',
  console: '/console',
} as const;

/**
 * The front door: `GET /v1` (the URL `npm start` prints for the API) answers the index of the API
 * instead of 404, and `/favicon.ico` the icon every page names (cached).
 */
@ApiExcludeController()
@Public()
@Controller()
export class FrontDoorController {
  private readonly icon = new StaticPage('icon', {
    'favicon.ico': [join(WEB_DIR, 'favicon.ico'), 'image/x-icon'],
  });

  @Get('v1')
  index(): typeof API_INDEX {
    return API_INDEX;
  }

  @SkipRateLimit()
  @Get('favicon.ico')
  favicon(@Res() res: FastifyReply): void {
    this.icon.asset(res, 'favicon.ico');
  }
}
