import { isRecord } from './json-guards';
import { FieldProblem, memberPath, storable } from './json-problems';

const QUOTE = 34;
const BACKSLASH = 92;

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/**
 * At least as many as the members of the objects of a JSON text: the colons whose nearest
 * character before them (whitespace aside) is a quote. Every member's colon is one (it follows
 * its key's closing quote); a colon inside a string may be one too (after an escaped quote or
 * at a string's start), never fewer. Native `indexOf` steps, no allocation.
 */
export function memberBound(text: string): number {
  let count = 0;
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) {
    let j = i - 1;
    while (j >= 0 && isSpace(text.charCodeAt(j))) j--;
    if (j >= 0 && text.charCodeAt(j) === QUOTE) count++;
  }
  return count;
}

/** The members of the objects of a parsed JSON value, walked without recursion. */
export function objectMembers(value: unknown): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const item of v) if (item !== null && typeof item === 'object') stack.push(item);
      continue;
    }
    if (!isRecord(v)) continue;
    for (const key in v) {
      count++;
      const child = v[key];
      if (child !== null && typeof child === 'object') stack.push(child);
    }
  }
  return count;
}

/** The index of the quote that closes the string opened at `open`. */
function closingQuote(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}

interface Level {
  path: string;
  /** An object's keys so far; `undefined` for an array. */
  keys?: Set<string>;
  /** An object's last key, or an array's index. */
  at: string | number;
  expectsKey: boolean;
}

/**
 * The first key a valid JSON text repeats within one object, as the problem at its path: a parse
 * keeps the last value silently. One pass over the text, run only when `memberBound` says the
 * text has more members than `members`, the parsed value's (`objectMembers`, or counted by
 * `jsonValueProblems`'s walk): so a text without duplicates costs a count of its colons.
 */
export function duplicateKeyProblem(text: string, members: number, path = ''): FieldProblem | undefined {
  if (memberBound(text) <= members) return undefined;
  const levels: Level[] = [];
  let top: Level | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = closingQuote(text, i);
      if (top?.keys !== undefined && top.expectsKey) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? String(JSON.parse(`"${raw}"`)) : raw;
        const where = memberPath(top.path, storable(key));
        if (top.keys.has(key))
          return {
            path: where,
            message: `the key "${storable(key).slice(0, 80)}" appears more than once in one object`,
          };
        top.keys.add(key);
        top.at = key;
        top.expectsKey = false;
      }
      i = end;
    } else if (c === 123 || c === 91) {
      // `{` or `[`: a level whose path is its parent's member or element.
      const here =
        top === undefined
          ? path
          : typeof top.at === 'number'
            ? `${top.path}[${top.at}]`
            : memberPath(top.path, storable(top.at));
      top = { path: here, keys: c === 123 ? new Set<string>() : undefined, at: 0, expectsKey: c === 123 };
      levels.push(top);
    } else if (c === 125 || c === 93) {
      levels.pop();
      top = levels[levels.length - 1];
    } else if (c === 44 && top !== undefined) {
      // `,`: an object's next key, or an array's next element.
      if (top.keys !== undefined) top.expectsKey = true;
      else top.at = Number(top.at) + 1;
    }
  }
  return undefined;
}
