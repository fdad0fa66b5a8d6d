import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { jsonValueProblems } from '@workgate/contracts';
import { Arrived, fieldsOf, isFields, listOf } from './arrived';
import { boundProblems } from './bounds';
import { compileCel } from '../conditions/cel';
import { mapKeyProblems } from './map-keys';
import { WorkflowDefinition } from './definition';
import { parseDuration, timerProblem } from './duration';
import type { Problem } from './problem';
import { WorkflowDefinitionDto } from './schema';
import { mcpProblems } from './mcp-problems';

export { MCP_ENV_PREFIX } from './mcp-problems';
import { mergeWithPattern, patternWanted, StoredPattern } from './pattern';

export type { Problem } from './problem';

export interface ValidationContext {
  /** The exception-code catalog: a definition may only allow codes in it. */
  catalog: ReadonlySet<string>;
  /** The published pattern of that name and version, for a definition that `extends` one (docs/patterns.md). */
  pattern?: (name: string, version: number) => StoredPattern | undefined;
}

export type Validation = { ok: true; definition: WorkflowDefinition } | { ok: false; problems: Problem[] };

function join(path: string, key: string): string {
  if (/^\d+$/.test(key)) return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

function flatten(errors: ValidationError[], path = '', out: Problem[] = []): Problem[] {
  for (const e of errors) {
    const here = join(path, e.property);
    for (const [kind, message] of Object.entries(e.constraints ?? {})) {
      out.push({ path: here, message: kind === 'whitelistValidation' ? `unknown key "${e.property}"` : message });
    }
    if (e.children?.length) flatten(e.children, here, out);
  }
  return out;
}

/**
 * Whether a definition every check of `validateDefinition` found nothing wrong with is one: the
 * checks (its schema, then the rules the schema cannot say) are what make it a WorkflowDefinition.
 */
const passed = (raw: object, problems: Problem[]): raw is WorkflowDefinition => problems.length === 0;

function duplicates(items: readonly unknown[], key: (t: unknown) => string): Set<string> {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) dup.add(k);
    seen.add(k);
  }
  return dup;
}

/**
 * Validates a parsed definition (YAML or JSON) strictly and lists EVERY problem with its
 * path: structure and unknown keys, CEL that does not parse or uses unknown variables, rules
 * naming systems outside the boundary, duplicate ids, exception codes outside the catalog,
 * ISO 8601 durations, steps and overlays that do not line up, more steps or rules than
 * DEFINITION_BOUNDS allows.
 */
export function validateDefinition(written: unknown, ctx: ValidationContext): Validation {
  if (!isFields(written) || Array.isArray(written)) {
    return { ok: false, problems: [{ path: '', message: 'a definition must be an object' }] };
  }
  // Past its bounds a definition is refused before its entries are walked (validating 15,000 steps blocks the process for seconds).
  // Inherited names as keys, nesting past MAX_DEPTH, U+0000 or unpaired surrogates, each named by its path (walked without recursion).
  const early = boundProblems(written);
  if (early.length) return { ok: false, problems: early };
  early.push(...jsonValueProblems(written));
  if (early.length) return { ok: false, problems: early };
  const wanted = patternWanted(written);
  if (wanted === undefined) return validateEffective(written, ctx);
  if ('path' in wanted) return { ok: false, problems: [wanted] };
  const stored = ctx.pattern?.(wanted.name, wanted.version);
  if (!stored)
    return {
      ok: false,
      problems: [
        {
          path: written.extends === undefined ? 'pattern' : 'extends',
          message: `no pattern ${wanted.name}@${wanted.version} is published`,
        },
      ],
    };
  const merged = mergeWithPattern(written, stored);
  if (!merged.ok) return merged;
  const bounds = boundProblems(merged.definition);
  return bounds.length ? { ok: false, problems: bounds } : validateEffective(merged.definition, ctx);
}

