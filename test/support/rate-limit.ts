/**
 * Waits, when less than `needed` ms are left of the current wall-clock minute, until the next
 * minute begins. The rate limit counts per minute (a key's window starts at the minute's start)
 * and estimates the last 60 s from the previous minute's count, weighted by what is left of it:
 * once a minute turns, a spent budget opens again by a fraction. Calls that all fall inside one
 * minute of a key that had none before are counted exactly.
 */
export async function withinOneMinute(needed: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < needed) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
