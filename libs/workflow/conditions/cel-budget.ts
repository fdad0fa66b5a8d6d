import { celFunc, CelScalar, isCelList, isCelMap, parse } from '@bufbuild/cel';

/**
 * A rule's evaluation is bounded by a cost budget counted while it runs (docs/policy.md,
 * "Bounded rules"). The parsed condition is rewritten before it is planned: every value a call
 * reads passes through `METER`, which charges 1 plus its size (the elements of a list or map,
 * the characters of a string, the bytes of bytes), and every turn of a list macro's loop through
 * `TICK`, which charges 1. Past the budget the meter throws: the evaluation stops there and the
 * rule fails closed, whatever an `||` or `? :` around the loop makes of its error.
 */

/** Cost units one rule may spend: tens of milliseconds at most (docs/performance.md). */
export const RULE_COST_BUDGET = 100_000;
/** Cost units all the rules and overlays of one decision may spend together. */
export const DECISION_COST_BUDGET = 2 * RULE_COST_BUDGET;
/** Milliseconds a rule may run, read from the clock inside its evaluation as a last guard. */
export const RULE_TIME_BUDGET_MS = 50;

/** The functions the rewrite calls; a condition that names one itself is refused (`reservedFunction`). */
const METER = 'workgate_cost';
const TICK = 'workgate_tick';
export const reservedFunction = (name: string) => name === METER || name === TICK;

/** Why an evaluation stopped before its end. */
export type OverBudget = 'cost' | 'time';

interface Meter {
  left: number;
  deadline: number;
  clock: () => number;
  charges: number;
  over?: OverBudget;
}

/** The meter of the evaluation running now: evaluations are synchronous, so one at a time per thread. */
let running: Meter | undefined;

class BudgetSpent extends Error {}

function charge(cost: number): void {
  const m = running;
  if (!m) return;
  m.left -= cost;
  if (m.left < 0) m.over ??= 'cost';
  // The clock is read every 64th charge: a few nanoseconds a charge, and the time between two
  // charges is one call over values the request sent.
  else if ((++m.charges & 63) === 0 && m.clock() > m.deadline) m.over = 'time';
  if (m.over) throw new BudgetSpent(m.over === 'cost' ? 'over its cost budget' : 'over its time budget');
}

function sizeOf(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (v instanceof Uint8Array) return v.length;
  if (isCelList(v) || isCelMap(v)) return v.size;
  return 0;
}

/** The functions the rewritten conditions call, for the CEL environment. */
export const BUDGET_FUNCTIONS = [
  celFunc(METER, [CelScalar.DYN], CelScalar.DYN, (v) => {
    charge(1 + sizeOf(v));
    return v;
  }),
  celFunc(TICK, [], CelScalar.BOOL, () => {
    charge(1);
    return true;
  }),
];

/**
 * Runs `evaluate` under a budget of `cost` units and a deadline `timeMs` after now by `clock`;
 * says what it cost and, when it stopped early, why.
 */
export function metered<T>(
  evaluate: () => T,
  { cost, timeMs, clock }: { cost: number; timeMs: number; clock: () => number },
): { value: T; spent: number; over?: OverBudget } {
  const outer = running;
  const meter: Meter = { left: cost, deadline: clock() + timeMs, clock, charges: 0 };
  running = meter;
  try {
    const value = evaluate();
    // One that finished past its deadline took too long as well.
    if (!meter.over && clock() > meter.deadline) meter.over = 'time';
    return { value, spent: cost - meter.left, ...(meter.over ? { over: meter.over } : {}) };
  } finally {
    running = outer;
  }
}

type ExprNode = ReturnType<typeof parse>['expr'];
type Node = NonNullable<ExprNode>;

/** Calls whose arguments are not read whole: the logical operators (they may absorb an error) and indexing. */
const NOT_METERED = new Set(['_&&_', '_||_', '_?_:_', '!_', '@not_strictly_false', '_[_]', '_[?_]', '_?._']);

const TEMPLATE = parse('f(x)').expr;

/** A call node `fn(args)`, shaped as the parser shapes one. */
function callNode(fn: string, args: Node[], id: bigint): Node {
  if (TEMPLATE?.exprKind.case !== 'callExpr') throw new Error('the CEL parser gave no call node');
  const value = { ...TEMPLATE.exprKind.value, function: fn, args, target: undefined };
  return { ...TEMPLATE, id, exprKind: { case: 'callExpr', value } };
}

