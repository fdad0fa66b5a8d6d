import { WorkgateError } from '@workgate/contracts';
import type { Problem } from './problem';

/**
 * How large a definition may be (docs/policy.md, The definition). A definition is compiled, kept in memory by
 * every instance, carried whole in its ledger event and folded into every handoff of its work
 * orders: past these bounds it costs every caller, not only its publisher. The shipped workflows
 * are a few KB with under 10 steps and rules.
 */
export const DEFINITION_BOUNDS = {
  /** Its text as sent (YAML or JSON), or the JSON of a definition sent as an object: 256 KiB. */
  bytes: 256 * 1024,
  steps: 200,
  rules: 500,
} as const;

/**
 * The size of a definition as it arrived: the UTF-8 bytes of its text, or of its JSON when it
 * came as an object (over NATS, or in a `{definition}` wrapper).
 */
export function definitionBytes(definition: unknown): number {
  if (typeof definition === 'string') return Buffer.byteLength(definition, 'utf8');
  try {
    return Buffer.byteLength(JSON.stringify(definition) ?? '', 'utf8');
  } catch {
    // Not JSON at all (a cycle, a BigInt): the validation that follows names what is wrong.
    return 0;
  }
}

const bytes = (n: number) => n.toLocaleString('en-US');

/**
 * 413 payload_too_large for a definition over DEFINITION_BOUNDS.bytes, checked before it is
 * parsed or validated: whatever route or file it came from (the HTTP route refuses a larger body
 * before reading it; files at start and requests over NATS meet this check).
 */
export function assertDefinitionSize(definition: unknown): void {
  const size = definitionBytes(definition);
  if (size <= DEFINITION_BOUNDS.bytes) return;
  throw new WorkgateError(
    'payload_too_large',
    `the definition is ${bytes(size)} bytes: a definition is at most ${bytes(DEFINITION_BOUNDS.bytes)} bytes (256 KiB)`,
    [
      {
        path: '',
        message: `${bytes(size)} bytes: at most ${bytes(DEFINITION_BOUNDS.bytes)}`,
        limit: DEFINITION_BOUNDS.bytes,
        size,
      },
    ],
  );
}

/**
 * The definition's lists past their bounds (more than 200 steps, more than 500 rules), each naming
 * the count and the limit. Counted before anything else is validated: a definition past them is
 * refused without walking its thousands of entries.
 */
export function boundProblems(raw: Readonly<Record<string, unknown>>): Problem[] {
  const problems: Problem[] = [];
  for (const field of ['steps', 'rules'] as const) {
    const items = raw[field];
    const limit = DEFINITION_BOUNDS[field];
    if (Array.isArray(items) && items.length > limit) {
      problems.push({
        path: field,
        message: `holds ${bytes(items.length)} ${field}: a definition has at most ${limit} ${field}`,
      });
    }
  }
  return problems;
}
