/**
 * RFC 8785 (JSON Canonicalization Scheme) text of a JSON value: object keys sorted by UTF-16 code
 * units, no whitespace, numbers and strings as ECMAScript's JSON.stringify writes them (which is
 * what RFC 8785 specifies). Undefined object members are left out and undefined array elements
 * are null, as JSON.stringify does; non-finite numbers are refused.
 *
 * Every hash of the ledger and every decision receipt is taken over this text, once per event,
 * so it is written for speed: no path strings or visited sets per value (a depth bound refuses
 * cycles instead). The spec proves it equal to the `json-canonicalize` package on arbitrary JSON.
 */
import { isRecord } from './json-guards';
export function canonicalize(value: unknown): string {
  return write(value, 0);
}

const MAX_DEPTH = 512;
/** Strings JSON.stringify writes unchanged between quotes: printable ASCII but `"` and `\`. */
const VERBATIM = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

const quote = (text: string) => (VERBATIM.test(text) ? `"${text}"` : JSON.stringify(text));

/**
 * An object member's text before its value (`"key":`, and `,"key":` after the first), kept per
 * key: the ledger's events repeat a small vocabulary of keys, and a member then costs one string
 * concatenation for its key instead of four. Keys past the bound are written each time.
 */
const MEMBER_TEXTS = 4096;
const firstMembers = new Map<string, string>();
const nextMembers = new Map<string, string>();
function memberText(key: string, first: boolean): string {
  const texts = first ? firstMembers : nextMembers;
  let text = texts.get(key);
  if (text === undefined) {
    text = (first ? '' : ',') + quote(key) + ':';
    if (texts.size < MEMBER_TEXTS) texts.set(key, text);
  }
  return text;
}

function write(value: unknown, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value))
        throw new Error(`Non-finite number (${value}) is not permitted in JSON (RFC 8785 §3.2.2.3)`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      // undefined, functions and symbols have no JSON text; bigint makes JSON.stringify throw.
      return JSON.stringify(value) ?? 'null';
  }
  if (depth >= MAX_DEPTH) throw new Error(`nested deeper than ${MAX_DEPTH} levels (or circular)`);
  if ('toJSON' in value && typeof value.toJSON === 'function') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++)
      out += (i ? ',' : '') + (value[i] === undefined ? 'null' : write(value[i], depth + 1));
    return out + ']';
  }
  // What is left is an object that is not an array: isRecord holds, and gives its members their type.
  const object = isRecord(value) ? value : {};
  const keys = sortInPlace(Object.keys(object));
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = object[key];
    if (member === undefined || typeof member === 'function' || typeof member === 'symbol') continue;
    out += memberText(key, first);
    out += write(member, depth + 1);
    first = false;
  }
  return out + '}';
}

/**
 * Sorts keys by UTF-16 code units, as Array.prototype.sort does, but in place: the built-in sort
 * allocates a work array per call, and small objects (nearly all of them) are sorted faster by
 * insertion without it.
 */
function sortInPlace(keys: string[]): string[] {
  if (keys.length > 24) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}
