import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Subjects, ViewCounts as Counts } from '@workgate/contracts';
import { counter, gauge, RpcClient } from '@workgate/messaging';
import { HealthMonitor } from './health-monitor';

/** How long the counts read at a scrape are reused (one query at a time), and how long a scrape waits for them. */
const COUNTS_FRESH_MS = 5000;
const COUNTS_TIMEOUT_MS = 1500;

/** Where the gauges read from: the gateway that started last in this process (tests start several). */
let source: DomainMetrics | undefined;

/**
 * The domain's state as Prometheus gauges, read when scraped: the ledger's head, the relay and
 * each projection from what the health checks last saw (once a second, in the background), and
 * the counts of pending approvals, overdue post-reviews and dead letters from the views (asked of
 * the ledger, whose tables they are: `workgate.ledger.view-counts`).
 */
@Injectable()
export class DomainMetrics implements OnModuleInit, OnApplicationShutdown {
  private counts?: { at: number; running: boolean; value: Promise<Counts | undefined> };

  constructor(
    readonly monitor: HealthMonitor,
    private readonly rpc: RpcClient,
  ) {}

  onModuleInit(): void {
    registerGauges(this);
  }

  onApplicationShutdown(): void {
    if (source === this) source = undefined;
  }

  /** The counts, asked of the ledger at most every COUNTS_FRESH_MS; undefined when it does not answer in time. */
  read(): Promise<Counts | undefined> {
    if (this.counts && (this.counts.running || Date.now() - this.counts.at < COUNTS_FRESH_MS)) return this.counts.value;
    const query = this.rpc
      .request(Subjects.ledger.viewCounts, {}, { timeoutMs: COUNTS_TIMEOUT_MS })
      .catch(() => undefined);
    const counts = {
      at: Date.now(),
      running: true,
      value: Promise.race([
        query,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), COUNTS_TIMEOUT_MS).unref()),
      ]),
    };
    // Scrapes share the request in flight: they never pile up on the ledger.
    void query.finally(() => (counts.running = false));
    this.counts = counts;
    return counts.value;
  }
}

let registered = false;

/** The gauges read the latest DomainMetrics (prom-client's registry is one per process; they are registered once). */
function registerGauges(from: DomainMetrics): void {
  source = from;
  if (registered) return;
  registered = true;
  gauge({
    name: 'workgate_ledger_head_position',
    help: 'The ledger position of the last committed event',
    collect() {
      // No sample while the ledger does not answer: a frozen value would hide the outage.
      this.reset();
      const ledger = source?.monitor.ledger;
      if (ledger) this.set(ledger.headPosition);
    },
  });
  gauge({
    name: 'workgate_relay_published_position',
    help: 'The last ledger position published to the LEDGER stream',
    collect() {
      this.reset();
      const published = source?.monitor.ledger?.publishedPosition;
      if (published !== undefined) this.set(published);
    },
  });
  gauge({
    name: 'workgate_relay_paused',
    help: 'Whether the relay to the LEDGER stream publishes nothing right now (1), e.g. because the stream belongs to another ledger; 0 while it runs',
    collect() {
      this.reset();
      const ledger = source?.monitor.ledger;
      if (ledger?.publishedPosition !== undefined) this.set(ledger.relayPaused ? 1 : 0);
    },
  });
  gauge({
    name: 'workgate_projection_lag_events',
    help: 'Ledger events a projection has yet to fold',
    labelNames: ['projection'],
    collect() {
      this.reset();
      for (const [projection, p] of Object.entries(source?.monitor.ledger?.projections ?? {}))
        this.set({ projection }, p.lag);
    },
  });
  gauge({
    name: 'workgate_projection_parked_events',
    help: 'Events a projection set aside because it cannot fold them',
    labelNames: ['projection'],
    collect() {
      this.reset();
      for (const [projection, p] of Object.entries(source?.monitor.ledger?.projections ?? {}))
        this.set({ projection }, p.parked);
    },
  });
  gauge({
    name: 'workgate_approvals_pending',
    help: 'Approvals requested or conditional, not yet decided',
    async collect() {
      const counts = await source?.read();
      this.reset();
      if (counts) this.set(counts.approvalsPending);
    },
  });
  gauge({
    name: 'workgate_post_reviews_overdue',
    help: 'Post-reviews past their due time and not completed',
    async collect() {
      const counts = await source?.read();
      this.reset();
      if (counts) this.set(counts.postReviewsOverdue);
    },
  });
  // Dead letters are only ever added: a counter, moved up to the count kept.
  let deadLetters = 0;
  counter({
    name: 'workgate_dead_letters_total',
    help: 'Messages set aside as dead letters (they could never be processed)',
    async collect() {
      const counts = await source?.read();
      if (counts && counts.deadLetters > deadLetters) {
        this.inc(counts.deadLetters - deadLetters);
        deadLetters = counts.deadLetters;
      }
    },
  });
}
