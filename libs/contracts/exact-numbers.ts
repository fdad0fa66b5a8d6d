import { FieldProblem, memberPath } from './json-problems';

const LONG_RUN = /[0-9.]{16}/;

/** A JSON number token, or a string (skipped whole, so digits inside strings are never read as numbers). */
const TOKENS = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/** The decimal value of a number's text, normalised: sign, significant digits, exponent of the last digit. */
function decimal(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return text;
  const [, sign, int, frac = '', exp = '0'] = m;
  let digits = (int + frac).replace(/^0+/, '');
  let exponent = Number(exp) - frac.length;
  if (!digits) return '0';
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailing);
  exponent += trailing;
  return `${sign}${digits}e${exponent}`;
}

/**
 * The numbers of a JSON text that a parse would not keep exactly: a decimal whose value differs
 * from the nearest double's (e.g. `0.12345678901234567890`, `9007199254740993`). Up to 15
 * significant digits always round-trip, so only longer numbers are looked at closely.
 */
export function inexactNumbers(text: string): string[] {
  const out: string[] = [];
  // A number of 16 or more significant digits has a run of 16 digits and dots: without one, nothing to look at.
  if (!LONG_RUN.test(text)) return out;
  for (const [token] of text.matchAll(TOKENS)) {
    if (token.charCodeAt(0) === 34 || token.length <= 15) continue; // a string, or too short to lose a digit
    const significant = token
      .replace(/[eE].*$/, '')
      .replace(/[-.]/g, '')
      .replace(/^0+/, '')
      .replace(/0+$/, '');
    if (significant.length <= 15) continue;
    const kept = Number(token);
    if (!Number.isFinite(kept) || decimal(token) !== decimal(String(kept).replace('e+', 'e'))) out.push(token);
  }
  return out;
}

/** A JSON text without a rounded number. */
export const NO_ROUNDED_NUMBERS: ReadonlyMap<number, string> = new Map();

/** The numbers of a JSON text a parse rounded, by the value they were rounded to. */
export function roundedNumbers(text: string): ReadonlyMap<number, string> {
  const tokens = inexactNumbers(text);
  return tokens.length ? new Map(tokens.map((t) => [Number(t), t])) : NO_ROUNDED_NUMBERS;
}

/** Where in a parsed value the `rounded` numbers are, as problems (at most 20). */
export function roundedNumberProblems(rounded: ReadonlyMap<number, string>, value: unknown, path = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (rounded.size === 0) return problems;
  const stack: Array<[unknown, string]> = [[value, path]];
  while (stack.length && problems.length < 20) {
    const [v, here] = stack.pop()!;
    if (typeof v === 'number' && rounded.has(v))
      problems.push({
        path: here,
        message: `${rounded.get(v)} cannot be kept exactly as a number (send at most 15 significant digits, or the value as a string)`,
      });
    else if (v !== null && typeof v === 'object')
      for (const [k, c] of Object.entries(v)) stack.push([c, Array.isArray(v) ? `${here}[${k}]` : memberPath(here, k)]);
  }
  return problems;
}

/** `inexactNumbers` of a JSON text as problems of its parsed value, each named by the path where the number is. */
export function inexactNumberProblems(text: string, value: unknown): FieldProblem[] {
  return roundedNumberProblems(roundedNumbers(text), value);
}