/** The checks of `validateDefinition` on an effective definition (a pattern merged in already). */
function validateEffective(raw: Readonly<Record<string, unknown>>, ctx: ValidationContext): Validation {
  const problems: Problem[] = [];

  const dto = plainToInstance(WorkflowDefinitionDto, raw);
  problems.push(
    ...flatten(
      validateSync(dto, {
        whitelist: true,
        forbidNonWhitelisted: true,
        forbidUnknownValues: true,
        validationError: { target: false },
      }),
    ),
  );
  const d: Arrived<WorkflowDefinition> = raw;
  const systems = listOf(d.systems);
  const systemNames = new Set(systems.map((s) => fieldsOf(s).name));

  for (const [field, items, what] of [
    ['systems', d.systems, 'system'],
    ['rules', d.rules, 'rule id'],
    ['steps', d.steps, 'step id'],
    ['requiredInputs', d.requiredInputs, 'input'],
    ['stages', d.stages, 'stage id'],
    ['overlays', d.overlays, 'overlay id'],
    ['objects', d.objects, 'object'],
  ] as const) {
    if (!Array.isArray(items)) continue;
    const dup = duplicates(items, (i) => String(fieldsOf(i).id ?? fieldsOf(i).name));
    for (const k of dup) problems.push({ path: field, message: `${what} "${k}" appears more than once` });
  }

  systems.forEach((raw, i) => {
    const system = fieldsOf(raw);
    problems.push(...mcpProblems(system.mcp, `systems[${i}].mcp`));
    // Its tools are named `<system>__<tool>`.
    if (system.mcp && typeof system.name === 'string' && system.name.includes('__'))
      problems.push({ path: `systems[${i}].name`, message: 'an MCP system\'s name may not hold "__"' });
  });

  if (Array.isArray(d.rules)) {
    listOf(d.rules).forEach((rule, i) => {
      const { when } = fieldsOf(rule);
      if (typeof when !== 'string' || when.length === 0) return;
      try {
        const { analysis } = compileCel(when);
        for (const name of analysis.systemLiterals) {
          if (!systemNames.has(name))
            problems.push({ path: `rules[${i}].when`, message: `names system "${name}", which is not in systems` });
        }
      } catch (error) {
        problems.push({ path: `rules[${i}].when`, message: (error as Error).message });
      }
    });
  }
  problems.push(...quorumProblems(d));
  if (Array.isArray(d.stages)) {
    // Each stage's artifact is its own kind: a discovery artifact is never a proposal.
    const seen = new Map<string, string>();
    listOf(d.stages).forEach((raw, i) => {
      const stage = fieldsOf(raw);
      if (typeof stage.artifact !== 'string') return;
      const other = seen.get(stage.artifact);
      if (other)
        problems.push({
          path: `stages[${i}].artifact`,
          message: `"${stage.artifact}" is already the artifact of stage "${other}"`,
        });
      else seen.set(stage.artifact, String(stage.id));
    });
  }
  if (Array.isArray(d.overlays)) {
    listOf(d.overlays).forEach((o, i) => {
      const { when } = fieldsOf(o);
      if (typeof when !== 'string' || when.length === 0) return;
      try {
        compileCel(when);
      } catch (error) {
        problems.push({ path: `overlays[${i}].when`, message: (error as Error).message });
      }
    });
  }

  if (Array.isArray(d.exceptionCodes)) {
    listOf(d.exceptionCodes).forEach((code, i) => {
      if (typeof code === 'string' && !ctx.catalog.has(code)) {
        problems.push({ path: `exceptionCodes[${i}]`, message: `"${code}" is not in the exception-code catalog` });
      }
    });
  }

  const durations: Array<[string, unknown]> = [
    ['approval.timeout', fieldsOf(d.approval).timeout],
    ['breakGlass.postReviewDue', fieldsOf(d.breakGlass).postReviewDue],
    ['delegation.initialWait', fieldsOf(d.delegation).initialWait],
    ['delegation.reminderEvery', fieldsOf(d.delegation).reminderEvery],
    ['delegation.hardTimeout', fieldsOf(d.delegation).hardTimeout],
    ['stallAfter', d.stallAfter],
  ];
  for (const [path, value] of durations) {
    const problem = typeof value === 'string' ? timerProblem(value) : undefined;
    if (problem) problems.push({ path, message: problem });
  }
  const bg = fieldsOf(d.breakGlass);
  if (bg.allowed === true) {
    if (bg.postReviewDue === undefined)
      problems.push({ path: 'breakGlass.postReviewDue', message: 'is required when break-glass is allowed' });
    if (bg.reviewer === undefined)
      problems.push({ path: 'breakGlass.reviewer', message: 'is required when break-glass is allowed' });
  }
  const dl = fieldsOf(d.delegation);
  if (
    parseDuration(dl.initialWait) &&
    parseDuration(dl.hardTimeout) &&
    parseDuration(dl.initialWait)! >= parseDuration(dl.hardTimeout)!
  ) {
    problems.push({ path: 'delegation.hardTimeout', message: 'must be longer than initialWait' });
  }

  problems.push(...mapKeyProblems(d, systemNames));

  if (!passed(raw, problems)) return { ok: false, problems };
  return { ok: true, definition: raw };
}

/**
 * What the schema cannot say of `approvals: {required, from}` (docs/policy.md, Two-person
 * approvals): `required` at most the number of approvers named, and only on a rule that waits.
 */
function quorumProblems(d: Arrived<WorkflowDefinition>): Problem[] {
  const problems: Problem[] = [];
  for (const [field, items] of [
    ['rules', d.rules],
    ['overlays', d.overlays],
  ] as const) {
    listOf(items).forEach((raw, i) => {
      const item = fieldsOf(raw);
      if (item.approvals === undefined) return;
      const { required, from } = fieldsOf(item.approvals);
      const path = `${field}[${i}].approvals`;
      if (field === 'rules' && item.decision !== 'wait')
        problems.push({
          path,
          message: `a ${String(item.decision)} rule asks no approval: approvals go with decision: wait`,
        });
      if (typeof required === 'number' && Array.isArray(from) && from.length > 0 && required > from.length)
        problems.push({
          path: `${path}.required`,
          message: `is ${required}, more than the ${from.length} approver${from.length === 1 ? '' : 's'} from names`,
        });
    });
  }
  return problems;
}
