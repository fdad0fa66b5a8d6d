import {
  AggregatorRegistry,
  Counter,
  CounterConfiguration,
  Gauge,
  GaugeConfiguration,
  Histogram,
  HistogramConfiguration,
  MetricObjectWithValues,
  MetricValue,
  register,
} from 'prom-client';
import { LocalRoutes, RouteRegistry } from './local-routes';

/*
 * Metrics live in the thread's default registry, which every service of one thread shares;
 * a service that starts twice in one process (tests, restarts) finds its metric already there.
 * A worker thread has a registry of its own: it answers it on THREAD_METRICS, and `metricsText`
 * adds it to the main thread's.
 */

export function counter<L extends string>(config: CounterConfiguration<L>): Counter<L> {
  const known = register.getSingleMetric(config.name);
  return known instanceof Counter ? known : new Counter(config);
}

export function gauge<L extends string>(config: GaugeConfiguration<L>): Gauge<L> {
  const known = register.getSingleMetric(config.name);
  return known instanceof Gauge ? known : new Gauge(config);
}

export function histogram<L extends string>(config: HistogramConfiguration<L>): Histogram<L> {
  const known = register.getSingleMetric(config.name);
  return known instanceof Histogram ? known : new Histogram(config);
}

/** The in-process route on which a worker thread (the ledger's) answers its registry's metrics, as JSON. */
export const THREAD_METRICS = 'workgate.thread.metrics';

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** How long `/metrics` waits for the other thread's metrics before answering with this thread's alone. */
const THREAD_METRICS_TIMEOUT_MS = 1500;

/** On a worker thread: answers THREAD_METRICS with this thread's registry (offered to the main thread with the other routes). Returns the way to stop. */
export function answerThreadMetrics(routes: RouteRegistry = LocalRoutes): () => void {
  const handler = async (): Promise<MetricsJson> => register.getMetricsAsJSON();
  routes.register(THREAD_METRICS, handler);
  return () => routes.unregister(THREAD_METRICS, handler);
}

/**
 * The Prometheus text of this thread's registry and, when another thread answers THREAD_METRICS,
 * of that thread's too: one metric per name, each series summed across the threads (a metric is
 * counted on one thread, and registered with no values on the other when both load its module).
 * A thread that does not answer (within 1.5 s) leaves its metrics out; this thread's are still answered.
 */
export async function metricsText(routes: RouteRegistry = LocalRoutes): Promise<string> {
  const other = routes.get(THREAD_METRICS);
  if (!other) return register.metrics();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), THREAD_METRICS_TIMEOUT_MS);
  });
  const theirs = (await Promise.race([other(undefined).catch(() => undefined), late]).finally(() =>
    clearTimeout(timer),
  )) as MetricsJson | undefined;
  if (!theirs) return register.metrics();
  return AggregatorRegistry.aggregate([await register.getMetricsAsJSON(), theirs]).metrics();
}
