import { counter, histogram } from '@workgate/messaging';

/** Work events taken in, by what became of them: `accepted` (committed), `rejected` (kept as a rejection), `retried` (a passing failure). */
export const intakeEvents = counter({
  name: 'workgate_intake_events_total',
  help: 'Work events (CloudEvents over NATS and HTTP) by outcome',
  labelNames: ['outcome', 'channel'],
});

/** Run / wait / stop decisions recorded, by the reason that decided them. */
export const decisions = counter({
  name: 'workgate_decisions_total',
  help: 'Action decisions recorded, by decision and reason',
  labelNames: ['decision', 'reason'],
});

/** From an action request reaching intake to its decision being committed. */
export const decisionDuration = histogram({
  name: 'workgate_decision_duration_seconds',
  help: 'Time from an action request reaching intake to its decision committed in the ledger',
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
});
