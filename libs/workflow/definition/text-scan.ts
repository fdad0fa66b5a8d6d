/**
 * How deep a definition's text nests, read in one pass before it is parsed (docs/policy.md,
 * "Bounded rules"): brackets and braces of flow collections (JSON, or YAML's `[…]`, `{…}`), the
 * indentation levels of YAML's block mappings and each `- ` that opens a sequence entry. Quoted
 * strings, comments and block scalars (`|`, `>`) are skipped; a `[` inside a plain scalar
 * (`when: x in [1, 2]`) is text, not a collection. The parsers build the whole tree before any depth
 * check sees it (200,000 `[` hold a thread for seconds): this scan answers in microseconds per KB.
 */
export function deepestNesting(text: string, limit: number): { line: number } | undefined {
  const indents: number[] = [];
  let flow = 0;
  let line = 1;
  let lineStart = 0;
  let dashes = 0;
  let nodeStart = true;
  let lineHead = true;
  let scalarIndent = -1;
  const n = text.length;
  const skipQuoted = (i: number, quote: string) => {
    for (let j = i + 1; j < n; j++) {
      const c = text[j];
      if (c === '\n') line++;
      if (quote === '"' && c === '\\') j++;
      else if (c === quote) {
        if (quote === "'" && text[j + 1] === "'") j++;
        else return j;
      }
    }
    return n;
  };
  for (let i = 0; i < n; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      lineStart = i + 1;
      dashes = 0;
      lineHead = true;
      if (flow === 0) nodeStart = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') continue;
    const column = i - lineStart;
    if (lineHead) {
      lineHead = false;
      // The first character of a line: a block scalar's lines are its text, a block line its level.
      if (scalarIndent >= 0 && column > scalarIndent) {
        i = text.indexOf('\n', i) - 1;
        if (i < 0) break;
        continue;
      }
      scalarIndent = -1;
      if (flow === 0 && c !== '#') {
        while (indents.length > 0 && indents[indents.length - 1] >= column) indents.pop();
        // A line that opens a sequence entry or a flow collection is counted by its `- ` or bracket.
        if (c !== '-' && c !== '[' && c !== '{') indents.push(column);
      }
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const end = text.indexOf('\n', i);
      i = (end < 0 ? n : end) - 1;
      continue;
    }
    if (nodeStart && (c === '"' || c === "'")) {
      i = skipQuoted(i, c);
      nodeStart = false;
      continue;
    }
    if (c === '[' || c === '{') {
      if (!nodeStart && flow === 0) continue;
      flow++;
      if (indents.length + dashes + flow > limit) return { line };
      nodeStart = true;
      continue;
    }
    if ((c === ']' || c === '}') && flow > 0) {
      flow--;
      nodeStart = false;
      continue;
    }
    const next = text[i + 1];
    const spaced = next === undefined || next === ' ' || next === '\n' || next === '\r' || next === '\t';
    if (flow > 0 && (c === ',' || c === ':')) nodeStart = true;
    else if (c === ':' && spaced) nodeStart = true;
    else if (c === '-' && nodeStart && spaced && flow === 0) {
      dashes++;
      if (indents.length + dashes > limit) return { line };
    } else if ((c === '|' || c === '>') && nodeStart && flow === 0) {
      scalarIndent = indents[indents.length - 1] ?? 0;
      nodeStart = false;
    } else nodeStart = false;
    if (indents.length + dashes + flow > limit) return { line };
  }
  return undefined;
}
