import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { fieldsOf, listOf } from './arrived';
import { parseDefinitionText } from './compile';
import { WorkflowDefinition } from './definition';
import { validateDefinition } from './validate';

const ROOT = join(__dirname, '..', '..', '..');

/** The seed exception-code catalog (config/exception-codes.yaml). */
const catalogFile: unknown = parse(readFileSync(join(ROOT, 'config', 'exception-codes.yaml'), 'utf8'));
export const CATALOG: ReadonlySet<string> = new Set(
  listOf(fieldsOf(catalogFile).codes).map((c) => String(fieldsOf(c).code)),
);

/** A shipped workflow (workflows/<jobType>.yaml), parsed and validated: a fresh copy each call, to edit. */
export function shippedWorkflow(jobType: string): WorkflowDefinition {
  const v = validateDefinition(parseDefinitionText(readFileSync(join(ROOT, 'workflows', `${jobType}.yaml`), 'utf8')), {
    catalog: CATALOG,
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