/** The number of elements of a literal list or map (`[0, 0, 0]`), of characters of a string constant, else 0. */
function literalSize(e: Node | undefined): number {
  if (!e) return 0;
  const { exprKind } = e;
  if (exprKind.case === 'listExpr') return exprKind.value.elements.length;
  if (exprKind.case === 'structExpr') return exprKind.value.entries.length;
  if (exprKind.case === 'constExpr' && exprKind.value.constantKind.case === 'stringValue')
    return exprKind.value.constantKind.value.length;
  return 0;
}

/** What `METER(x)` wraps. */
const unwrapped = (e: Node | undefined) =>
  e?.exprKind.case === 'callExpr' && e.exprKind.value.function === METER ? e.exprKind.value.args[0] : e;

/**
 * The cost a metered condition spends whatever its inputs, counted as the meter will count it:
 * a loop over a literal list turns once per element. Loops over the request's values count
 * nothing here (their cost is counted as they run).
 */
export function literalCost(e: Node | undefined): number {
  if (!e) return 0;
  const { exprKind } = e;
  switch (exprKind.case) {
    case 'callExpr': {
      const { function: fn, args, target } = exprKind.value;
      const own = fn === METER ? 1 + literalSize(args[0]) : fn === TICK ? 1 : 0;
      return args.reduce((sum, a) => sum + literalCost(a), own + literalCost(target));
    }
    case 'selectExpr':
      return literalCost(exprKind.value.operand);
    case 'listExpr':
      return exprKind.value.elements.reduce((sum, el) => sum + literalCost(el), 0);
    case 'structExpr':
      return exprKind.value.entries.reduce(
        (sum, entry) =>
          sum + literalCost(entry.value) + (entry.keyKind.case === 'mapKey' ? literalCost(entry.keyKind.value) : 0),
        0,
      );
    case 'comprehensionExpr': {
      const c = exprKind.value;
      const turns = literalSize(unwrapped(c.iterRange));
      const perTurn = literalCost(c.loopCondition) + literalCost(c.loopStep);
      return literalCost(c.iterRange) + literalCost(c.accuInit) + turns * perTurn + literalCost(c.result);
    }
    default:
      return 0;
  }
}

/**
 * Rewrites a parsed condition (in place) so that its evaluation charges the running meter.
 * Constants are not metered (their cost is in the text, at most MAX_CEL_LENGTH characters).
 */
export function meterExpression(root: Node): Node {
  let nextId = 1n << 40n;
  const id = () => nextId++;
  const wrap = (e: Node | undefined): Node | undefined => {
    if (!e) return e;
    const inner = rewrite(e);
    return inner.exprKind.case === 'constExpr' ? inner : callNode(METER, [inner], id());
  };
  const rewrite = (e: Node): Node => {
    const { exprKind } = e;
    switch (exprKind.case) {
      case 'callExpr': {
        const call = exprKind.value;
        const read = !NOT_METERED.has(call.function);
        call.args = call.args.map((a) => (read ? wrap(a)! : rewrite(a)));
        if (call.target) call.target = read ? wrap(call.target) : rewrite(call.target);
        return e;
      }
      case 'selectExpr':
        if (exprKind.value.operand) exprKind.value.operand = rewrite(exprKind.value.operand);
        return e;
      case 'listExpr':
        exprKind.value.elements = exprKind.value.elements.map(rewrite);
        return e;
      case 'structExpr':
        for (const entry of exprKind.value.entries) {
          if (entry.value) entry.value = rewrite(entry.value);
          if (entry.keyKind.case === 'mapKey') entry.keyKind.value = rewrite(entry.keyKind.value);
        }
        return e;
      case 'comprehensionExpr': {
        const c = exprKind.value;
        c.iterRange = wrap(c.iterRange);
        if (c.accuInit) c.accuInit = rewrite(c.accuInit);
        if (c.loopCondition)
          c.loopCondition = callNode('_&&_', [callNode(TICK, [], id()), rewrite(c.loopCondition)], id());
        if (c.loopStep) c.loopStep = rewrite(c.loopStep);
        if (c.result) c.result = rewrite(c.result);
        return e;
      }
      default:
        return e;
    }
  };
  return rewrite(root);
}
