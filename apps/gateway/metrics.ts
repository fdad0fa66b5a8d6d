import { Controller, Get, Header, Injectable, NestMiddleware } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Documented } from './openapi';
import type { NextFunction, Request, Response } from 'express';
import { Public, SkipRateLimit } from './http';
import { collectDefaultMetrics, Counter, Histogram, register } from 'prom-client';
import { counter, histogram } from '@workgate/messaging';

let defaultsCollected = false;

/** Prometheus metrics of this process (with every service in one process, of all of them). */
@Injectable()
export class HttpMetrics implements NestMiddleware {
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route'>;

  constructor() {
    if (!defaultsCollected) {
      collectDefaultMetrics({ prefix: 'workgate_' });
      defaultsCollected = true;
    }
    this.requests = counter({ name: 'workgate_http_requests_total', help: 'HTTP requests answered', labelNames: ['method', 'route', 'status'] });
    this.duration = histogram({
      name: 'workgate_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    });
  }

  use(req: Request, res: Response, next: NextFunction): void {
    const stop = this.duration.startTimer();
    res.on('finish', () => {
      // The matched route pattern, not the raw URL, keeps label cardinality bounded.
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      stop({ method: req.method, route });
      this.requests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  }
}

@ApiTags('operations')
@Public()
@SkipRateLimit()
@Controller()
export class MetricsController {
  @Get('metrics')
  @Documented('Metrics for Prometheus', { alternatives: { 'text/plain': { type: 'string', description: 'the Prometheus text format' } } })
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
