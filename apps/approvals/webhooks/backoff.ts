/**
 * When a failed delivery is tried again: after each delay of the schedule in turn; once the last
 * delay's attempt has failed too, the delivery is a dead letter. The default schedule spans a
 * little over 31 hours (SPEC section 12: at least 24 h).
 */
export const DEFAULT_BACKOFF_MS = [5_000, 30_000, 120_000, 600_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000, 28_800_000, 28_800_000];

/** The schedule as configured (`WORKGATE_WEBHOOK_BACKOFF_MS`: comma-separated milliseconds); empty: the default. */
export function parseBackoff(value: string | undefined): number[] {
  return value ? value.split(',').map((ms) => Number(ms.trim())) : DEFAULT_BACKOFF_MS;
}

/** After `failed` failed attempts (1 or more): when to try again, or `dead` when the schedule is spent. */
export function afterFailure(failed: number, schedule: number[], now: Date): Date | 'dead' {
  if (failed > schedule.length) return 'dead';
  return new Date(now.getTime() + schedule[failed - 1]);
}
