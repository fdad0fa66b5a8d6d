/** What a receiver answered, or why it could not be asked. */
export type SendResult = { status: number } | { error: string };

/** What one attempt came to, as its delivery records it. */
export type AttemptResult = { at: Date; status?: number; error?: string } & (
  { outcome: 'delivered' } | { outcome: 'retry'; nextAttemptAt: Date } | { outcome: 'dead' }
);

/**
 * When a failed delivery is tried again: after each delay of the schedule in turn; once the last
 * delay's attempt has failed too, the delivery is a dead letter. The default schedule spans a
 * little over 31 hours (docs/api.md, Webhooks: at least 24 h).
 */
export const DEFAULT_BACKOFF_MS = [
  5_000, 30_000, 120_000, 600_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000, 28_800_000, 28_800_000,
];

/** The schedule as configured (`WORKGATE_WEBHOOK_BACKOFF_MS`: comma-separated milliseconds); empty: the default. */
export function parseBackoff(value: string | undefined): number[] {
  return value ? value.split(',').map((ms) => Number(ms.trim())) : DEFAULT_BACKOFF_MS;
}

/** After `failed` failed attempts (1 or more): when to try again, or `dead` when the schedule is spent. */
export function afterFailure(failed: number, schedule: number[], now: Date): Date | 'dead' {
  if (failed > schedule.length) return 'dead';
  return new Date(now.getTime() + schedule[failed - 1]);
}

/**
 * What the `attempt`-th attempt (1 for the first), made at `at`, comes to: any 2xx delivers; any
 * other answer or none fails it, and it is tried again after the schedule's next delay from `now`,
 * or, the schedule spent, the delivery is dead.
 */
export function attemptResult(
  sent: SendResult,
  attempt: number,
  schedule: number[],
  at: Date,
  now: Date,
): AttemptResult {
  if ('status' in sent && sent.status >= 200 && sent.status < 300)
    return { at, status: sent.status, outcome: 'delivered' };
  const failure = 'status' in sent ? { status: sent.status, error: `answered ${sent.status}` } : { error: sent.error };
  const next = afterFailure(attempt, schedule, now);
  return next === 'dead'
    ? { at, ...failure, outcome: 'dead' }
    : { at, ...failure, outcome: 'retry', nextAttemptAt: next };
}
