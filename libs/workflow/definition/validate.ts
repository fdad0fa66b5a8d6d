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

export type { Problem } from './problem';

export interface ValidationContext {
  /** The exception-code catalog: a definition may only allow codes in it. */
  catalog: ReadonlySet<string>;
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
export function validateDefinition(raw: unknown, ctx: ValidationContext): Validation {
  const problems: Problem[] = [];
  if (!isFields(raw) || Array.isArray(raw)) {
    return { ok: false, problems: [{ path: '', message: 'a definition must be an object' }] };
  }
  // Past its bounds a definition is refused before its entries are walked (validating 15,000 steps blocks the process for seconds).
  problems.push(...boundProblems(raw));
  if (problems.length) return { ok: false, problems };
  // Inherited names as keys, nesting past MAX_DEPTH, U+0000 or unpaired surrogates, each named by its path (walked without recursion).
  problems.push(...jsonValueProblems(raw));
  if (problems.length) return { ok: false, problems };

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

/** Names that hold secrets: their values must reference an environment variable. */
const SECRET_NAME = /key|token|secret|passw|auth|credential|cookie|session/i;
/** What a workflow may read of workgate's environment: only variables the operator named for MCP servers. */
export const MCP_ENV_PREFIX = 'WORKGATE_MCP_';
const ENV_REFERENCE = /^\$\{WORKGATE_MCP_[A-Za-z0-9_]+\}$/;
const ANY_REFERENCE = /\$\{([^}]*)\}/g;

/** Every string an MCP server's configuration holds, with its path. */
function mcpStrings(m: Record<string, unknown>, path: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [field, value] of Object.entries(m)) {
    if (typeof value === 'string') out.push([`${path}.${field}`, value]);
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value))
        if (typeof v === 'string') out.push([`${path}.${field}${Array.isArray(value) ? `[${k}]` : `.${k}`}`, v]);
  }
  return out;
}

/**
 * An MCP system's problems: a process (command) or a URL, not both; no secret written in plain
 * text; `${NAME}` references only to variables named WORKGATE_MCP_* (a workflow never reads the
 * database password or any other variable of workgate's).
 */
function mcpProblems(mcp: unknown, path: string): Problem[] {
  if (!isFields(mcp)) return [];
  const m = mcp;
  const problems: Problem[] = [];
  if ((m.command === undefined) === (m.url === undefined))
    problems.push({ path, message: 'an MCP server is a command (stdio) or a url (streamable HTTP), one of them' });
  if (m.command !== undefined && m.headers !== undefined)
    problems.push({ path: `${path}.headers`, message: 'headers go with a url, not a command' });
  if (m.url !== undefined && (m.args !== undefined || m.env !== undefined))
    problems.push({ path, message: 'args and env go with a command, not a url' });
  for (const [at, value] of mcpStrings(m, path)) {
    for (const [, name] of value.matchAll(ANY_REFERENCE)) {
      if (!name.startsWith(MCP_ENV_PREFIX) || !/^[A-Za-z0-9_]+$/.test(name))
        problems.push({
          path: at,
          message: `references \${${name}}: a workflow may only read variables named ${MCP_ENV_PREFIX}…`,
        });
    }
  }
  for (const field of ['env', 'headers'] as const) {
    const values = m[field];
    if (values === undefined || values === null || typeof values !== 'object') continue;
    for (const [name, value] of Object.entries(values)) {
      if (typeof value !== 'string') problems.push({ path: `${path}.${field}.${name}`, message: 'must be a string' });
      else if (SECRET_NAME.test(name) && !ENV_REFERENCE.test(value))
        problems.push({
          path: `${path}.${field}.${name}`,
          message:
            'holds a secret in plain text: reference an environment variable instead, e.g. "${WORKGATE_MCP_TRACKER_TOKEN}"',
        });
    }
  }
  return problems;
}
