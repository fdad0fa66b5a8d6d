/** ISO 8601 durations (`PT48H`, `P2DT4H`, `P1W`, `PT0.5S`), as used by workflow definitions. */
const ISO_DURATION = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds in the duration, or undefined when it is not a valid ISO 8601 duration (years and months are refused: they have no fixed length). */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = ISO_DURATION.exec(text);
  if (!m) return undefined;
  const [, w, d, h, min, s] = m;
  return (
    (Number(w ?? 0) * 7 * 24 * 3600 +
      Number(d ?? 0) * 24 * 3600 +
      Number(h ?? 0) * 3600 +
      Number(min ?? 0) * 60 +
      Number(s ?? 0)) *
    1000
  );
}

/** Whole seconds of `ms` as an ISO 8601 duration in days, hours, minutes and seconds (`P1DT2H5M`, `PT0S`). */
export function formatDuration(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
  if (!d && !time) return 'PT0S';
  return `P${d ? `${d}D` : ''}${time ? `T${time}` : ''}`;
}

/** The shortest timer: approval timeouts, SLAs, reminders, delegation timeouts and due durations are at least one second. */
export const MIN_TIMER_MS = 1000;
/** The longest: ten years (3650 days), so every due time stays a valid time. */
export const MAX_TIMER_MS = 3650 * 24 * 3600 * 1000;

/** What is wrong with `value` as a timer's duration (not ISO 8601, under the floor, over the ceiling), or undefined when it is fine. */
export function timerProblem(value: unknown): string | undefined {
  const ms = parseDuration(value);
  if (ms === undefined || ms === 0) return `${JSON.stringify(value)} is not a positive ISO 8601 duration like PT48H`;
  if (ms < MIN_TIMER_MS) return 'must be at least PT1S (timers have a one-second floor)';
  if (ms > MAX_TIMER_MS) return 'must be at most P3650D';
  return undefined;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
/** Due times end before 10000-01-01: every one stays a time JSON and Postgres can hold. */
const LATEST_DUE_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * A due value wherever one is asked (remediations, conditions): an RFC 3339 time, or an ISO 8601
 * duration from `now` (`P14D`, at least PT1S). The time it names, or what is wrong with it.
 */
export function dueTime(value: unknown, now: string): { ok: true; at: string } | { ok: false; problem: string } {
  if (typeof value === 'string' && RFC3339.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms) && ms <= LATEST_DUE_MS) return { ok: true, at: new Date(ms).toISOString() };
  }
  if (typeof value === 'string' && value.startsWith('P')) {
    const problem = timerProblem(value);
    return problem
      ? { ok: false, problem }
      : { ok: true, at: new Date(Date.parse(now) + parseDuration(value)!).toISOString() };
  }
  return {
    ok: false,
    problem: 'must be an RFC 3339 time (2026-12-01T17:00:00Z) or an ISO 8601 duration from now (P14D)',
  };
}
