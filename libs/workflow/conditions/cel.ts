import { celEnv, CelResult, isCelError, parse, plan } from '@bufbuild/cel';
import {
  BUDGET_FUNCTIONS,
  literalCost,
  meterExpression,
  metered,
  OverBudget,
  reservedFunction,
  RULE_COST_BUDGET,
  RULE_TIME_BUDGET_MS,
} from './cel-budget';

/** The variables a rule condition may use. */
export const CEL_VARIABLES = ['action', 'facts', 'workOrder'] as const;
export const MAX_CEL_LENGTH = 4096;
const MAX_COMPREHENSION_DEPTH = 2;

export type CelProgram = (bindings: Record<string, unknown>) => CelResult;

/** A node of the syntax tree `parse` gives: its kinds a union on `exprKind.case`, each with its own value. */
type ExprNode = ReturnType<typeof parse>['expr'];

/** The variables as a set, for membership tests by any name. */
const VARIABLES: ReadonlySet<string> = new Set(CEL_VARIABLES);

const env = celEnv({ funcs: BUDGET_FUNCTIONS });

/** Literals compared with `action.system` (`action.system == "x"`, `"x" == action.system`, `action.system in [...]`), and the same of `action.operation` and `action.stepId`. */
export interface CelAnalysis {
  systemLiterals: string[];
  operationLiterals: string[];
  stepLiterals: string[];
  /** Every field path the condition reads from its variables (`facts.orderPaid`, `workOrder.inputs.caseId`). */
  paths: string[];
}

/** `facts.a.b` of a select chain over one of the variables, or undefined. */
function selectPath(e: ExprNode | undefined): string | undefined {
  if (e?.exprKind.case === 'identExpr') return e.exprKind.value.name;
  if (e?.exprKind.case !== 'selectExpr') return undefined;
  const operand = selectPath(e.exprKind.value.operand);
  return operand === undefined ? undefined : `${operand}.${e.exprKind.value.field}`;
}

/** Parses, checks and plans a condition once; throws an Error whose message says what is wrong. */
export function compileCel(source: string): { program: CelProgram; analysis: CelAnalysis } {
  if (source.length > MAX_CEL_LENGTH) throw new Error(`is longer than ${MAX_CEL_LENGTH} characters`);
  let parsed;
  try {
    parsed = parse(source);
  } catch (error) {
    throw new Error(`is not valid CEL: ${(error as Error).message.replace(/^<input>:/, 'at ')}`);
  }
  const analysis: CelAnalysis = { systemLiterals: [], operationLiterals: [], stepLiterals: [], paths: [] };
  walk(parsed.expr, new Set(), 0, analysis);
  // Planned as written, but every value a call reads and every turn of a loop charges the
  // evaluation's cost budget (cel-budget.ts).
  if (parsed.expr) parsed.expr = meterExpression(parsed.expr);
  // Loops over literal lists cost the same for every request: past the budget, refused here.
  const cost = literalCost(parsed.expr);
  if (cost > RULE_COST_BUDGET)
    throw new Error(
      `loops over its literal lists for ${cost.toLocaleString('en-US')} steps: a rule may take at most ${RULE_COST_BUDGET.toLocaleString('en-US')}`,
    );
  // The planned program converts any JSON value it is given (objects, arrays, numbers) at run
  // time; its declared input names only CEL's own value types, so a request's facts need this one cast.
  const program = plan(env, parsed) as CelProgram;
  return { program, analysis };
}

/** Where a literal compared with each action field is collected. */
const LITERALS = { system: 'systemLiterals', operation: 'operationLiterals', stepId: 'stepLiterals' } as const;

/** `system`, `operation` or `stepId` when the expression is `action.<that field>`. */
function actionField(e: ExprNode | undefined): keyof typeof LITERALS | undefined {
  if (e?.exprKind.case !== 'selectExpr') return undefined;
  const { operand, field } = e.exprKind.value;
  if (operand?.exprKind.case !== 'identExpr' || operand.exprKind.value.name !== 'action') return undefined;
  return field === 'system' || field === 'operation' || field === 'stepId' ? field : undefined;
}

function stringConst(e: ExprNode | undefined): string | undefined {
  if (e?.exprKind.case !== 'constExpr') return undefined;
  const c = e.exprKind.value.constantKind;
  return c?.case === 'stringValue' ? c.value : undefined;
}

