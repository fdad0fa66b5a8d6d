import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { AppendRequest, arrayOf, expectShape, isString, objectOf, WorkflowDefinition } from '@workgate/contracts';
import { deterministicUuid } from '@workgate/domain';
import {
  definitionSha256,
  parseDefinitionText,
  patternSha256,
  StoredPattern,
  validateDefinition,
  validatePattern,
} from '@workgate/workflow';

/** The workflow versions a synthetic history (`history.ts`) runs on, and the catalog's owners of its exception codes. */

/** The shipped workflows (version 1 as shipped; version 2 the same with its last step dropped). */
function shipped(): WorkflowDefinition[] {
  let dir = __dirname;
  while (!existsSync(join(dir, 'workflows', 'support-recovery.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the workflows directory');
    dir = up;
  }
  return ['support-recovery', 'field-work-order', 'agent-delegation', 'engagement-lifecycle'].map((jobType) =>
    shippedDefinition(dir, jobType),
  );
}

/** A shipped workflow (`<root>/workflows/<jobType>.yaml`), validated against the seed catalog as publishing validates it. */
export function shippedDefinition(root: string, jobType: string): WorkflowDefinition {
  const file: unknown = parse(readFileSync(join(root, 'config', 'exception-codes.yaml'), 'utf8'));
  const codes = expectShape(
    file,
    objectOf({ codes: arrayOf(objectOf({ code: isString })) }),
    'an exception-code catalog',
  );
  const catalog = new Set(codes.codes.map((c) => c.code));
  const parsed = parseDefinitionText(readFileSync(join(root, 'workflows', `${jobType}.yaml`), 'utf8'));
  const checked = validateDefinition(parsed, {
    catalog,
    pattern: (name, version) => shippedPattern(root, name, version, catalog),
  });
  if (!checked.ok) throw new Error(`workflows/${jobType}.yaml: ${JSON.stringify(checked.problems)}`);
  return checked.definition;
}

/** A shipped pattern (`<root>/patterns/<name>.yaml`) of that version, as the policy service publishes it at start. */
function shippedPattern(root: string, name: string, version: number, catalog: Set<string>): StoredPattern | undefined {
  const file = join(root, 'patterns', `${name}.yaml`);
  if (!existsSync(file)) return undefined;
  const checked = validatePattern(parseDefinitionText(readFileSync(file, 'utf8')), { catalog });
  if (!checked.ok) throw new Error(`patterns/${name}.yaml: ${JSON.stringify(checked.problems)}`);
  return checked.pattern.version === version
    ? { pattern: checked.pattern, sha256: patternSha256(checked.pattern) }
    : undefined;
}

const CODES: Record<string, string[]> = {
  'support-recovery': ['CUSTOMER_UNREACHABLE', 'ADDRESS_INVALID', 'PAYMENT_MISMATCH'],
  'field-work-order': ['PARTS_UNAVAILABLE', 'ACCESS_NOT_GRANTED', 'SAFETY_HOLD', 'EQUIPMENT_FAULT'],
  'agent-delegation': ['DELEGATE_UNRESPONSIVE', 'VERIFICATION_FAILED'],
  'engagement-lifecycle': ['SCOPE_CHANGE_REQUESTED', 'SECURITY_RISK_OPEN', 'CLIENT_APPROVAL_MISSING'],
};

/** The definition's known failures but those at `id` (a version without that step declares none there). */
function withoutFailuresAt(d: WorkflowDefinition, id: string | undefined): Pick<WorkflowDefinition, 'knownFailures'> {
  return d.knownFailures ? { knownFailures: d.knownFailures.filter((k) => k.at !== id) } : {};
}

const SHIPPED = shipped();
// The history numbers its own versions: 1 as shipped, 2 without the last step.
const DEFINITIONS = SHIPPED.flatMap((d) => [
  { ...d, version: 1 },
  { ...d, version: 2, steps: d.steps?.slice(0, -1), ...withoutFailuresAt(d, d.steps?.at(-1)?.id) },
]);
export const SHA = new Map(DEFINITIONS.map((d) => [`${d.jobType}@${d.version}`, definitionSha256(d)]));
export const JOB_TYPES = SHIPPED.map((d) => ({
  jobType: d.jobType,
  owner: d.owner,
  steps: (d.steps ?? []).map((s) => s.id),
  codes: CODES[d.jobType],
}));
export const CATALOG_OWNER: Record<string, string> = {
  PREREQ_MISSING: 'intake-lead',
  CUSTOMER_UNREACHABLE: 'support-lead',
  ADDRESS_INVALID: 'support-lead',
  PAYMENT_MISMATCH: 'finance-lead',
  PARTS_UNAVAILABLE: 'stores-lead',
  ACCESS_NOT_GRANTED: 'facilities-lead',
  SAFETY_HOLD: 'safety-officer',
  EQUIPMENT_FAULT: 'maintenance-lead',
  DELEGATE_UNRESPONSIVE: 'agent-ops-lead',
  VERIFICATION_FAILED: 'agent-ops-lead',
  SCOPE_CHANGE_REQUESTED: 'engagement-lead',
  SECURITY_RISK_OPEN: 'security-lead',
  CLIENT_APPROVAL_MISSING: 'engagement-lead',
};

export const HOUR = 3600 * 1000;

/** The workflow versions the history uses (publish them first). */
export function historyWorkflows(at: string): AppendRequest[] {
  return DEFINITIONS.map((definition) => {
    const sha256 = definitionSha256(definition);
    return {
      streamId: `workflow-${definition.jobType}`,
      expectedVersion: definition.version - 1,
      events: [
        {
          eventId: deterministicUuid('WorkflowPublished', sha256),
          type: 'WorkflowPublished',
          data: { jobType: definition.jobType, version: definition.version, sha256, definition },
          occurredAt: at,
        },
      ],
    };
  });
}
