import { hash } from 'node:crypto';
import { canonicalize, duplicateKeyProblem, MAX_DEPTH, objectMembers, WorkgateError } from '@workgate/contracts';
import { parse as parseYaml } from 'yaml';
import { CelProgram, compileCel } from './cel';
import { Overlay, PolicyRef, Rule, SystemBoundary, WorkflowDefinition } from './definition';
import { parseDuration } from './duration';

/** sha256 (hex) of the RFC 8785 canonical JSON of a definition: the same content always has the same hash. */
export function definitionSha256(definition: WorkflowDefinition): string {
  return hash('sha256', canonicalize(definition));
}

export interface CompiledRule extends Rule {
  program: CelProgram;
  /** The field paths its condition reads (to name a missing fact). */
  paths: string[];
}

export interface CompiledOverlay extends Overlay {
  program: CelProgram;
}

/** A definition version ready to decide: conditions planned once, lookups indexed. */
export interface CompiledWorkflow {
  definition: WorkflowDefinition;
  policy: PolicyRef;
  systems: Map<string, SystemBoundary & { writeSet: Set<string> }>;
  rules: CompiledRule[];
  overlays: CompiledOverlay[];
  stallAfterMs: number;
  /** How long an approval request waits before it expires. */
  approvalTimeoutMs: number;
  /** When a break-glass's post-review is due, from its use (absent: break-glass is not allowed). */
  postReviewDueMs?: number;
}

export const DEFAULT_STALL_AFTER = 'PT24H';
export const DEFAULT_APPROVAL_TIMEOUT = 'PT24H';

/** Compiles a validated definition. */
export function compileWorkflow(
  definition: WorkflowDefinition,
  sha256 = definitionSha256(definition),
): CompiledWorkflow {
  return {
    definition,
    policy: { jobType: definition.jobType, version: definition.version, sha256 },
    systems: new Map(definition.systems.map((s) => [s.name, { ...s, writeSet: new Set(s.write) }])),
    rules: (definition.rules ?? []).map((r) => {
      const { program, analysis } = compileCel(r.when);
      return { ...r, program, paths: analysis.paths };
    }),
    overlays: (definition.overlays ?? []).map((o) => ({ ...o, program: compileCel(o.when).program })),
    stallAfterMs: parseDuration(definition.stallAfter ?? DEFAULT_STALL_AFTER)!,
    approvalTimeoutMs: parseDuration(definition.approval?.timeout ?? DEFAULT_APPROVAL_TIMEOUT)!,
    ...(definition.breakGlass?.allowed && definition.breakGlass.postReviewDue
      ? { postReviewDueMs: parseDuration(definition.breakGlass.postReviewDue) }
      : {}),
  };
}

/** The parser's own words for a text nested deeper than it can follow. */
const TOO_DEEP = /Maximum call stack size exceeded|too much recursion/i;

/**
 * Parses definition text: JSON when it looks like JSON, YAML otherwise. Throws with a readable
 * message; a key twice in one mapping is refused in both (YAML's `uniqueKeys`, the JSON text's
 * scan), and a text nested deeper than the parser can follow is `invalid_definition` naming the
 * depth limit (deeper than MAX_DEPTH but parsed, `validateDefinition` refuses it).
 */
export function parseDefinitionText(text: string): unknown {
  const trimmed = text.trimStart();
  try {
    if (!trimmed.startsWith('{')) return parseYaml(text, { prettyErrors: true, uniqueKeys: true, maxAliasCount: 100 });
    const value: unknown = JSON.parse(text);
    const duplicate = duplicateKeyProblem(text, objectMembers(value));
    if (duplicate) throw new Error(`${duplicate.path}: ${duplicate.message}`);
    return value;
  } catch (error) {
    if (error instanceof RangeError || TOO_DEEP.test(String((error as Error)?.message))) {
      throw new WorkgateError('invalid_definition', `the definition is nested deeper than ${MAX_DEPTH} levels`, [
        { path: '', message: `is nested deeper than ${MAX_DEPTH} levels` },
      ]);
    }
    throw error;
  }
}
