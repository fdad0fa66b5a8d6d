import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { jsonValueProblems, PATTERN_PARTS, PatternDefinition } from '@workgate/contracts';
import { isFields, listOf } from './arrived';
import { boundProblems } from './bounds';
import type { Problem } from './problem';
import { PatternDefinitionDto } from './schema';
import { validateDefinition, ValidationContext } from './validate';

export type PatternValidation = { ok: true; pattern: PatternDefinition } | { ok: false; problems: Problem[] };

/** Whether a pattern every check of `validatePattern` found nothing wrong with is one: the checks make it so. */
const passed = (raw: object, problems: Problem[]): raw is PatternDefinition => problems.length === 0;

/** What a pattern holds besides its parts. */
const HEADER = ['name', 'version', 'title', 'owner', 'locked'] as const;
/** The keys a pattern may have. */
const KEYS = new Set<string>([...HEADER, 'changeReviewers', ...PATTERN_PARTS]);
const HEADER_KEYS = new Set<string>(HEADER);
const PARTS = new Set<string>(PATTERN_PARTS);

/**
 * Validates a pattern (docs/patterns.md) and lists every problem with its path: its name, version,
 * title, owner and `locked` as the schema says; its parts as a workflow's parts are checked (the
 * pattern stands on its own, so a rule names only the pattern's systems and a code must be in the
 * catalog); a locked part the pattern does not hold.
 */
export function validatePattern(raw: unknown, ctx: Pick<ValidationContext, 'catalog'>): PatternValidation {
  if (!isFields(raw) || Array.isArray(raw))
    return { ok: false, problems: [{ path: '', message: 'a pattern must be an object' }] };
  const early = [...boundProblems(raw), ...jsonValueProblems(raw)];
  if (early.length) return { ok: false, problems: early };
  const problems: Problem[] = Object.keys(raw)
    .filter((key) => !KEYS.has(key))
    .map((key) => ({ path: key, message: `unknown key "${key}"` }));
  const header = Object.fromEntries(HEADER.filter((k) => k in raw).map((k) => [k, raw[k]]));
  for (const error of validateSync(plainToInstance(PatternDefinitionDto, header), {
    validationError: { target: false },
  }))
    for (const message of Object.values(error.constraints ?? {})) problems.push({ path: error.property, message });

  // The parts, checked as those of a workflow whose header cannot be wrong.
  const parts = Object.fromEntries(Object.entries(raw).filter(([key]) => KEYS.has(key) && !HEADER_KEYS.has(key)));
  // A pattern may leave break-glass's post-reviewer to each workflow: the effective definition must name one.
  const breakGlass = isFields(parts.breakGlass) ? { reviewer: 'each-workflow', ...parts.breakGlass } : parts.breakGlass;
  const asWorkflow = validateDefinition(
    { jobType: 'pattern', version: 1, title: 'pattern', owner: 'pattern', systems: [], ...parts, breakGlass },
    { catalog: ctx.catalog },
  );
  if (!asWorkflow.ok) problems.push(...asWorkflow.problems);
  listOf(raw.locked).forEach((part, i) => {
    if (typeof part === 'string' && PARTS.has(part) && raw[part] === undefined)
      problems.push({ path: `locked[${i}]`, message: `locks ${part}, which the pattern does not hold` });
  });
  return passed(raw, problems) ? { ok: true, pattern: raw } : { ok: false, problems };
}
