import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Response } from 'express';
import { WorkgateError } from '@workgate/contracts';
import { Public } from '../http';
import { DASHBOARD_CSP } from './dashboard.controller';

const DIR = join(__dirname, '..', 'console');

const FILES = new Map([
  ['index.html', 'text/html; charset=utf-8'],
  ['console.js', 'text/javascript; charset=utf-8'],
  ['console.css', 'text/css; charset=utf-8'],
]);

/**
 * The console at `GET /console` (SPEC section 6), where approvers, operators and ops leads act:
 * static files, no build step, the dashboard's strict CSP. The page is public; everything it shows
 * or does is a `/v1` call with the key the user signs in with.
 */
@ApiExcludeController()
@Public()
@SkipThrottle()
@Controller('console')
export class ConsoleController {
  private readonly files = new Map([...FILES].map(([name, type]) => [name, { body: readFileSync(join(DIR, name)), type }]));

  @Get()
  index(@Res() res: Response): void {
    this.send(res, 'index.html', 'no-cache');
  }

  @Get(':file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    if (file === 'index.html' || !this.files.has(file)) throw new WorkgateError('not_found', 'no such console file');
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
