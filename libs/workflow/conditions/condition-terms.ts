import { parse } from '@bufbuild/cel';
import { MAX_CEL_LENGTH } from './cel';

/**
 * How a changed condition relates to the one before it, read from the parsed expressions, never
 * from their text: `a || b` has the disjuncts [a, b]; `a && b` (one disjunct) the conjuncts
 * [a, b]; `a || b ? c : d` one disjunct, the whole conditional (`?:` binds looser than `||`).
 * Terms are compared as trees: whitespace and parentheses aside, a term written another way
 * (reordered, negated twice, simplified) is another term.
 */

type Expr = NonNullable<ReturnType<typeof parse>['expr']>;

/** The parsed condition, or undefined when it is not CEL (or longer than any condition may be). */
function parsed(text: string): Expr | undefined {
  if (text.length > MAX_CEL_LENGTH) return undefined;
  try {
    return parse(text).expr;
  } catch {
    return undefined;
  }
}

/** A tree as text without its node ids: two trees with the same text are the same expression. */
function canonical(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value instanceof Uint8Array) return `b'${Buffer.from(value).toString('hex')}'`;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  const fields = Object.entries(value)
    .filter(([key, v]) => key !== 'id' && v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${fields.map(([key, v]) => `${key}:${canonical(v)}`).join(',')}}`;
}

/** The operands of nested calls of `fn` (`_||_`, `_&&_`): `a || (b || c)` gives [a, b, c]. */
function terms(e: Expr, fn: '_||_' | '_&&_'): Expr[] {
  const { case: kind, value } = e.exprKind;
  if (kind !== 'callExpr' || value.function !== fn || value.target) return [e];
  return value.args.flatMap((arg) => terms(arg, fn));
}

export type TermChange =
  'same' | 'adds-disjuncts' | 'removes-disjuncts' | 'adds-conjuncts' | 'removes-conjuncts' | 'other';

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((t, i) => t === b[i]);

/** Every term of `a` is among those of `b`, and `b` has more. */
const within = (a: string[], b: string[]) => b.length > a.length && a.every((t) => b.includes(t));

/**
 * How the condition `after` relates to `before` by its top-level terms; `other` for anything
 * else, a condition that is not CEL among it. A change is `adds-disjuncts` only when every
 * disjunct before is still one after: then the condition holds (or fails to evaluate) wherever
 * it did before, as CEL's `||` is true when any operand is, whatever the others give.
 */
export function termChange(before: string, after: string): TermChange {
  const [b, a] = [parsed(before), parsed(after)];
  if (!b || !a) return 'other';
  if (canonical(b) === canonical(a)) return 'same';
  const split = (e: Expr, fn: '_||_' | '_&&_') => terms(e, fn).map(canonical);
  const [orBefore, orAfter] = [split(b, '_||_'), split(a, '_||_')];
  // `||` and `&&` are associative in CEL, failures to evaluate included: only the nesting differs.
  if (sameList(orBefore, orAfter)) return 'same';
  if (within(orBefore, orAfter)) return 'adds-disjuncts';
  if (within(orAfter, orBefore)) return 'removes-disjuncts';
  if (orBefore.length > 1 || orAfter.length > 1) return 'other';
  const [andBefore, andAfter] = [split(b, '_&&_'), split(a, '_&&_')];
  if (sameList(andBefore, andAfter)) return 'same';
  if (within(andBefore, andAfter)) return 'adds-conjuncts';
  if (within(andAfter, andBefore)) return 'removes-conjuncts';
  return 'other';
}

/** The systems and operations a disjunct requires; a field it does not require is undefined (any). */
export interface RequiredScope {
  systems?: string[];
  operations?: string[];
}

/** `action.<field>` */
function isActionField(e: Expr | undefined, field: string): boolean {
  if (e?.exprKind.case !== 'selectExpr') return false;
  const { operand, field: name, testOnly } = e.exprKind.value;
  return (
    !testOnly && name === field && operand?.exprKind.case === 'identExpr' && operand.exprKind.value.name === 'action'
  );
}

function stringLiteral(e: Expr | undefined): string | undefined {
  const c = e?.exprKind.case === 'constExpr' ? e.exprKind.value.constantKind : undefined;
  return c?.case === 'stringValue' ? c.value : undefined;
}

/** The values a conjunct allows `action.<field>` to have: `== "x"`, `"x" ==`, `in ["x", "y"]`. */
function allowed(conjunct: Expr, field: string): string[] | undefined {
  if (conjunct.exprKind.case !== 'callExpr' || conjunct.exprKind.value.target) return undefined;
  const { function: fn, args } = conjunct.exprKind.value;
  if (fn === '_==_' && args.length === 2) {
    const literal = isActionField(args[0], field)
      ? stringLiteral(args[1])
      : isActionField(args[1], field)
        ? stringLiteral(args[0])
        : undefined;
    return literal === undefined ? undefined : [literal];
  }
  const list = fn === '@in' && args.length === 2 && isActionField(args[0], field) ? args[1].exprKind : undefined;
  if (list?.case !== 'listExpr') return undefined;
  const literals = list.value.elements.map(stringLiteral);
  return literals.every((l) => l !== undefined) ? literals.filter((l) => l !== undefined) : undefined;
}

/**
 * For each top-level disjunct of a condition, the systems and operations an action must have for
 * it to hold: what a conjunct `action.operation == "x"` (or `in [...]`) requires. A disjunct that
 * requires nothing of a field can match any value of it. Undefined when the condition is not CEL.
 */
export function requiredScopes(condition: string): RequiredScope[] | undefined {
  const e = parsed(condition);
  if (!e) return undefined;
  return terms(e, '_||_').map((disjunct) => {
    const conjuncts = terms(disjunct, '_&&_');
    const first = (field: string) => conjuncts.map((c) => allowed(c, field)).find((values) => values !== undefined);
    return { systems: first('system'), operations: first('operation') };
  });
}

const LOGICAL = new Set(['_&&_', '_||_', '!_', '_?_:_']);
const ACTION_FIELDS = ['system', 'operation', 'kind'];

/** An expression that evaluates to a boolean whatever the request holds (it reads no fact). */
function cannotFailExpr(e: Expr): boolean {
  const { case: kind, value } = e.exprKind;
  if (kind === 'constExpr') return value.constantKind.case === 'boolValue';
  if (kind !== 'callExpr' || value.target) return false;
  if (LOGICAL.has(value.function)) return value.args.every(cannotFailExpr);
  const [left, right] = value.args;
  const field = (x: Expr | undefined) => ACTION_FIELDS.some((f) => isActionField(x, f));
  if ((value.function === '_==_' || value.function === '_!=_') && value.args.length === 2)
    return (field(left) && stringLiteral(right) !== undefined) || (field(right) && stringLiteral(left) !== undefined);
  return (
    value.function === '@in' &&
    value.args.length === 2 &&
    field(left) &&
    right.exprKind.case === 'listExpr' &&
    right.exprKind.value.elements.every((el) => stringLiteral(el) !== undefined)
  );
}

/**
 * Whether a condition always evaluates, to `true` or `false`: it reads only the action's system,
 * operation and kind (which every action has), compared with string literals and joined with
 * `&&`, `||`, `!` or `?:`. Anything else (a fact, a work order input, a function) may be missing
 * or of another type, and a rule that fails to evaluate stops the action.
 */
export function cannotFail(condition: string): boolean {
  const e = parsed(condition);
  return e !== undefined && cannotFailExpr(e);
}
