// @ts-check
/* Durations as people read them, for every page of the gateway. */

/** @type {Array<[string, number]>} */
const UNITS = [
  ['w', 604800],
  ['d', 86400],
  ['h', 3600],
  ['min', 60],
  ['s', 1],
];

/**
 * `seconds` in its two largest adjacent `units`, a zero second one left out (`3 d 4 h`, `3 d`); '' below the smallest.
 * @param {number} seconds
 * @param {Array<[string, number]>} units
 */
function largestUnits(seconds, units) {
  let left = Math.floor(seconds);
  const parts = [];
  for (const [name, size] of units) {
    const n = Math.floor(left / size);
    left -= n * size;
    if (n > 0) parts.push(`${n} ${name}`);
    else if (parts.length) break;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/**
 * Seconds to the second, weeks the largest unit: `1 w 3 d`, `5 h 12 min`, `40 s`, `0 s`; '' for no value.
 * @param {number | null | undefined} seconds
 */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return '';
  return largestUnits(Math.max(0, seconds), UNITS) || '0 s';
}

/**
 * Seconds either side of now to the minute, days the largest unit (the distance to a due date or
 * since an event): `12 d 4 h`, `5 h`, `4 min`, `less than a minute`.
 * @param {number} seconds
 */
export function roughDuration(seconds) {
  return largestUnits(Math.abs(seconds), UNITS.slice(1, 4)) || 'less than a minute';
}
