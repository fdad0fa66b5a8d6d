/** ISO 8601 durations (`PT48H`, `P2DT4H`, `P1W`, `PT0.5S`), as used by workflow definitions. */
const ISO_DURATION = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Milliseconds in the duration, or undefined when it is not a valid ISO 8601 duration (years and months are refused: they have no fixed length). */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = ISO_DURATION.exec(text);
  if (!m) return undefined;
  const [, w, d, h, min, s] = m;
  return (
    (Number(w ?? 0) * 7 * 24 * 3600 + Number(d ?? 0) * 24 * 3600 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0)) *
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
