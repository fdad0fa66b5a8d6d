import { NatsConnection } from 'nats';
import { dataOf, ExceptionEvents, PostReviewEvents, Subjects } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { INTAKE_DURABLE } from '../apps/intake/intake.processor';
import { decideApprovals } from './demo-approvals';
import { advanceEngagements } from './demo-engagements';
import { DemoOptions, demoEvents, DemoSummary, MINUTE } from './demo-events';
import { allOf, publishAll, settle } from './demo-ledger';
import { seededRandom } from './seeded-random';

export { demoEvents } from './demo-events';
export type { DemoOptions, DemoSummary } from './demo-events';

/**
 * Months of work for the shipped workflows (`npm run seed:demo`: the month before last, last
 * month and this month to date), through the real paths: work events as CloudEvents on JetStream
 * (`workgate.events.<source>`, with their own times), then what people do today over the
 * services' NATS API: owners resolve most exceptions, approvers decide about 95% of the pending
 * approvals (each asked for within its workflow's approval timeout; two approvers for an access
 * grant), reviewers complete some post-reviews. The scenarios follow the seeds: support cases
 * whose refunds wait for the owner and whose addresses fail validation; field work orders short
 * of parts or site access, with a safety hold now and then; delegated agent tasks that go quiet;
 * engagements waiting on client approval; incidents whose production deploys wait for the change
 * manager, with an emergency deploy through break-glass now and then; access requests granted
 * only by two approvers, some held by a segregation-of-duties risk; and source systems that close
 * work without closure evidence. The departments (customer support, field service, engineering,
 * professional services, IT operations, regulated services) come from the workflows.
 */

/** Publishes the days' work, waits until intake has committed it, then does today's human work. */
export async function seedDemo(
  nc: NatsConnection,
  options: DemoOptions,
  log: (m: string) => void = () => undefined,
): Promise<DemoSummary> {
  const rpc = new RpcClient(nc, 15_000, false);
  const r = seededRandom(options.seed + 1);
  const events = demoEvents(options);
  const workOrders = new Set(events.map((e) => `${e.source}/${e.subject}`)).size;
  log(`publishing ${events.length} work events for ${workOrders} work orders over ${options.days} days`);
  await publishAll(nc.jetstream(), events, (done) => log(`published ${done}/${events.length}`));

  const jsm = await nc.jetstreamManager();
  await settle(
    async () => {
      // Intake acks a work event only after its commit.
      const info = await jsm.consumers.info('WORK_EVENTS', INTAKE_DURABLE);
      return info.num_pending + info.num_ack_pending === 0 ? 'done' : -info.num_pending - info.num_ack_pending;
    },
    'intake to commit the work events',
    { pollMs: 100 },
  );
  log('intake has committed every work event');

  // Reactions raise exceptions, approvals and post-reviews from what was committed: wait until the ledger is quiet.
  await settle(async () => (await rpc.request(Subjects.ledger.head, {})).position, 'the reactions to the work events');

  const summary: DemoSummary = {
    workOrders,
    events: events.length,
    exceptionsResolved: 0,
    approvalsDecided: 0,
    postReviewsCompleted: 0,
  };
  for (const e of await allOf(rpc, [ExceptionEvents.Raised])) {
    const d = dataOf(e, 'exception', ExceptionEvents.Raised);
    if (r() < 0.7) {
      await rpc
        .request(Subjects.exceptions.resolve, {
          exceptionId: d.exceptionId,
          by: d.owner,
          resolution: `handled: ${d.code.toLowerCase().replace(/_/g, ' ')}`,
          evidence: [{ kind: 'note', ref: `resolution:${d.exceptionId}` }],
        })
        .then(() => summary.exceptionsResolved++)
        .catch(() => undefined);
    }
  }
  await decideApprovals(rpc, r, summary);
  await advanceEngagements(rpc, jsm, r, summary, log);
  for (const e of await allOf(rpc, [PostReviewEvents.Created])) {
    const d = dataOf(e, 'postreview', PostReviewEvents.Created);
    if (r() < 0.5) continue;
    await rpc
      .request(Subjects.approvals.completePostReview, {
        postReviewId: d.postReviewId,
        by: d.reviewer,
        outcome: 'justified; the workflow needs a faster path for this case',
        remediation: {
          title: 'add a fast lane for this case to the workflow',
          owner: d.reviewer,
          due: new Date(Date.now() + 14 * 24 * 60 * MINUTE).toISOString(),
        },
      })
      .then(() => summary.postReviewsCompleted++)
      .catch(() => undefined);
  }
  return summary;
}
