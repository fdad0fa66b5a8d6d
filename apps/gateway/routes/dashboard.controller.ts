import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { WorkgateError } from '@workgate/contracts';
import { Public } from '../http';

/** Only scripts, styles and API calls from this origin; nothing inline, nothing framed. */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const DIR = join(__dirname, '..', 'dashboard');

/** The files the dashboard is made of, read once: its own page, script and style, and Chart.js from node_modules. */
function assets(): Map<string, { body: Buffer; type: string }> {
  const chartJs = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
  return new Map([
    ['index.html', { body: readFileSync(join(DIR, 'index.html')), type: 'text/html; charset=utf-8' }],
    ['dashboard.js', { body: readFileSync(join(DIR, 'dashboard.js')), type: 'text/javascript; charset=utf-8' }],
    ['dashboard.css', { body: readFileSync(join(DIR, 'dashboard.css')), type: 'text/css; charset=utf-8' }],
    ['chart.umd.min.js', { body: readFileSync(chartJs), type: 'text/javascript; charset=utf-8' }],
  ]);
}

/**
 * The ops dashboard at `GET /` (SPEC section 6): static files, no build step. The page itself is
 * public; the data it shows comes from the view API with the key the user enters.
 */
@ApiExcludeController()
@Public()
@SkipThrottle()
@Controller()
export class DashboardController {
  private readonly files = assets();

  @Get()
  index(@Res() res: Response): void {
    this.send(res, 'index.html', 'no-cache');
  }

  @Get('dashboard/:file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    if (file === 'index.html' || !this.files.has(file)) throw new WorkgateError('not_found', 'no such dashboard file');
    this.send(res, file, 'public, max-age=300');
  }

  private send(res: Response, name: string, cache: string): void {
    const file = this.files.get(name)!;
    res
      .status(200)
      .setHeader('Content-Type', file.type)
      .setHeader('Content-Security-Policy', DASHBOARD_CSP)
      .setHeader('X-Content-Type-Options', 'nosniff')
      .setHeader('Referrer-Policy', 'no-referrer')
      .setHeader('Cache-Control', cache)
      .end(file.body);
  }
}
