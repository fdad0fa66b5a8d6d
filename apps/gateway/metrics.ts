import { Controller, Get, Header, Injectable } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Documented } from './openapi';
import { Public, SkipRateLimit } from './http';
import { collectDefaultMetrics, Counter, Histogram, register } from 'prom-client';
import { counter, histogram, metricsText } from '@workgate/messaging';

let defaultsCollected = false;

/** Prometheus metrics of this process, its ledger thread's included (with every service in one process, of all of them); `observe` counts each answered request. */
@Injectable()
export class HttpMetrics {
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route'>;

  constructor() {
    if (!defaultsCollected) {
      collectDefaultMetrics({ prefix: 'workgate_' });
      defaultsCollected = true;
    }
    this.requests = counter({
      name: 'workgate_http_requests_total',
      help: 'HTTP requests answered',
      labelNames: ['method', 'route', 'status'],
    });
    this.duration = histogram({
      name: 'workgate_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    });
  }

  /** Counts an answered request and its duration (an `onResponse` hook). */
  observe(req: FastifyRequest, reply: FastifyReply): void {
    // The matched route pattern, not the raw URL, keeps label cardinality bounded.
    const route = req.routeOptions.url ?? 'unmatched';
    this.duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    this.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
  }
}

@ApiTags('operations')
@Public()
@SkipRateLimit()
@Controller()
export class MetricsController {
  @Get('metrics')
  @Documented('Metrics for Prometheus', {
    alternatives: { 'text/plain': { type: 'string', description: 'the Prometheus text format' } },
  })
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return metricsText();
  }
}
