import {
  Counter,
  CounterConfiguration,
  Gauge,
  GaugeConfiguration,
  Histogram,
  HistogramConfiguration,
  register,
} from 'prom-client';

/*
 * Metrics live in the process's default registry, which every service of one process shares;
 * a service that starts twice in one process (tests, restarts) finds its metric already there.
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
