import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { fieldsOf, listOf } from './arrived';
import { parseDefinitionText } from './compile';
import { WorkflowDefinition } from './definition';
import { patternSha256, StoredPattern } from './pattern';
import { validatePattern } from './pattern-validate';
import { validateDefinition, ValidationContext } from './validate';

const ROOT = join(__dirname, '..', '..', '..');

/** The seed exception-code catalog (config/exception-codes.yaml). */
const catalogFile: unknown = parse(readFileSync(join(ROOT, 'config', 'exception-codes.yaml'), 'utf8'));
export const CATALOG: ReadonlySet<string> = new Set(
  listOf(fieldsOf(catalogFile).codes).map((c) => String(fieldsOf(c).code)),
);

/** A shipped pattern (patterns/<name>.yaml), validated, with its hash: what the policy service publishes at start. */
function shippedPattern(name: string): StoredPattern | undefined {
  const file = join(ROOT, 'patterns', `${name}.yaml`);
  if (!existsSync(file)) return undefined;
  const v = validatePattern(parseDefinitionText(readFileSync(file, 'utf8')), { catalog: CATALOG });
  if (!v.ok) throw new Error(`patterns/${name}.yaml: ${JSON.stringify(v.problems)}`);
  return { pattern: v.pattern, sha256: patternSha256(v.pattern) };
}

/**
 * The shipped patterns a workflow may extend (`extends: <name>@<version>`), looked up as the
 * policy service does: the version in the file is the one published.
 */
export const shippedPatterns = (name: string, version: number): StoredPattern | undefined => {
  const found = shippedPattern(name);
  return found?.pattern.version === version ? found : undefined;
};

/** What the policy service validates a definition against: the seed catalog and the shipped patterns. */
export const SHIPPED_CONTEXT: ValidationContext = { catalog: CATALOG, pattern: shippedPatterns };

/**
 * A shipped workflow (workflows/<jobType>.yaml), parsed and validated: its effective definition
 * (merged with the shipped pattern it extends), a fresh copy each call, to edit.
 */
export function shippedWorkflow(jobType: string): WorkflowDefinition {
  const v = validateDefinition(parseDefinitionText(readFileSync(join(ROOT, 'workflows', `${jobType}.yaml`), 'utf8')), {
    ...SHIPPED_CONTEXT,
  });
  if (!v.ok) throw new Error(`workflows/${jobType}.yaml: ${JSON.stringify(v.problems)}`);
  return v.definition;
}

export const SHIPPED = [
  'support-recovery',
  'field-work-order',
  'agent-delegation',
  'engagement-lifecycle',
  'agent-files',
  'incident-response',
  'access-request',
];

/** What parsing `text` as a definition throws, or undefined when it parses. */
export function refusal(text: string): unknown {
  try {
    parseDefinitionText(text);
    return undefined;
  } catch (error) {
    return error;
  }
}

/** The refusal of a definition nested past the depth limit, whatever the nesting. */
export const NESTED_TOO_DEEP = {
  code: 'invalid_definition',
  message: 'the definition is nested deeper than 64 levels',
  details: [{ path: '', message: 'is nested deeper than 64 levels' }],
};
