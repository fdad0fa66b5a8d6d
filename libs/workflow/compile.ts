import { hash } from 'node:crypto';
import { canonicalize } from '@workgate/contracts';
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
export function compileWorkflow(definition: WorkflowDefinition, sha256 = definitionSha256(definition)): CompiledWorkflow {
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
    ...(definition.breakGlass?.allowed && definition.breakGlass.postReviewDue ? { postReviewDueMs: parseDuration(definition.breakGlass.postReviewDue) } : {}),
  };
}

/** Parses definition text: JSON when it looks like JSON, YAML otherwise. Throws with a readable message. */
export function parseDefinitionText(text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return JSON.parse(text);
  return parseYaml(text, { prettyErrors: true, uniqueKeys: true, maxAliasCount: 100 });
}
