import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseDefinitionText } from './compile';
import { WorkflowDefinition } from './definition';

const ROOT = join(__dirname, '..', '..');

/** The seed exception-code catalog (config/exception-codes.yaml). */
export const CATALOG: ReadonlySet<string> = new Set(
  (
    parse(readFileSync(join(ROOT, 'config', 'exception-codes.yaml'), 'utf8')) as { codes: Array<{ code: string }> }
  ).codes.map((c) => c.code),
);

export function shippedWorkflow(jobType: string): WorkflowDefinition {
  return parseDefinitionText(readFileSync(join(ROOT, 'workflows', `${jobType}.yaml`), 'utf8')) as WorkflowDefinition;
}

export const SHIPPED = [
  'support-recovery',
  'field-work-order',
  'agent-delegation',
  'engagement-lifecycle',
  'agent-files',
];
