import { deterministicUuid } from '../ids';

/**
 * The time a drift check of the raise at `occurredAt` is made as of: the first raise of the code,
 * from that one on and within one window after it, that closes a window holding `threshold`
 * raises (the raise checked among them); `occurredAt` itself when none does. Raises can be recorded
 * out of their time order (on different work orders, handled concurrently), so the check of the
 * last one recorded may not be of the latest one in time: checked only as of its own time, the
 * later raises recorded before it would not count, and no check would see them all. A check made
 * late (a consumer catching up) still finds the window of its own time, not a later one.
 */
export function driftCheckedAt(raisedAt: string[], occurredAt: string, windowMs: number, threshold: number): string {
  const t = Date.parse(occurredAt);
  const times = raisedAt.map((at) => Date.parse(at));
  const ends = raisedAt
    .filter((_, i) => times[i] >= t && times[i] < t + windowMs)
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  for (const end of ends) {
    const e = Date.parse(end);
    if (times.filter((x) => x <= e && x > e - windowMs).length >= threshold) return end;
  }
  return occurredAt;
}

/**
 * A repeating code is a drift signal, not a human failure: when a code was raised at least
 * `threshold` times within `windowMs` before `now`, it answers the id of the signal for that
 * window (one per code and window, so raising it again is harmless), else null.
 */
export function driftSignal(
  code: string,
  raisedAt: string[],
  now: string,
  windowMs: number,
  threshold: number,
): string | null {
  if (raisesWithin(raisedAt, now, windowMs) < threshold) return null;
  return deterministicUuid('drift', code, String(Math.floor(Date.parse(now) / windowMs)));
}

/** How many of the raises fall within the window that ends at `now` (after now - window, up to now). */
export function raisesWithin(raisedAt: string[], now: string, windowMs: number): number {
  const t = Date.parse(now);
  return raisedAt.filter((at) => Date.parse(at) <= t && Date.parse(at) > t - windowMs).length;
}
