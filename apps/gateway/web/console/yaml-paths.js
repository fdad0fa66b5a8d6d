// @ts-check
/* Where a path of a workflow definition is in its YAML text: the validator names a problem by its
 * path (`rules[2].when`, `breakGlass.reviewer`), the diff names a change by its path with items by
 * id or name (`systems[shop].write`, `rules[refunds-wait].decision`). Pure functions of the text. */
import { isMap, isNode, isScalar, isSeq, parseDocument } from 'yaml';

/** A step of a path: a key, a list index, or a list item by its id or name. @typedef {string | number | { named: string }} Segment */
/** Where a path or problem is in the text. @typedef {{ line: number, from: number, to: number, exact: boolean }} Located */

/**
 * `rules[2].when` → ['rules', 2, 'when']; `systems[shop].write` → ['systems', {named: 'shop'}, 'write'].
 * @param {string} path
 * @returns {Segment[]}
 */
export function pathSegments(path) {
  return [...String(path).matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)].map(([, key, item = '']) =>
    key !== undefined ? key : /^\d+$/.test(item) ? Number(item) : { named: item },
  );
}

/** @param {unknown} node */
const scalarText = (node) => (isScalar(node) ? String(node.value) : undefined);

/**
 * The child of `node` that `segment` names, and where it starts in the text (a key's own start for a map entry).
 * @param {unknown} node
 * @param {Segment} segment
 * @returns {{ node: unknown, at: number | undefined } | undefined}
 */
function child(node, segment) {
  if (isMap(node) && typeof segment === 'string') {
    const pair = node.items.find((p) => scalarText(p.key) === segment);
    return pair && { node: pair.value, at: rangeStart(pair.key) ?? rangeStart(pair.value) };
  }
  if (!isSeq(node)) return undefined;
  const item =
    typeof segment === 'number'
      ? node.items[segment]
      : typeof segment === 'object'
        ? node.items.find((i) =>
            isMap(i)
              ? [i.get('id'), i.get('name')].some(
                  (v) =>
                    (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') &&
                    String(v) === segment.named,
                )
              : scalarText(i) === segment.named,
          )
        : undefined;
  return item ? { node: item, at: rangeStart(item) } : undefined;
}

/**
 * Where a node of the document starts in the text, when it is a node that knows (not a bare value).
 * @param {unknown} node
 */
const rangeStart = (node) => (isNode(node) ? node.range?.[0] : undefined);

/**
 * The 1-based line of character `offset` of `text`.
 * @param {string} text
 * @param {number} offset
 */
export const lineAt = (text, offset) => text.slice(0, offset).split('\n').length;

/**
 * Where `path` is in `text`: `{line, from, to, exact}`: `from` is where its key (or list item)
 * starts, `to` the end of that line. A path the text does not hold (a required key that is missing)
 * is placed at the deepest part of it that the text holds, with `exact: false`; the empty path at
 * the start of the document.
 * @param {string} text
 * @param {string} path
 * @returns {Located}
 */
export function locatePath(text, path) {
  const doc = parseDocument(text, { uniqueKeys: false });
  /** @type {unknown} */
  let node = doc.contents;
  let at = rangeStart(node) ?? 0;
  let exact = true;
  for (const segment of pathSegments(path)) {
    const next = child(node, segment);
    if (!next || next.at === undefined) {
      exact = false;
      break;
    }
    node = next.node;
    at = next.at;
  }
  const end = text.indexOf('\n', at);
  return { line: lineAt(text, at), from: at, to: end === -1 ? text.length : end, exact };
}

/**
 * The start and end offsets of 1-based `line` of `text` (the last line when it has fewer).
 * @param {string} text
 * @param {number} line
 * @returns {Located}
 */
function lineRange(text, line) {
  const lines = text.split('\n');
  const n = Math.min(Math.max(line, 1), lines.length);
  const from = lines.slice(0, n - 1).reduce((sum, l) => sum + l.length + 1, 0);
  return { line: n, from, to: from + lines[n - 1].length, exact: true };
}

/**
 * Where a validator's problem `{path, message}` is in `text`. A text that does not parse is a
 * problem of the whole definition (path ''); its message says the line (`at line 4, column 3`).
 * @param {string} text
 * @param {{ path: string, message: string }} problem
 */
export function locateProblem(text, problem) {
  const said = problem.path ? null : /\bat line (\d+), column \d+/.exec(problem.message);
  return said ? lineRange(text, Number(said[1])) : locatePath(text, problem.path);
}
