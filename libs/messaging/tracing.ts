import { hostname } from 'node:os';
import {
  Attributes,
  context,
  Context,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { isWorkgateError } from '@workgate/contracts';
import { errorMessage } from './wire';

/** The SDK of this thread, once started (each worker thread has its own). */
let sdk: { shutdown(): Promise<void> } | undefined;

/**
 * Starts OpenTelemetry tracing for this process (or worker thread) when the standard
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set: spans are exported over OTLP (the protocol, headers and
 * the rest from the standard `OTEL_*` variables), W3C trace context propagates. Without it nothing
 * is loaded and every helper here is a no-op, so tracing costs nothing when it is off.
 */
export function startTracing(serviceName = 'workgate'): void {
  if (sdk || !process.env.OTEL_EXPORTER_OTLP_ENDPOINT) return;
  // Loaded only when tracing is on: the SDK and its exporters are large.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, not at import
  const { NodeSDK, resources } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  // Traces only, unless metrics or logs over OTLP are asked for by name (Prometheus has the metrics).
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const started = new NodeSDK({
    serviceName,
    instrumentations: [],
    // host.name without the host detector, whose machine id is read through a dynamic import.
    resource: resources.resourceFromAttributes({ 'host.name': hostname() }),
    resourceDetectors: [resources.envDetector, resources.processDetector],
  });
  started.start();
  sdk = started;
}

/** Exports what is pending and stops (at shutdown). */
export async function stopTracing(): Promise<void> {
  const stopping = sdk;
  sdk = undefined;
  // An unreachable collector must not hold up a shutdown: at most 3 s.
  await Promise.race([
    stopping?.shutdown().catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, 3000).unref()),
  ]);
}

export function tracingEnabled(): boolean {
  return sdk !== undefined;
}

/** The W3C `traceparent` of the active span, to carry in NATS headers, batch items and ledger metadata; undefined without one. */
export function currentTraceparent(): string | undefined {
  if (!sdk) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The context a `traceparent` (and `tracestate`) names, or the active one without it. */
export function contextOf(traceparent?: string, tracestate?: string): Context {
  if (!sdk || !traceparent) return context.active();
  return propagation.extract(ROOT_CONTEXT, tracestate ? { traceparent, tracestate } : { traceparent });
}

/**
 * Runs `work` in a span named `name` (a child of `parent`, or of the active span), recording an
 * error it throws; without tracing, just runs it.
 */
export function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; parent?: Context; attributes?: Attributes },
  work: (span?: Span) => Promise<T>,
): Promise<T> {
  if (!sdk) return work();
  const tracer = trace.getTracer('workgate');
  return tracer.startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        // A refusal is an answer, not a failure of the span; anything else is an error.
        if (isWorkgateError(error) && error.code !== 'internal') span.setAttribute('workgate.refusal', error.code);
        else span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

export { SpanKind };

/** A span started now and ended by its owner, with the context and `traceparent` of work done under it. */
export interface OpenSpan {
  span: Span;
  context: Context;
  traceparent?: string;
  end(error?: unknown): void;
}

/** Starts a span (a child of `parent`) to be ended later, for work that is not one function call; undefined without tracing. */
export function openSpan(
  name: string,
  options: { kind?: SpanKind; parent?: Context; attributes?: Attributes },
): OpenSpan | undefined {
  if (!sdk) return undefined;
  const parent = options.parent ?? context.active();
  const span = trace
    .getTracer('workgate')
    .startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent);
  const ctx = trace.setSpan(parent, span);
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return {
    span,
    context: ctx,
    traceparent: carrier.traceparent,
    end: (error?: unknown) => {
      if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
      span.end();
    },
  };
}

/** Runs `work` in `ctx` (the context of an open span), or as is without one. */
export function withContext<T>(ctx: Context | undefined, work: () => T): T {
  return ctx ? context.with(ctx, work) : work();
}
