/* Where a path of a workflow definition is in its YAML text: the validator names a problem by its
 * path (`rules[2].when`, `breakGlass.reviewer`), the diff names a change by its path with items by
 * id or name (`systems[shop].write`, `rules[refunds-wait].decision`). Pure functions of the text. */
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';

/** `rules[2].when` → ['rules', 2, 'when']; `systems[shop].write` → ['systems', {named: 'shop'}, 'write']. */
export function pathSegments(path) {
  return [...String(path).matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)].map(([, key, item]) =>
    key !== undefined ? key : /^\d+$/.test(item) ? Number(item) : { named: item },
  );
}

const scalarText = (node) => (isScalar(node) ? String(node.value) : undefined);

/** The child of `node` that `segment` names, and where it starts in the text (a key's own start for a map entry). */
function child(node, segment) {
  if (isMap(node) && typeof segment === 'string') {
    const pair = node.items.find((p) => scalarText(p.key) === segment);
    return pair && { node: pair.value, at: pair.key?.range?.[0] ?? pair.value?.range?.[0] };
  }
  if (!isSeq(node)) return undefined;
  const item =
    typeof segment === 'number'
      ? node.items[segment]
      : typeof segment === 'object'
        ? node.items.find((i) =>
            isMap(i)
              ? [i.get('id'), i.get('name')].some((v) => v !== undefined && String(v) === segment.named)
              : scalarText(i) === segment.named,
          )
        : undefined;
  return item && { node: item, at: item.range?.[0] };
}

/** The 1-based line of character `offset` of `text`. */
export const lineAt = (text, offset) => text.slice(0, offset).split('\n').length;

/**
 * Where `path` is in `text`: `{line, from, to, exact}`: `from` is where its key (or list item)
 * starts, `to` the end of that line. A path the text does not hold (a required key that is missing)
 * is placed at the deepest part of it that the text holds, with `exact: false`; the empty path at
 * the start of the document.
 */
export function locatePath(text, path) {
  const doc = parseDocument(text, { uniqueKeys: false });
  let node = doc.contents;
  let at = node?.range?.[0] ?? 0;
  let exact = true;
  for (const segment of pathSegments(path)) {
    const next = child(node, segment);
    if (!next || next.at === undefined) {
      exact = false;
      break;
    }
    ({ node, at } = next);
  }
  const end = text.indexOf('\n', at);
  return { line: lineAt(text, at), from: at, to: end === -1 ? text.length : end, exact };
}

/** The start and end offsets of 1-based `line` of `text` (the last line when it has fewer). */
function lineRange(text, line) {
  const lines = text.split('\n');
  const n = Math.min(Math.max(line, 1), lines.length);
  const from = lines.slice(0, n - 1).reduce((sum, l) => sum + l.length + 1, 0);
  return { line: n, from, to: from + lines[n - 1].length, exact: true };
}

/**
 * Where a validator's problem `{path, message}` is in `text`. A text that does not parse is a
 * problem of the whole definition (path ''); its message says the line (`at line 4, column 3`).
 */
export function locateProblem(text, problem) {
  const said = problem.path ? null : /\bat line (\d+), column \d+/.exec(problem.message);
  return said ? lineRange(text, Number(said[1])) : locatePath(text, problem.path);
}
