/**
 * A condition's top-level terms, to tell how a changed condition relates to the one before it:
 * `a || b` has the disjuncts [a, b]; `a && b` (one disjunct) the conjuncts [a, b]. Terms are
 * compared as written, whitespace and enclosing parentheses aside: a condition rewritten in an
 * equivalent form is a changed condition.
 */

/** The text split at each top-level occurrence of `op` (outside parentheses, brackets and strings). */
function splitTopLevel(text: string, op: '||' | '&&'): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (depth === 0 && text.startsWith(op, i)) {
      parts.push(text.slice(start, i));
      start = i + op.length;
      i++;
    }
  }
  parts.push(text.slice(start));
  return parts.map(normalized);
}

/** Whether the parentheses at both ends enclose the whole text. */
function enclosed(text: string): boolean {
  if (!text.startsWith('(') || !text.endsWith(')')) return false;
  let depth = 0;
  for (let i = 0; i < text.length - 1; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    if (depth === 0) return false;
  }
  return true;
}

/** Whitespace outside strings collapsed away, and enclosing parentheses removed. */
export function normalized(text: string): string {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
      out += c;
    } else if (!/\s/.test(c)) out += c;
  }
  while (enclosed(out)) out = out.slice(1, -1);
  return out;
}

export type TermChange =
  'same' | 'adds-disjuncts' | 'removes-disjuncts' | 'adds-conjuncts' | 'removes-conjuncts' | 'other';

/** Every term of `a` is among those of `b`, and `b` has more. */
const within = (a: string[], b: string[]) => b.length > a.length && a.every((t) => b.includes(t));

/** How the condition `after` relates to `before` by its top-level terms. */
export function termChange(before: string, after: string): TermChange {
  if (normalized(before) === normalized(after)) return 'same';
  const [orBefore, orAfter] = [splitTopLevel(normalized(before), '||'), splitTopLevel(normalized(after), '||')];
  if (within(orBefore, orAfter)) return 'adds-disjuncts';
  if (within(orAfter, orBefore)) return 'removes-disjuncts';
  const [andBefore, andAfter] = [splitTopLevel(normalized(before), '&&'), splitTopLevel(normalized(after), '&&')];
  if (orBefore.length === 1 && orAfter.length === 1) {
    if (within(andBefore, andAfter)) return 'adds-conjuncts';
    if (within(andAfter, andBefore)) return 'removes-conjuncts';
  }
  return 'other';
}
