// @ts-check
/* The live numbers of a workflow map's nodes as people read them: the badges drawn on a node (the
 * counts that are not zero), the same numbers in full for the table, and a node's details. */
import { duration } from '../shared/duration.js';

/** @typedef {import('@workgate/contracts/workflow-map').NodeNumbers} NodeNumbers */
/** @typedef {import('@workgate/contracts/workflow-map').MapNode} MapNode */
/** @typedef {import('./map-types').Tone} Tone */
/** @typedef {import('./map-types').Badge} Badge */

/**
 * The counts worth a badge, by the shape of a node's numbers, in reading order, with their tone.
 * @type {Array<[string, Tone]>}
 */
const COUNTS = [
  ['open', 'warn'],
  ['blocked', 'bad'],
  ['stalled', 'bad'],
  ['completed', 'ok'],
  ['pending', 'warn'],
  ['approved', 'ok'],
  ['conditional', 'warn'],
  ['rejected', 'bad'],
  ['expired', 'bad'],
  ['decisions', 'plain'],
  ['overdue', 'bad'],
  ['escalated', 'bad'],
  ['count', 'plain'],
];
/** An exception code's `count` reads as how many were raised; one decision is a decision. */
/** @type {Record<string, string>} */
const WORD = { count: 'raised' };
/** @type {(k: string, n: number) => string} */
const word = (k, n) => (k === 'decisions' && n === 1 ? 'decision' : WORD[k] || k);

/**
 * The badges of a node: one per count that is not zero (`3 open`, `1 blocked`), `[]` without numbers.
 * @param {NodeNumbers | undefined} numbers
 * @returns {Badge[]}
 */
export function badgesOf(numbers) {
  if (!numbers) return [];
  /** @type {Map<string, unknown>} */
  const counts = new Map(Object.entries(numbers));
  return COUNTS.flatMap(([k, tone]) => {
    const n = counts.get(k);
    return typeof n === 'number' && n > 0 ? [{ text: `${n} ${word(k, n)}`, tone }] : [];
  });
}

/**
 * Every number of a node, zeros included, as one line: `open 3 · blocked 1 · … · p50 2 h`.
 * @param {NodeNumbers | undefined} numbers
 */
export function numbersText(numbers) {
  if (!numbers) return '';
  const parts = [];
  for (const [k, v] of Object.entries(numbers)) {
    if (k === 'exceptions' && 'exceptions' in numbers) {
      const raised = numbers.exceptions;
      if (raised.length) parts.push(`exceptions ${raised.map((e) => `${e.code} ${e.count}`).join(', ')}`);
    } else if (/Seconds$/.test(k)) {
      if (typeof v === 'number') parts.push(`${k.replace(/Seconds$/, '').replace(/Wait$/, ' wait')} ${duration(v)}`);
    } else parts.push(`${WORD[k] || k} ${String(v)}`);
  }
  return parts.join(' · ');
}

/**
 * A node's detail (`{key: value}`) as one line: `evidence: receipt · owner: …`.
 * @param {MapNode['detail'] | undefined} detail
 */
export function detailText(detail) {
  return Object.entries(detail || {})
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') || 'none' : String(v)}`)
    .join(' · ');
}

/**
 * What a node's tooltip says: kind, label, id, owner, detail, numbers.
 * @param {MapNode} node
 * @param {NodeNumbers | undefined} numbers
 */
export function describe(node, numbers) {
  return [
    `${node.kind}: ${node.label}`,
    node.id !== node.label ? `id ${node.id}` : '',
    node.owner ? `owner ${node.owner}` : '',
    detailText(node.detail),
    numbersText(numbers),
  ]
    .filter(Boolean)
    .join('\n');
}