function walk(e: ExprNode | undefined, bound: Set<string>, depth: number, analysis: CelAnalysis): void {
  if (!e) return;
  const { case: kind, value } = e.exprKind;
  switch (kind) {
    case 'identExpr':
      if (!bound.has(value.name) && !VARIABLES.has(value.name)) {
        throw new Error(`uses unknown variable "${value.name}" (conditions see ${CEL_VARIABLES.join(', ')})`);
      }
      return;
    case 'selectExpr': {
      const path = selectPath(e);
      if (path !== undefined && VARIABLES.has(path.split('.')[0]) && !analysis.paths.includes(path))
        analysis.paths.push(path);
      return walk(value.operand, bound, depth, analysis);
    }
    case 'callExpr': {
      const { args } = value;
      if (reservedFunction(value.function)) throw new Error(`uses unknown function "${value.function}"`);
      if ((value.function === '_==_' || value.function === '_!=_') && args.length === 2) {
        const [field, literal] = actionField(args[0])
          ? [actionField(args[0]), stringConst(args[1])]
          : [actionField(args[1]), stringConst(args[0])];
        if (field && literal !== undefined) analysis[LITERALS[field]].push(literal);
      }
      const listed = value.function === '@in' && args.length === 2 ? actionField(args[0]) : undefined;
      if (listed && args[1].exprKind.case === 'listExpr') {
        for (const el of args[1].exprKind.value.elements ?? []) {
          const literal = stringConst(el);
          if (literal !== undefined) analysis[LITERALS[listed]].push(literal);
        }
      }
      walk(value.target, bound, depth, analysis);
      for (const a of args) walk(a, bound, depth, analysis);
      return;
    }
    case 'listExpr':
      for (const el of value.elements ?? []) walk(el, bound, depth, analysis);
      return;
    case 'structExpr':
      for (const entry of value.entries ?? []) {
        walk(entry.keyKind?.case === 'mapKey' ? entry.keyKind.value : undefined, bound, depth, analysis);
        walk(entry.value, bound, depth, analysis);
      }
      return;
    case 'comprehensionExpr': {
      if (depth + 1 > MAX_COMPREHENSION_DEPTH)
        throw new Error(`nests list macros deeper than ${MAX_COMPREHENSION_DEPTH}`);
      walk(value.iterRange, bound, depth, analysis);
      walk(value.accuInit, bound, depth, analysis);
      const inner = new Set(bound);
      for (const v of [value.iterVar, value.iterVar2, value.accuVar]) if (v) inner.add(v);
      walk(value.loopCondition, inner, depth + 1, analysis);
      walk(value.loopStep, inner, depth + 1, analysis);
      walk(value.result, inner, depth + 1, analysis);
      return;
    }
    default:
      return;
  }
}

/**
 * What a condition's evaluation error means to the caller, when it is a field the request did not
 * send: `field not found: orderPaid` of a condition reading `facts.orderPaid` is the fact
 * `orderPaid`, sent in the action request's `facts`. Otherwise the error as it is.
 */
export function explainCelError(error: string, paths: readonly string[]): string {
  const field = /^field not found: (.+)$/.exec(error)?.[1];
  const path = field === undefined ? undefined : paths.find((p) => p.endsWith(`.${field}`));
  if (!path) return error;
  if (path === `facts.${field}`)
    return `the fact "${field}" is missing: send it in the request's facts ({"facts": {"${field}": ...}})`;
  if (path === `workOrder.inputs.${field}`)
    return `the work order's input "${field}" is missing: it is set when the work order opens (inputs.${field})`;
  return `${path} is missing from the request`;
}

/** How much one evaluation may spend: cost units, and milliseconds by `clock`. */
export interface EvaluationLimits {
  cost: number;
  timeMs: number;
  clock: () => number;
}

/** One rule's limits (cel-budget.ts): RULE_COST_BUDGET units, RULE_TIME_BUDGET_MS by the wall clock. */
export const RULE_LIMITS: EvaluationLimits = { cost: RULE_COST_BUDGET, timeMs: RULE_TIME_BUDGET_MS, clock: Date.now };

export type Evaluation = ({ ok: true; value: boolean } | { ok: false; error: string; over?: OverBudget }) & {
  /** The cost units it spent. */
  spent: number;
};

const OVER: Record<OverBudget, (limits: EvaluationLimits) => string> = {
  cost: (l) => `its evaluation went over its cost budget of ${l.cost.toLocaleString('en-US')} steps`,
  time: (l) => `its evaluation went over its time budget of ${l.timeMs} ms`,
};

/**
 * Evaluates a planned condition within `limits`. Anything but a boolean `true`/`false` is an
 * error, and so is an evaluation over its budget (whatever it gave): a rule that cannot be
 * evaluated must fail closed, never be skipped.
 */
export function evaluateCondition(
  program: CelProgram,
  bindings: Record<string, unknown>,
  limits: EvaluationLimits = RULE_LIMITS,
): Evaluation {
  let run: { value: CelResult; spent: number; over?: OverBudget };
  try {
    run = metered(() => program(bindings), limits);
  } catch (error) {
    return { ok: false, error: (error as Error).message, spent: limits.cost };
  }
  const { value: result, spent, over } = run;
  if (over) return { ok: false, error: OVER[over](limits), over, spent };
  if (isCelError(result)) return { ok: false, error: result.message, spent };
  if (typeof result !== 'boolean') return { ok: false, error: `condition gave ${typeof result}, not a boolean`, spent };
  return { ok: true, value: result, spent };
}
