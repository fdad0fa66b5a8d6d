// @ts-check
/* A node of the workflow map as it is drawn: its kind line, its label wrapped to a width, its live
 * numbers as badges in rows, and the size all that takes (text measured by the `measure` given). */

/** @typedef {import('@workgate/contracts/workflow-map').MapNode} MapNode */
/** @typedef {import('./map-types').Badge} Badge */
/** @typedef {import('./map-types').Measure} Measure */
/** @typedef {import('./map-types').PlacedBadge} PlacedBadge */
/** @typedef {import('./map-types').Shape} Shape */

/** How a node reads on the map: its kind line, its label, and the live numbers worth a badge. */
export const NODE = { maxLabelWidth: 180, padX: 10, padY: 8, kindLine: 15, labelLine: 17, badgeLine: 20 };

/**
 * `text` broken into lines no wider than `max` (at spaces, and after hyphens and dots of ids), at most `limit` lines.
 * @param {string} text
 * @param {number} max
 * @param {Measure} measure
 */
export function wrap(text, max, measure, limit = 3) {
  const words = String(text).match(/[^\s\-.]+[-.]?|[-.]/g) || [''];
  /** @type {string[]} */
  const lines = [];
  let line = '';
  for (const w of words) {
    const joined = line && !/[-.]$/.test(line) ? `${line} ${w}` : line + w;
    if (!line || measure(joined, 'label') <= max) line = joined;
    else {
      lines.push(line);
      line = w;
    }
  }
  lines.push(line);
  if (lines.length <= limit) return lines;
  return [...lines.slice(0, limit - 1), `${lines.slice(limit - 1).join(' ')}`.slice(0, 40) + '…'];
}

/**
 * Badges laid in rows no wider than `width`: `[{text, tone, x, row}]`.
 * @param {Badge[]} badges
 * @param {number} width
 * @param {Measure} measure
 * @returns {PlacedBadge[]}
 */
function placeBadges(badges, width, measure) {
  let x = 0;
  let row = 0;
  return badges.map((b) => {
    const w = measure(b.text, 'badge') + 12;
    if (x > 0 && x + w > width) {
      x = 0;
      row += 1;
    }
    const placed = { ...b, x, row, width: w };
    x += w + 4;
    return placed;
  });
}

/**
 * A node's lines and size: the kind line, the wrapped label, the badges.
 * @param {MapNode} node
 * @param {Badge[]} badges
 * @param {Measure} measure
 * @returns {Shape}
 */
export function shape(node, badges, measure) {
  const kindText = node.owner ? `${node.kind} · ${node.owner}` : node.kind;
  const lines = wrap(node.label, NODE.maxLabelWidth, measure);
  const textWidth = Math.max(measure(kindText, 'kind'), ...lines.map((l) => measure(l, 'label')));
  const row = badges.reduce((w, b) => w + measure(b.text, 'badge') + 16, -4);
  const inner = Math.max(textWidth, 96, Math.min(NODE.maxLabelWidth, row));
  const placed = placeBadges(badges, inner, measure);
  const rows = placed.length ? placed[placed.length - 1].row + 1 : 0;
  return {
    kindText,
    lines,
    badges: placed,
    width: Math.ceil(inner + 2 * NODE.padX),
    height: Math.ceil(NODE.padY * 2 + NODE.kindLine + lines.length * NODE.labelLine + rows * NODE.badgeLine),
  };
}
